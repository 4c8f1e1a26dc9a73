/**
 * The `fairsched whatif --report FILE.html` output: one self-contained page (no network access)
 * with the comparison table and, for each varied key, each main metric plotted against that
 * key's values, one line per combination of the other keys. Chart.js is inlined from the
 * installed `chart.js` package at run time.
 */
import { readChartJs } from "../sim/report-html.js";
import { formatComparison, METRIC_COLUMNS } from "./compare.js";
import { formatValue, type VaryAxis } from "./scenarios.js";
import type { ScenarioResult } from "./sweep.js";

/** One plot: a metric against one varied key. */
interface Plot {
  title: string;
  xLabel: string;
  yLabel: string;
  labels: string[];
  /**
   * One line per combination of the other keys; null where that scenario did not finish. A line
   * with the same values as an earlier one has `dash` set, so both stay visible.
   */
  series: { label: string; values: (number | null)[]; dash?: number[] }[];
  /** Names the lines that have identical values and overlap; absent when none do. */
  note?: string;
}

/** Dash patterns, pixels on and off, for the second, third, ... line of a group of identical lines. */
const OVERLAP_DASHES = [[6, 4], [2, 3], [10, 3, 2, 3]];

/**
 * Dashes each series that repeats the values of an earlier one and returns a note naming every
 * group of identical series, or undefined when all differ.
 */
export function markOverlaps(series: Plot["series"]): string | undefined {
  const groups = new Map<string, Plot["series"]>();
  for (const line of series) {
    const key = JSON.stringify(line.values);
    const group = groups.get(key);
    if (group) {
      line.dash = OVERLAP_DASHES[(group.length - 1) % OVERLAP_DASHES.length];
      group.push(line);
    } else {
      groups.set(key, [line]);
    }
  }
  const overlapping = [...groups.values()].filter((group) => group.length > 1);
  if (overlapping.length === 0) return undefined;
  return `identical, drawn dashed over each other: ${overlapping.map((group) => group.map((line) => line.label).join(" = ")).join("; ")}`;
}

/**
 * Builds the plots of a sweep. A sweep without varied keys gets one bar chart per metric with
 * the single base scenario.
 */
export function buildPlots(results: readonly ScenarioResult[], axes: readonly VaryAxis[]): Plot[] {
  const plots: Plot[] = [];
  const xAxes = axes.length > 0 ? axes.map((_, a) => a) : [-1];
  for (const a of xAxes) {
    const axis = a >= 0 ? axes[a] : undefined;
    const labels = axis ? axis.values.map(formatValue) : ["base"];
    for (const column of METRIC_COLUMNS) {
      const lines = new Map<string, (number | null)[]>();
      for (const result of results) {
        const others = result.scenario.settings.filter((_, s) => s !== a);
        const key = others.map((s) => `${s.key}=${formatValue(s.value)}`).join(" ") || column.label;
        if (!lines.has(key)) lines.set(key, new Array(labels.length).fill(null));
        const x = axis ? labels.indexOf(formatValue(result.scenario.settings[a].value)) : 0;
        const finished = result.status === "ok" && result.run;
        lines.get(key)![x] = finished ? column.read(result.run!.metrics) / column.scale : null;
      }
      const series: Plot["series"] = [...lines].map(([label, values]) => ({ label, values }));
      const note = labels.length > 1 ? markOverlaps(series) : undefined;
      plots.push({
        title: `${column.label} vs ${axis ? axis.key : "base"}`,
        xLabel: axis ? axis.key : "",
        yLabel: column.label,
        labels,
        series,
        ...(note ? { note } : {}),
      });
    }
  }
  return plots;
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** Builds the HTML page of a sweep. */
export function buildWhatIfReport(results: readonly ScenarioResult[], axes: readonly VaryAxis[], title = "fairsched what-if"): string {
  const table = formatComparison(results, axes);
  // Chart.js's source can contain "</script>" only inside strings; escaping the sequence keeps
  // the inline script element from ending early.
  const chart = readChartJs().replace(/<\/script/gi, "<\\/script");
  const json = JSON.stringify(buildPlots(results, axes)).replace(/</g, "\\u003c");

  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>
body { font: 14px system-ui, sans-serif; margin: 24px; color: #222; }
pre { font: 12px ui-monospace, monospace; background: #f6f6f6; padding: 12px; overflow-x: auto; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 16px; }
.panel { border: 1px solid #ddd; padding: 8px; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<pre>${escapeHtml(table)}</pre>
<h2>Metrics against each varied key</h2>
<div class="grid" id="plots"></div>
<script>${chart}</script>
<script>
const plots = ${json};
const grid = document.getElementById("plots");
for (const plot of plots) {
  const panel = document.createElement("div");
  panel.className = "panel";
  const canvas = document.createElement("canvas");
  panel.appendChild(canvas);
  grid.appendChild(panel);
  new Chart(canvas, {
    type: plot.labels.length > 1 ? "line" : "bar",
    data: {
      labels: plot.labels,
      // Chart.js draws datasets of lower order on top, so a dashed repeat goes over the line it repeats.
      datasets: plot.series.map((s) => ({ label: s.label, data: s.values, spanGaps: false, borderDash: s.dash || [], order: s.dash ? -1 : 0, borderWidth: s.dash ? 2 : 3 })),
    },
    options: {
      animation: false,
      plugins: { title: { display: true, text: plot.title }, subtitle: { display: Boolean(plot.note), text: plot.note || "" } },
      scales: { x: { title: { display: true, text: plot.xLabel } }, y: { title: { display: true, text: plot.yLabel } } },
    },
  });
}
</script>
</body>
</html>
`;
}
