package io.openirsa.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.LogarithmicAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainCategoryPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.data.category.DefaultCategoryDataset;

import java.awt.Color;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Draws bench/run's results (its JSON lines) as one PNG: requests per second (log scale) and p99
 * latency, per workload and server. bench/run calls it after a full run, so the chart in
 * docs/benchmarks.md is always the last run's.
 *
 * <p>{@code java -cp bench/target/benchmarks.jar io.openirsa.bench.Chart RESULTS.jsonl OUT.png TITLE}
 */
public final class Chart {
    private Chart() {
    }

    public static void main(String[] args) throws IOException {
        System.setProperty("java.awt.headless", "true");
        ObjectMapper json = new ObjectMapper();
        List<JsonNode> rows = Files.readAllLines(Path.of(args[0])).stream().filter(l -> !l.isBlank()).map(l -> read(json, l))
                .filter(r -> r.has("rps")).toList();
        DefaultCategoryDataset throughput = new DefaultCategoryDataset();
        DefaultCategoryDataset p99 = new DefaultCategoryDataset();
        // A workload measured in several rounds (bench/run's ROUNDS) is drawn at the median of each figure.
        Map<List<String>, List<JsonNode>> rounds = new LinkedHashMap<>();
        for (JsonNode r : rows) {
            String workload = r.get("workload").asText() + (r.path("connections").asInt(16) != 16 ? " (" + r.get("connections").asInt() + " conn.)" : "");
            rounds.computeIfAbsent(List.of(r.get("server").asText(), workload), k -> new java.util.ArrayList<>()).add(r);
        }
        rounds.forEach((key, measured) -> {
            throughput.addValue(median(measured, "rps"), key.get(0), key.get(1));
            p99.addValue(median(measured, "p99_ms"), key.get(0), key.get(1));
        });
        LogarithmicAxis rps = new LogarithmicAxis("requests/s (log)");
        rps.setStrictValuesFlag(false); // a server not measured in a workload has no bar, not a zero
        CategoryPlot top = new CategoryPlot(throughput, null, rps, bars());
        CategoryPlot bottom = new CategoryPlot(p99, null, new NumberAxis("p99 latency, ms"), bars());
        CategoryAxis workloads = new CategoryAxis();
        workloads.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        CombinedDomainCategoryPlot plot = new CombinedDomainCategoryPlot(workloads);
        plot.add(top, 2);
        plot.add(bottom, 1);
        plot.setFixedLegendItems(top.getLegendItems()); // one legend: both plots color servers alike
        JFreeChart chart = new JFreeChart(args.length > 2 ? args[2] : "bench/run", JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setBackgroundPaint(Color.WHITE);
        ChartUtils.saveChartAsPNG(Path.of(args[1]).toFile(), chart, 1000, 750);
    }

    private static double median(List<JsonNode> rows, String field) {
        double[] v = rows.stream().mapToDouble(r -> r.get(field).asDouble()).sorted().toArray();
        return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    /** Series are servers, in the order the results first name them: the same colors in both plots. */
    private static BarRenderer bars() {
        BarRenderer r = new BarRenderer();
        r.setBarPainter(new StandardBarPainter());
        r.setShadowVisible(false);
        Color[] colors = {new Color(0xD6, 0x27, 0x28), new Color(0x1F, 0x77, 0xB4), new Color(0x7F, 0x7F, 0x7F)};
        for (int i = 0; i < colors.length; i++) {
            r.setSeriesPaint(i, colors[i]);
        }
        return r;
    }

    private static JsonNode read(ObjectMapper json, String line) {
        try {
            return json.readTree(line);
        } catch (IOException e) {
            throw new IllegalArgumentException("not a JSON line: " + line, e);
        }
    }
}
