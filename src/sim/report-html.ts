/**
 * The `--report FILE.html` output: one self-contained page (no network access) with the summary
 * table and four plots. The plots show each queue's GPU share vs fair share over time, cluster
 * GPU utilisation over time, the CDF of job completion time, and queueing delay by queue.
 * Chart.js is inlined from the installed `chart.js` package.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { cdfPoints, jct, type Metrics, SIZE_BUCKETS } from "./metrics.js";
import { formatSummary } from "./summary.js";
import type { SimulationResult } from "./types.js";

/** Maximum points per time series in the page; longer series are thinned evenly. */
const MAX_SERIES_POINTS = 1500;

/** Candidate ticks of a logarithmic duration axis, seconds: round values of seconds, minutes, hours and days. */
const DURATION_TICKS = [
  1, 2, 5, 10, 20, 30,
  60, 2 * 60, 5 * 60, 10 * 60, 20 * 60, 30 * 60,
  3600, 2 * 3600, 3 * 3600, 6 * 3600, 12 * 3600,
  86400, 2 * 86400, 7 * 86400, 14 * 86400, 30 * 86400, 91 * 86400, 182 * 86400, 365 * 86400,
];
/** The subset of DURATION_TICKS kept when a wide range would crowd the axis. */
const MAJOR_DURATION_TICKS = [1, 10, 60, 10 * 60, 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400, 365 * 86400];
/** Maximum labelled ticks on a duration axis before only the major ticks are kept. */
const MAX_DURATION_TICKS = 10;

/** A logarithmic duration axis: its bounds and labelled ticks, seconds. */
export interface DurationAxis {
  min: number;
  max: number;
  ticks: { value: number; label: string }[];
}

/** Returns the source of Chart.js's UMD build from the installed package. */
export function readChartJs(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve("chart.js");
  return readFileSync(join(dirname(entry), "chart.umd.js"), "utf8");
}

