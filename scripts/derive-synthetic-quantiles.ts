/**
 * Prints the numbers that `src/traces/synthetic.ts` embeds: the job-size mix and mean
 * inter-arrival time of the Gavel Philly-derived traces (seed 0), the run-time quantiles of
 * the Philly job log, and the median speed of each GPU type relative to the V100.
 *
 * Run once with `npx tsx scripts/derive-synthetic-quantiles.ts [TRACES_DIR]`; the generator
 * never reads these files at run time.
 */
import { fileURLToPath } from "node:url";
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";

const tracesDir = process.argv[2] ?? fileURLToPath(new URL("../../shared/traces", import.meta.url));

// Run-time quantile levels: dense in both tails, because the p99 of a heavy-tailed run-time
// distribution moves JCT more than the median does.
const LEVELS = [0, 0.01, 0.05, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999, 1];

/** Returns the quantile at `level` (0..1) of sorted `values`, by linear interpolation. */
function quantile(sorted: number[], level: number): number {
  const position = level * (sorted.length - 1);
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  return sorted[lower] + (sorted[upper] - sorted[lower]) * (position - lower);
}

// 1. Run times of Philly jobs, in seconds. Zero run times are jobs that never ran, so they
//    are left out of the distribution and counted.
const runtimeText = gunzipSync(readFileSync(join(tracesDir, "philly/philly_runtime.csv.gz"))).toString("utf8");
const runtimes: number[] = [];
let zeroRuntimes = 0;
for (const line of runtimeText.split("\n").slice(1)) {
  if (line.trim() === "") continue;
  const seconds = Number(line);
  if (seconds > 0) runtimes.push(seconds);
  else zeroRuntimes += 1;
}
runtimes.sort((a, b) => a - b);
console.log(`philly run times: ${runtimes.length} positive, ${zeroRuntimes} zero or negative (left out)`);
console.log("RUNTIME_QUANTILES (level, seconds):");
for (const level of LEVELS) console.log(`  [${level}, ${quantile(runtimes, level).toFixed(0)}],`);

// 2. Job sizes and arrivals of the Gavel per-VC traces, seed 0. Odd sizes (7, 12, 20, 24) are
//    folded into the next power of two, so the mix has only power-of-two sizes.
const seedDir = join(tracesDir, "gavel/msr/seed=0");
const sizeCounts = new Map<number, number>();
let jobCount = 0;
let interarrivalSum = 0;
let interarrivalCount = 0;
let firstArrival = Infinity;
let lastArrival = -Infinity;
for (const file of readdirSync(seedDir).filter((name) => name.endsWith(".trace")).sort()) {
  const arrivals: number[] = [];
  for (const line of readFileSync(join(seedDir, file), "utf8").split("\n")) {
    if (line.trim() === "") continue;
    const fields = line.split("\t");
    const gpus = Number(fields[6]);
    const bucket = 2 ** Math.ceil(Math.log2(gpus));
    sizeCounts.set(bucket, (sizeCounts.get(bucket) ?? 0) + 1);
    arrivals.push(Number(fields[5]));
    jobCount += 1;
  }
  arrivals.sort((a, b) => a - b);
  firstArrival = Math.min(firstArrival, arrivals[0]);
  lastArrival = Math.max(lastArrival, arrivals[arrivals.length - 1]);
  for (let i = 1; i < arrivals.length; i++) {
    interarrivalSum += arrivals[i] - arrivals[i - 1];
    interarrivalCount += 1;
  }
}
console.log(`gavel seed=0: ${jobCount} jobs`);
console.log("SIZE_MIX (GPUs, fraction of jobs):");
for (const [gpus, count] of [...sizeCounts].sort((a, b) => a[0] - b[0])) {
  console.log(`  [${gpus}, ${(count / jobCount).toFixed(5)}],`);
}
console.log(`mean inter-arrival within a VC: ${(interarrivalSum / interarrivalCount).toFixed(1)} s`);
const clusterInterarrival = (lastArrival - firstArrival) / (jobCount - 1);
console.log(`mean inter-arrival over all VCs: ${clusterInterarrival.toFixed(1)} s`);

// 3. Speed of each GPU type relative to the V100: the median over 1-GPU job types of
//    throughput(type) / throughput(v100).
type Throughputs = Record<string, Record<string, { null: number }>>;
const throughputs = JSON.parse(
  gunzipSync(readFileSync(join(tracesDir, "gavel/simulation_throughputs.json.gz"))).toString("utf8"),
) as Throughputs;
console.log("RELATIVE_SPEED (type, median throughput / V100 throughput over 1-GPU job types):");
for (const type of ["k80", "p100", "v100"]) {
  const ratios: number[] = [];
  for (const [key, entry] of Object.entries(throughputs[type])) {
    if (!key.endsWith(", 1)")) continue;
    const reference = throughputs.v100[key]?.null;
    if (reference > 0 && entry.null > 0) ratios.push(entry.null / reference);
  }
  ratios.sort((a, b) => a - b);
  console.log(`  ${type}: ${quantile(ratios, 0.5).toFixed(4)} (${ratios.length} job types)`);
}
