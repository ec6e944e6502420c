package dev.urlsession.benchmarks.suite;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.style.Styler;

/** The suite's charts (PNG, with XChart). */
final class Report {
  private Report() {}

  /**
   * A grouped bar chart: one group per concurrency, one bar per client, {@code value} of each
   * result and the group's reference result (its first), e.g. the ratio to raw HttpClient 5.
   */
  static void barChart(Path file, String title, String yTitle, Map<Integer, List<Comparison.Result>> byConcurrency,
      java.util.function.ToDoubleBiFunction<Comparison.Result, Comparison.Result> value) throws IOException {
    CategoryChart chart = new CategoryChartBuilder().width(1100).height(560).title(title)
        .xAxisTitle("requests in flight").yAxisTitle(yTitle).build();
    chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
    chart.getStyler().setAvailableSpaceFill(0.8);
    chart.getStyler().setOverlapped(false);
    chart.getStyler().setChartBackgroundColor(java.awt.Color.WHITE);
    List<String> groups = new ArrayList<>();
    for (Integer c : byConcurrency.keySet()) {
      groups.add("c=" + c);
    }
    List<Comparison.Result> first = byConcurrency.values().iterator().next();
    for (int i = 0; i < first.size(); i++) {
      List<Double> ys = new ArrayList<>();
      for (List<Comparison.Result> results : byConcurrency.values()) {
        double v = value.applyAsDouble(results.get(i), results.get(0));
        ys.add(Double.isNaN(v) || Double.isInfinite(v) ? 0 : v);
      }
      chart.addSeries(first.get(i).client(), groups, ys);
    }
    BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
  }
}
