/**
 * Runs WebAssembly-vs-TypeScript comparisons with `benchmark` (Benchmark.js 2.1) and reports
 * them: ops/s, relative margin of error (± %, 95% confidence, as Benchmark.js computes it),
 * median time per operation and the WASM/TS ratio of ops/s. Prints a table and writes
 * `bench/results/<suite>.json`.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fileURLToPath } from "node:url";

import Benchmark from "benchmark";

/** One workload measured in both languages. */
export interface Comparison {
  /** Short label of the workload, for example `10,000 leaves`. */
  name: string;
  /** Facts about the workload recorded with the result (sizes, counts). */
  params?: Record<string, number | string>;
  wasm: () => void;
  ts: () => void;
}

/** Statistics of one measured function. */
export interface Measurement {
  /** Operations per second (mean). */
  hz: number;
  /** Relative margin of error of the mean, percent. */
  rme: number;
  /** Median time per operation, milliseconds. */
  medianMs: number;
  /** Samples Benchmark.js took. */
  samples: number;
}

export interface ComparisonResult {
  name: string;
  params: Record<string, number | string>;
  wasm: Measurement;
  ts: Measurement;
  /** WASM ops/s divided by TS ops/s; above 1 means WASM is faster. */
  ratio: number;
}

export interface SuiteOptions {
  /** Seconds Benchmark.js may spend sampling each function (its `maxTime`); default 2. */
  maxTime?: number;
  /** Minimum samples per function; default 20. */
  minSamples?: number;
}

const RESULTS_DIR = fileURLToPath(new URL("./results/", import.meta.url));

/** Returns the Node.js version, the first CPU's model and the CPU count, recorded with every result. */
export function machineInfo(): { node: string; cpu: string; cpus: number } {
  return { node: process.version, cpu: cpus()[0]?.model ?? "unknown", cpus: cpus().length };
}

/** Returns the median of `values` (the mean of the middle two for an even count). */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Measures every comparison, prints a table and writes the JSON record; returns the results. */
export function runComparisons(suite: string, comparisons: Comparison[], options: SuiteOptions = {}): ComparisonResult[] {
  const results: ComparisonResult[] = [];
  for (const comparison of comparisons) {
    const wasm = measure(`${comparison.name} wasm`, comparison.wasm, options);
    const ts = measure(`${comparison.name} ts`, comparison.ts, options);
    const result = { name: comparison.name, params: comparison.params ?? {}, wasm, ts, ratio: wasm.hz / ts.hz };
    results.push(result);
    process.stderr.write(`  ${suite}: ${comparison.name} done\n`);
  }

  process.stdout.write(`\n${suite}\n${formatTable(results)}\n`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  const record = {
    suite,
    date: new Date().toISOString(),
    ...machineInfo(),
    results,
  };
  writeFileSync(`${RESULTS_DIR}${suite}.json`, `${JSON.stringify(record, null, 2)}\n`);
  return results;
}

function measure(name: string, fn: () => void, options: SuiteOptions): Measurement {
  const bench = new Benchmark(name, fn, {
    maxTime: options.maxTime ?? 2,
    minSamples: options.minSamples ?? 20,
  });
  bench.run({ async: false });
  if (bench.error) throw bench.error;

  const sample = bench.stats.sample;
  return { hz: bench.hz, rme: bench.stats.rme, medianMs: median(sample) * 1000, samples: sample.length };
}

function formatMs(ms: number): string {
  if (ms >= 100) return ms.toFixed(0);
  if (ms >= 1) return ms.toFixed(2);
  return ms.toFixed(3);
}

function formatHz(hz: number): string {
  return Math.round(hz).toLocaleString("en-US");
}

/** Formats the results as a Markdown table, so it can go straight into BENCHMARKS.md. */
export function formatTable(results: ComparisonResult[]): string {
  const header = ["workload", "WASM ops/s", "±%", "WASM median ms", "TS ops/s", "±%", "TS median ms", "WASM/TS"];
  const rows = results.map((r) => [
    r.name,
    formatHz(r.wasm.hz),
    r.wasm.rme.toFixed(1),
    formatMs(r.wasm.medianMs),
    formatHz(r.ts.hz),
    r.ts.rme.toFixed(1),
    formatMs(r.ts.medianMs),
    `${r.ratio.toFixed(2)}x`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join(" | ")} |`;
  const rule = `|${widths.map((w, i) => (i === 0 ? "-".repeat(w + 2) : `${"-".repeat(w + 1)}:`)).join("|")}|`;
  return [line(header), rule, ...rows.map(line)].join("\n");
}