/** Builds the HTML page of a run. */
export function buildHtmlReport(result: SimulationResult, metrics: Metrics, title = "fairsched simulation"): string {
  const data = chartData(result, metrics);
  const summary = formatSummary(result, metrics);
  // Chart.js's source can contain "</script>" only inside strings; escape the sequence so the
  // inline script element cannot end early.
  const chart = readChartJs().replace(/<\/script/gi, "<\\/script");
  const json = JSON.stringify(data).replace(/</g, "\\u003c");

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
h2 { margin-top: 32px; }
</style>
</head>
<body>
<h1>${escapeHtml(title)}</h1>
<pre>${escapeHtml(summary)}</pre>
<h2>GPU utilisation over time</h2>
<div class="panel"><canvas id="utilisation" height="90"></canvas></div>
<h2>Job completion time (CDF)</h2>
<div class="panel"><canvas id="jct" height="110"></canvas></div>
<h2>Queueing delay by queue</h2>
<div class="panel"><canvas id="wait" height="110"></canvas></div>
<h2>Share vs fair share per queue (GPUs)</h2>
<div class="grid" id="shares"></div>
<script>${chart}</script>
<script>
const data = ${json};
${PAGE_SCRIPT}
</script>
</body>
</html>
`;
}

interface ChartData {
  /** Sample times in hours from the start. */
  hours: number[];
  utilisation: number[];
  queues: { name: string; usage: number[]; fairShare: number[]; steadyFairShare: number[] }[];
  /** JCT CDFs in seconds (at least 1 s, for the log scale): overall first, then by job size. */
  jct: { label: string; points: [number, number][] }[];
  /** The JCT axis, seconds. */
  jctAxis: DurationAxis;
  /** Queueing delay per queue in hours. */
  wait: { name: string; mean: number; median: number; p99: number }[];
}

function chartData(result: SimulationResult, metrics: Metrics): ChartData {
  const samples = result.samples;
  const step = Math.max(1, Math.ceil(samples.time.length / MAX_SERIES_POINTS));
  const thin = (values: number[]) => values.filter((_, i) => i % step === 0);
  const hours = (seconds: number) => Number((seconds / 3600).toFixed(4));

  const finished = result.jobs.filter((job) => job.finishTime !== null);
  const jctCurves = [{ label: "all jobs", points: toLogSeconds(cdfPoints(finished.map(jct))) }];
  for (const bucket of SIZE_BUCKETS) {
    const group = finished.filter((job) => job.gpus >= bucket.min && job.gpus <= bucket.max);
    if (group.length > 0) jctCurves.push({ label: `${bucket.label} GPU${bucket.label === "1" ? "" : "s"}`, points: toLogSeconds(cdfPoints(group.map(jct))) });
  }
  const jctSeconds = jctCurves[0].points.map(([seconds]) => seconds);

  return {
    hours: thin(samples.time).map((time) => hours(time - result.startTime)),
    utilisation: thin(metrics.utilisation.series).map((value) => Number(value.toFixed(4))),
    queues: samples.queues.map((queue) => ({
      name: queue.name,
      usage: thin(queue.usage),
      fairShare: thin(queue.fairShare).map((value) => Number(value.toFixed(3))),
      steadyFairShare: thin(queue.steadyFairShare).map((value) => Number(value.toFixed(3))),
    })),
    jct: jctCurves,
    jctAxis: jctSeconds.length > 0 ? durationAxis(Math.min(...jctSeconds), Math.max(...jctSeconds)) : durationAxis(1, 3600),
    wait: metrics.byQueue.map((queue) => ({
      name: queue.name,
      mean: hours(queue.queueingDelay.mean),
      median: hours(queue.queueingDelay.median),
      p99: hours(queue.queueingDelay.p99),
    })),
  };
}

/** Rounds CDF points to 0.1 s and raises values below 1 s to 1 s, which a log axis can show. */
function toLogSeconds(points: [number, number][]): [number, number][] {
  return points.map(([seconds, fraction]) => [Math.max(1, Number(seconds.toFixed(1))), Number(fraction.toFixed(4))]);
}

/** Formats a tick value of DURATION_TICKS as a whole number of its largest exact unit: `30 s`, `10 min`, `6 h`, `7 d`. */
export function formatDurationTick(seconds: number): string {
  if (seconds >= 86400 && seconds % 86400 === 0) return `${seconds / 86400} d`;
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/**
 * Returns a logarithmic axis covering `[low, high]` seconds: its bounds are the nearest
 * candidate ticks outside the range, and its ticks are the candidates between them, only the
 * major ones when more than MAX_DURATION_TICKS would fit.
 */
export function durationAxis(low: number, high: number): DurationAxis {
  const last = DURATION_TICKS.length - 1;
  const min = [...DURATION_TICKS].reverse().find((tick) => tick <= low) ?? DURATION_TICKS[0];
  const max = DURATION_TICKS.find((tick) => tick >= high) ?? DURATION_TICKS[last];
  let values = DURATION_TICKS.filter((tick) => tick >= min && tick <= max);
  if (values.length > MAX_DURATION_TICKS) values = MAJOR_DURATION_TICKS.filter((tick) => tick >= min && tick <= max);
  return { min, max: Math.max(max, high), ticks: values.map((value) => ({ value, label: formatDurationTick(value) })) };
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Browser-side code that draws the charts from `data`. */
const PAGE_SCRIPT = `
Chart.defaults.animation = false;
Chart.defaults.elements.point.radius = 0;
const timeAxis = { type: "linear", title: { display: true, text: "hours since the first event" } };

new Chart(document.getElementById("utilisation"), {
  type: "line",
  data: { labels: data.hours, datasets: [{ label: "GPU utilisation", data: data.utilisation, borderColor: "#1f77b4", borderWidth: 1 }] },
  options: { scales: { x: timeAxis, y: { min: 0, max: 1, title: { display: true, text: "fraction of GPUs in use" } } } },
});

const palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"];
new Chart(document.getElementById("jct"), {
  type: "line",
  data: {
    datasets: data.jct.map((curve, i) => ({
      label: curve.label,
      data: curve.points.map(([x, y]) => ({ x, y })),
      borderColor: palette[i % palette.length],
      borderWidth: i === 0 ? 2 : 1,
      stepped: true,
    })),
  },
  options: {
    scales: {
      x: {
        type: "logarithmic",
        min: data.jctAxis.min,
        max: data.jctAxis.max,
        title: { display: true, text: "job completion time (log scale)" },
        afterBuildTicks: (scale) => { scale.ticks = data.jctAxis.ticks.map((tick) => ({ value: tick.value })); },
        ticks: { autoSkip: false, callback: (value) => (data.jctAxis.ticks.find((tick) => tick.value === value) || { label: "" }).label },
      },
      y: { min: 0, max: 1, title: { display: true, text: "fraction of finished jobs" } },
    },
  },
});

new Chart(document.getElementById("wait"), {
  type: "bar",
  data: {
    labels: data.wait.map((queue) => queue.name),
    datasets: [
      { label: "mean", data: data.wait.map((queue) => queue.mean), backgroundColor: "#1f77b4" },
      { label: "median", data: data.wait.map((queue) => queue.median), backgroundColor: "#2ca02c" },
      { label: "p99", data: data.wait.map((queue) => queue.p99), backgroundColor: "#d62728" },
    ],
  },
  options: { scales: { y: { title: { display: true, text: "queueing delay (hours)" } } } },
});

const grid = document.getElementById("shares");
for (const queue of data.queues) {
  const panel = document.createElement("div");
  panel.className = "panel";
  const canvas = document.createElement("canvas");
  canvas.height = 200;
  panel.appendChild(canvas);
  grid.appendChild(panel);
  new Chart(canvas, {
    type: "line",
    data: {
      labels: data.hours,
      datasets: [
        { label: "usage", data: queue.usage, borderColor: "#1f77b4", borderWidth: 1, fill: true, backgroundColor: "rgba(31,119,180,0.15)" },
        { label: "fair share", data: queue.fairShare, borderColor: "#d62728", borderWidth: 1, stepped: true },
        { label: "steady fair share", data: queue.steadyFairShare, borderColor: "#7f7f7f", borderWidth: 1, borderDash: [4, 4] },
      ],
    },
    options: { plugins: { title: { display: true, text: queue.name } }, scales: { x: timeAxis, y: { min: 0 } } },
  });
}
`;
