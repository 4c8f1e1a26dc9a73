/**
 * The comparison of a sweep: one row per scenario with its main metrics, and in each metric
 * column the best value over the finished scenarios marked.
 */
import type { Metrics } from "../sim/metrics.js";
import { formatValue, type VaryAxis } from "./scenarios.js";
import type { ScenarioResult } from "./sweep.js";

/** A metric shown per scenario: how to read it from `Metrics`, and which direction is better. */
export interface MetricColumn {
  key: string;
  /** Column heading with its unit. */
  label: string;
  better: "lower" | "higher";
  read(metrics: Metrics): number;
  /** Divisor from the value `read` returns to the unit in `label` (3600 for seconds shown in hours). */
  scale: number;
  /** Formats the value, already divided by `scale`, for the terminal table. */
  format(value: number): string;
}

const hours = (value: number) => value.toFixed(2);
const fraction = (value: number) => value.toFixed(3);

/** The main metrics of a scenario, in table order. */
export const METRIC_COLUMNS: readonly MetricColumn[] = [
  { key: "finished", label: "finished", better: "higher", read: (m) => m.jobs.finished, scale: 1, format: String },
  { key: "jctMean", label: "JCT mean h", better: "lower", read: (m) => m.jct.mean, scale: 3600, format: hours },
  { key: "jctMedian", label: "JCT p50 h", better: "lower", read: (m) => m.jct.median, scale: 3600, format: hours },
  { key: "jctP99", label: "JCT p99 h", better: "lower", read: (m) => m.jct.p99, scale: 3600, format: hours },
  { key: "queueingMean", label: "queue mean h", better: "lower", read: (m) => m.queueingDelay.mean, scale: 3600, format: hours },
  { key: "makespan", label: "makespan h", better: "lower", read: (m) => m.makespan, scale: 3600, format: hours },
  { key: "utilisation", label: "GPU util", better: "higher", read: (m) => m.utilisation.average, scale: 1, format: fraction },
  { key: "jain", label: "Jain", better: "higher", read: (m) => m.fairness.jainIndex, scale: 1, format: fraction },
  { key: "ftfMax", label: "FTF rho max", better: "lower", read: (m) => m.finishTimeFairness.max, scale: 1, format: (v) => v.toFixed(2) },
  { key: "preemptions", label: "preemptions", better: "lower", read: (m) => m.preemption.jobStops, scale: 1, format: String },
  { key: "lostGpuHours", label: "lost GPU h", better: "lower", read: (m) => m.preemption.lostGpuHours, scale: 1, format: (v) => v.toFixed(1) },
];

/** Returns the main metrics of one finished scenario, keyed by `MetricColumn.key`. */
export function summarise(metrics: Metrics): Record<string, number> {
  const row: Record<string, number> = {};
  for (const column of METRIC_COLUMNS) row[column.key] = column.read(metrics);
  return row;
}

/**
 * Returns, per metric key, the indexes (into `results`) of the finished scenarios with the best
 * value. Tied scenarios are all best. A column where every finished scenario has the same value
 * has no best, because marking all of them tells the reader nothing.
 */
export function bestPerColumn(results: readonly ScenarioResult[]): Record<string, number[]> {
  const best: Record<string, number[]> = {};
  for (const column of METRIC_COLUMNS) {
    const values = results.map((r) => (r.status === "ok" && r.run ? column.read(r.run.metrics) : NaN));
    const finite = values.filter(Number.isFinite);
    if (finite.length === 0) {
      best[column.key] = [];
      continue;
    }
    const target = column.better === "lower" ? Math.min(...finite) : Math.max(...finite);
    const allEqual = finite.every((v) => v === target);
    best[column.key] = allEqual && finite.length > 1 ? [] : values.flatMap((v, i) => (v === target ? [i] : []));
  }
  return best;
}

/**
 * Formats the comparison table: a column per varied key, then per main metric, a `*` after each
 * column's best value, and a status column naming a failure.
 */
export function formatComparison(results: readonly ScenarioResult[], axes: readonly VaryAxis[]): string {
  const best = bestPerColumn(results);
  const header = ["#", ...axes.map((a) => a.key), ...METRIC_COLUMNS.map((c) => c.label), "status"];
  const rows = results.map((result, index) => {
    const cells = [String(result.scenario.index), ...result.scenario.settings.map((s) => formatValue(s.value))];
    for (const column of METRIC_COLUMNS) {
      if (result.status !== "ok" || !result.run) {
        cells.push("-");
        continue;
      }
      const mark = best[column.key].includes(index) ? "*" : "";
      cells.push(column.format(column.read(result.run.metrics) / column.scale) + mark);
    }
    cells.push(result.status === "ok" ? "ok" : `${result.status}${result.error ? `: ${result.error}` : ""}`);
    return cells;
  });

  // Every column but the last is padded to its widest cell; the status column may be long.
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const pad = (cell: string, c: number, last: boolean): string => {
    if (last) return cell;
    if (c < axes.length + 1) return cell.padEnd(widths[c]);
    return cell.padStart(widths[c]);
  };
  const line = (cells: string[]) => cells.map((cell, c) => pad(cell, c, c === cells.length - 1)).join("  ");
  const lines = [line(header), ...rows.map(line)];
  lines.push("* best in its column among finished scenarios");
  return lines.join("\n");
}

/** Returns the JSON document of a sweep: the varied keys and one entry per scenario. */
export function comparisonJson(results: readonly ScenarioResult[], axes: readonly VaryAxis[]): unknown {
  const best = bestPerColumn(results);
  return {
    vary: axes.map((axis) => ({ key: axis.key, values: axis.values })),
    best: Object.fromEntries(Object.entries(best).map(([key, indexes]) => [key, indexes.map((i) => results[i].scenario.index)])),
    scenarios: results.map((result) => ({
      index: result.scenario.index,
      label: result.scenario.label,
      settings: Object.fromEntries(result.scenario.settings.map((s) => [s.key, s.value])),
      status: result.status,
      ...(result.seconds !== undefined ? { seconds: result.seconds } : {}),
      ...(result.error !== undefined ? { error: result.error } : {}),
      ...(result.run
        ? {
            summary: summarise(result.run.metrics),
            metrics: result.run.metrics,
            stopReason: result.run.stopReason,
            events: result.run.events,
            passes: result.run.passes,
          }
        : {}),
    })),
  };
}
