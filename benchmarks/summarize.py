#!/usr/bin/env python3
"""Summarizes SmallGetBenchmark results: req/s per client and concurrency, Session/raw ratios.

Usage: python3 benchmarks/summarize.py [--max-others CORES] result.json [more.json ...]

Reads JMH JSON results (-rf json). With several files (repeated runs), the measurement
iterations of each benchmark are pooled. If the run used -prof dev.urlsession.benchmarks.CpuProfiler,
iterations during which processes outside the benchmark JVM kept more than --max-others cores busy
(default 0.25) are left out, and the table says how many iterations were kept.
"""
import json
import statistics
import sys


def main(argv):
    max_others = 0.25
    files = []
    i = 0
    while i < len(argv):
        if argv[i] == "--max-others":
            max_others = float(argv[i + 1])
            i += 2
        else:
            files.append(argv[i])
            i += 1
    if not files:
        print(__doc__)
        return 2

    pooled = {}  # name -> {"score": [...], "alloc": [...], "cpu": [...], "total": n}
    for path in files:
        with open(path) as f:
            try:
                results = json.load(f)
            except ValueError:
                print(f"skipping {path}: not a JMH JSON result (run still going?)", file=sys.stderr)
                continue
            for b in results:
                name = b["benchmark"].rsplit(".", 1)[-1]
                params = b.get("params") or {}
                if params.get("variant", "default") != "default":
                    name += "[" + params["variant"] + "]"
                props = [a for a in b.get("jvmArgs", []) if a.startswith("-D")]
                if props:
                    name += "{" + " ".join(props) + "}"
                scores = [x for fork in b["primaryMetric"]["rawData"] for x in fork]
                sec = b.get("secondaryMetrics", {})

                def series(key):
                    if key not in sec:
                        return [None] * len(scores)
                    return [x for fork in sec[key]["rawData"] for x in fork]

                others = series("cpu.others")
                alloc = series("gc.alloc.rate.norm")
                cpu = series("cpu.client.norm")
                p = pooled.setdefault(name, {"score": [], "alloc": [], "cpu": [], "total": 0})
                for s, o, a, c in zip(scores, others, alloc, cpu):
                    p["total"] += 1
                    if o is not None and o > max_others:
                        continue
                    p["score"].append(s)
                    if a is not None:
                        p["alloc"].append(a)
                    if c is not None:
                        p["cpu"].append(c)

    def med(xs):
        return statistics.median(xs) if xs else float("nan")

    w = max([len(n) for n in pooled] + [9])
    print(f"{'benchmark':<{w}} {'kept':>7} {'median req/s':>13} {'min':>9} {'max':>9}"
          f" {'B/req':>8} {'client CPU ns/req':>18}")
    for name in sorted(pooled):
        p = pooled[name]
        s = p["score"]
        print(f"{name:<{w}} {len(s):>3}/{p['total']:<3} {med(s):>13.0f}"
              f" {min(s) if s else float('nan'):>9.0f} {max(s) if s else float('nan'):>9.0f}"
              f" {med(p['alloc']):>8.0f} {med(p['cpu']):>18.0f}")
    print()
    for c in ("c1", "c64"):
        raw = med(pooled.get("raw_" + c, {}).get("score", []))
        for name in sorted(pooled):
            if name.startswith("session_" + c) and (len(name) == len("session_" + c)
                                                   or name[len("session_" + c)] == "["):
                ses = med(pooled[name]["score"])
                print(f"{name} / raw_{c} = {ses / raw:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
