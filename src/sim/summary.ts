/**
 * The terminal summary of a simulation run: a few header lines and one table of JCT and
 * queueing delay overall, per queue, per job size and per GPU type.
 */
import type { Distribution, GroupMetrics, Metrics } from "./metrics.js";
import type { SimulationResult } from "./types.js";

/** Formats seconds as the largest fitting unit: `42 s`, `3.5 min`, `2.1 h`, `4.0 d`. */
export function formatDuration(seconds: number): string {
  const magnitude = Math.abs(seconds);
  if (magnitude < 60) return `${round(seconds, magnitude < 10 ? 1 : 0)} s`;
  if (magnitude < 3600) return `${round(seconds / 60, 1)} min`;
  if (magnitude < 86400) return `${round(seconds / 3600, 1)} h`;
  return `${round(seconds / 86400, 1)} d`;
}

function round(value: number, digits: number): string {
  return value.toFixed(digits);
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/** Returns the summary as lines of text, without a trailing newline. */
export function formatSummary(result: SimulationResult, metrics: Metrics): string {
  const lines: string[] = [];
  const types = Object.entries(result.gpusByType)
    .map(([type, gpus]) => `${type} ${gpus}`)
    .join(", ");
  lines.push(
    `jobs ${metrics.jobs.total} (${metrics.jobs.finished} finished, ${metrics.jobs.unfinished} unfinished) on ${result.nodes} nodes, ${result.clusterGpus} GPUs (${types || "none"})`,
  );
  lines.push(
    `policy ${result.settings.policy}, preemption ${result.settings.preemption ? "on" : "off"}, makespan ${formatDuration(metrics.makespan)}, ${result.events} events, ${result.passes} scheduling passes`,
  );
  lines.push(
    `GPU utilisation: average ${percent(metrics.utilisation.average)}, max ${percent(metrics.utilisation.max)}`,
  );
  lines.push(
    `fairness: Jain's index ${metrics.fairness.jainIndex.toFixed(3)} (mean over ${metrics.fairness.samples} samples), ${metrics.fairness.jainIndexOfTotals.toFixed(3)} over totals; ` +
      `finish-time fairness rho mean ${metrics.finishTimeFairness.mean.toFixed(2)}, p99 ${metrics.finishTimeFairness.p99.toFixed(2)}, max ${metrics.finishTimeFairness.max.toFixed(2)}, ${percent(metrics.finishTimeFairness.fractionAboveOne)} above 1`,
  );
  lines.push(
    `preemption: ${metrics.preemption.jobStops} job stops (${metrics.preemption.jobsPreempted} jobs, ${metrics.preemption.tasksStopped} tasks), ${metrics.preemption.lostGpuHours.toFixed(1)} GPU-hours lost`,
  );
  if (result.stopReason) lines.push(`warning: ${result.stopReason}`);
  for (const [reason, count] of Object.entries(metrics.jobs.unfinishedByReason)) lines.push(`unfinished: ${count} jobs: ${reason}`);
  lines.push("");

  const rows: [string, GroupMetrics, string][] = [["all", { jobs: metrics.jobs.total, finished: metrics.jobs.finished, jct: metrics.jct, queueingDelay: metrics.queueingDelay }, ""]];
  for (const queue of metrics.byQueue) {
    rows.push([`queue ${queue.name}`, queue, `${queue.meanUsage.toFixed(1)} / ${queue.meanFairShare.toFixed(1)}`]);
  }
  for (const group of metrics.bySize) rows.push([`size ${group.size} GPU${group.size === "1" ? "" : "s"}`, group, ""]);
  for (const group of metrics.byGpuType) rows.push([`type ${group.gpuType}`, group, ""]);

  const header = ["group", "jobs", "done", "JCT mean", "JCT median", "JCT p99", "wait mean", "wait median", "wait p99", "GPUs used / fair"];
  const table = rows.map(([label, group, shares]) => [
    label,
    String(group.jobs),
    String(group.finished),
    ...durations(group.jct),
    ...durations(group.queueingDelay),
    shares,
  ]);
  lines.push(...formatTable(header, table));
  return lines.join("\n");
}

function durations(values: Distribution): string[] {
  if (values.count === 0) return ["-", "-", "-"];
  return [formatDuration(values.mean), formatDuration(values.median), formatDuration(values.p99)];
}

/** Aligns columns: the first left-aligned, the rest right-aligned. */
export function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)));
  const format = (row: string[]) =>
    row
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column])))
      .join("  ")
      .trimEnd();
  return [format(header), widths.map((width) => "-".repeat(width)).join("  "), ...rows.map(format)];
}
