#!/usr/bin/env python3
"""Runs SmallGetBenchmark's raw and Session benchmarks in alternating single forks, in pairs.

Usage: python3 benchmarks/paired.py [--pairs N] [--concurrency 1|64] [--variant V]
                                    [--jar PATH] [--out DIR] [--max-others CORES]

On a shared VM the speed of the host drifts over minutes, and JMH runs all forks of one benchmark
before the next; so the raw and Session figures of one `-f 3` run come from different minutes.
Here each pair is one fork of raw HttpClient and one fork of Session, run back to back (which goes
first alternates from pair to pair), and the ratio is taken within the pair. The script prints
every pair and the median of the pair ratios, for throughput and for client CPU per request.

Each fork uses the benchmark's defaults (10 x 2 s warm-up, 5 x 2 s measurement) with the gc and
CPU profilers; iterations during which other processes kept more than --max-others cores busy
(default 0.25) are left out of that fork's median. The JSON of every fork goes to --out.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys


def fork(jar, benchmark, variant, out, max_others):
    cmd = ["java", "-jar", jar, f"SmallGetBenchmark.{benchmark}$", "-f", "1", "-prof", "gc",
           "-prof", "dev.urlsession.benchmarks.CpuProfiler", "-rf", "json", "-rff", out]
    if benchmark.startswith("session"):
        cmd += ["-p", f"variant={variant}"]
    run = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if run.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed:\n{run.stdout[-4000:]}")
    with open(out) as f:
        result = json.load(f)[0]
    sec = result["secondaryMetrics"]

    def series(key):
        return [x for fk in sec[key]["rawData"] for x in fk] if key in sec else None

    scores = [x for fk in result["primaryMetric"]["rawData"] for x in fk]
    others = series("cpu.others") or [0.0] * len(scores)
    cpu = series("cpu.client.norm") or [float("nan")] * len(scores)
    kept = [(s, c) for s, o, c in zip(scores, others, cpu) if o <= max_others]
    if not kept:
        return float("nan"), float("nan"), 0
    return (statistics.median(s for s, _ in kept), statistics.median(c for _, c in kept),
            len(kept))


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pairs", type=int, default=8)
    p.add_argument("--concurrency", choices=["1", "64"], default="64")
    p.add_argument("--variant", default="default")
    p.add_argument("--jar", default="benchmarks/target/benchmarks.jar")
    p.add_argument("--out", default="target/paired")
    p.add_argument("--max-others", type=float, default=0.25)
    a = p.parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    c = a.concurrency
    print(f"pair  first    raw req/s  session req/s  ratio   raw CPU ns  session CPU ns  "
          f"CPU ratio (raw/session)", flush=True)
    ratios, cpu_ratios = [], []
    for i in range(a.pairs):
        order = ["raw", "session"] if i % 2 == 0 else ["session", "raw"]
        got = {}
        for who in order:
            got[who] = fork(a.jar, f"{who}_c{c}", a.variant,
                            os.path.join(a.out, f"{who}_c{c}_{i}.json"), a.max_others)
        (rs, rc, rk), (ss, sc, sk) = got["raw"], got["session"]
        if rk == 0 or sk == 0:
            print(f"{i:>4}  {order[0]:<7}  (a fork competed with other processes throughout: skipped)")
            continue
        ratios.append(ss / rs)
        cpu_ratios.append(rc / sc)
        print(f"{i:>4}  {order[0]:<7}  {rs:>9.0f}  {ss:>13.0f}  {ss / rs:>5.2f}  {rc:>11.0f}  {sc:>14.0f}"
              f"  {rc / sc:>5.2f}", flush=True)
    if not ratios:
        return 1
    print()
    print(f"session_c{c} / raw_c{c}: median of {len(ratios)} pair ratios = {statistics.median(ratios):.2f}"
          f" (min {min(ratios):.2f}, max {max(ratios):.2f})")
    print(f"client CPU per request, raw / session: median = {statistics.median(cpu_ratios):.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
