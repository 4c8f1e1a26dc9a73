/**
 * What-if sweeps in worker threads.
 *
 * (a) Throughput: one sweep of 8 scenarios (2 queue weights x fair/drf x preemption on/off) of
 *     the first JOB_LIMIT jobs of Gavel's Philly-derived trace (seed 0). The cluster is Philly's
 *     machine list scaled to a tenth of its nodes. The sweep runs with 1 and with 2 workers,
 *     ROUNDS times each, alternating, and its wall time includes starting the pool. Target:
 *     2 workers at least 1.8x the throughput of 1.
 *
 * (b) Memory per added worker: in a fresh child process per row, the whole trace (15,264 jobs)
 *     and the cluster are laid out in shared buffers, then N workers each run one task:
 *       idle  no shared inputs, returns at once (a worker's fixed overhead)
 *       scan  reads every job of the shared trace in place, keeping none
 *       copy  materialises the whole trace as objects and keeps it (what sharing avoids)
 *       sim   simulates the whole trace on the cluster, as a sweep's scenario does
 *     The child reports its resident set size after garbage collection, before and after the
 *     pool, and its peak resident set size. It also reports each worker's V8 heap in use and,
 *     for sim, the most live heap a worker held during its simulation. Each row runs in its own
 *     process so rows do not share allocator state.
 *
 * FAIRSCHED_BENCH_PART=throughput or =memory runs only that part, and FAIRSCHED_MEMORY_MODES
 * (comma-separated, e.g. `sim`) only those memory modes. Writes
 * `bench/results/whatif-throughput.json` and `bench/results/whatif-memory.json`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg, totalmem } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

import { loadCluster, loadTrace } from "../src/traces/index.js";
import { WhatIfPool } from "../src/whatif/pool.js";
import { expandScenarios, parseVaryOptions } from "../src/whatif/scenarios.js";
import { shareCluster, shareTrace } from "../src/whatif/shared-trace.js";
import { defaultSchedulerModule, runSweep } from "../src/whatif/sweep.js";
import type { MemoryReport, MemoryTask } from "./whatif-worker.js";

const HERE = fileURLToPath(import.meta.url);
const REPO = resolve(dirname(HERE), "..");
const TRACES = process.env.FAIRSCHED_TRACES ?? join(REPO, "../shared/traces");
const RESULTS = join(REPO, "bench/results");
const TRACE = `gavel:${join(TRACES, "gavel/msr/seed=0")}`;
const CLUSTER = `philly:${join(TRACES, "philly/cluster_machine_list.csv")}`;
const JOB_LIMIT = 2000;
const ROUNDS = 3;
const MIB = 1024 * 1024;

interface SweepTiming {
  workers: number;
  seconds: number;
  scenariosPerSecond: number;
  /** CPU seconds the workers spent on scenarios, summed (Linux); the sweep's wall time cannot drop below this over the cores it got. */
  cpuSeconds: number;
  /** Wall seconds from each scenario's start in its worker to its result, summed. */
  scenarioSeconds: number;
  /** `spinSpeedup()` measured just before the sweep: the best speedup two threads could get then. */
  spinSpeedup: number;
  /** One-minute load average of the machine right after the sweep: above the core count, other processes competed for the CPU. */
  loadAverage: number;
}

interface MemoryRow {
  mode: MemoryTask["mode"];
  workers: number;
  /** Resident set size in bytes after GC with the inputs shared and no pool. */
  rssBefore: number;
  /** Resident set size in bytes after GC with N workers that each ran one task. */
  rssAfter: number;
  /** Largest resident set size of the child process at any time, bytes (loading the trace included). */
  rssPeak: number;
  /** V8 heap in use per worker after its task and a GC, bytes. */
  workerHeaps: number[];
  /** Most live heap per worker during its task, bytes (sampled after a GC; for sim, during the run). */
  workerPeakHeaps: number[];
  sharedTraceBytes: number;
  sharedClusterBytes: number;
}

/** Thread body for `spinSpeedup`: spins until the thread has used `workerData` CPU seconds. */
const SPIN_SOURCE = `
const { readFileSync } = require("node:fs");
const { parentPort, workerData } = require("node:worker_threads");
const cpu = () => {
  const stat = readFileSync("/proc/thread-self/stat", "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100;
};
let x = 0;
while (cpu() < workerData) for (let i = 0; i < 1e6; i++) x += i;
parentPort.postMessage(x > 0);
`;

/**
 * Measures what a second thread can gain on this machine right now: the wall time of one thread
 * spinning for `seconds` of CPU, over that of two threads doing so at once (Linux only). On an
 * idle 2-core machine this is about 2; other processes competing for the cores lower it, and
 * no sweep can scale better than it.
 */
async function spinSpeedup(seconds = 2): Promise<number> {
  const wall = async (threads: number) => {
    const start = performance.now();
    await Promise.all(
      Array.from({ length: threads }, () => new Promise((done) => new Worker(SPIN_SOURCE, { eval: true, workerData: seconds }).once("message", done))),
    );
    return performance.now() - start;
  };
  const one = await wall(1);
  const two = await wall(2);
  return (2 * one) / two;
}

async function throughput(): Promise<SweepTiming[]> {
  const trace = shareTrace(await loadTrace(TRACE));
  const cluster = shareCluster(loadCluster(CLUSTER));
  const queue = trace.header.queueNames[0];
  const scenarios = expandScenarios(parseVaryOptions(["cluster=0.1", `weight:${queue}=1,4`, "policy=fair,drf", "preemption=on,off"]));
  // Workers run the compiled JavaScript when it is built, as the installed CLI does. Under tsx
  // every worker would first transpile the sources, which adds start-up work per worker.
  const dist = join(REPO, "dist");
  const compiled = existsSync(join(dist, "whatif/worker.js")) && existsSync(join(dist, "sim/core-scheduler.js"));
  const workerFilename = compiled ? pathToFileURL(join(dist, "whatif/worker.js")) : undefined;
  const schedulerModule = compiled ? pathToFileURL(join(dist, "sim/core-scheduler.js")).href : defaultSchedulerModule();
  if (!compiled) process.stderr.write("  dist/ not built: workers run the TypeScript sources through tsx\n");
  const base = { queues: trace.header.queues, options: {}, jobLimit: JOB_LIMIT, schedulerModule };

  const timings: SweepTiming[] = [];
  for (let round = 0; round < ROUNDS; round++) {
    for (const workers of [1, 2]) {
      const ceiling = await spinSpeedup();
      const start = performance.now();
      const results = await runSweep({ trace, cluster, base, scenarios, workers, workerFilename });
      const seconds = (performance.now() - start) / 1000;
      const failed = results.filter((r) => r.status !== "ok");
      if (failed.length > 0) throw new Error(`sweep scenario failed: ${failed[0].scenario.label}: ${failed[0].error}`);
      const cpuSeconds = results.reduce((sum, r) => sum + (r.run?.cpuSeconds ?? Number.NaN), 0);
      const scenarioSeconds = results.reduce((sum, r) => sum + (r.seconds ?? 0), 0);
      timings.push({ workers, seconds, scenariosPerSecond: scenarios.length / seconds, cpuSeconds, scenarioSeconds, spinSpeedup: ceiling, loadAverage: loadavg()[0] });
      process.stderr.write(
        `  sweep of ${scenarios.length} with ${workers} worker(s): ${seconds.toFixed(2)} s wall, ${scenarioSeconds.toFixed(2)} s in scenarios (${cpuSeconds.toFixed(2)} s CPU), 2-thread spin speedup ${ceiling.toFixed(2)}x, load average ${loadavg()[0].toFixed(1)}\n`,
      );
    }
  }
  return timings;
}

/** Measures one row of (b) in this child process and prints it as JSON. */
async function memoryChild(mode: MemoryRow["mode"], workers: number): Promise<void> {
  setFlagsFromString("--expose-gc");
  const gc = runInNewContext("gc") as () => void;
  const trace = shareTrace(await loadTrace(TRACE));
  const cluster = shareCluster(loadCluster(CLUSTER));
  gc();
  const rssBefore = process.memoryUsage().rss;

  let workerHeaps: number[] = [];
  let workerPeakHeaps: number[] = [];
  let rssAfter = rssBefore;
  if (workers > 0) {
    const pool = new WhatIfPool({
      filename: new URL("./whatif-worker.ts", import.meta.url),
      workers,
      workerData: mode === "idle" ? undefined : { trace: trace.handle, cluster: cluster.handle },
    });
    const barrier = new Int32Array(new SharedArrayBuffer(4));
    const tasks = Array.from({ length: workers }, () => pool.run<MemoryTask, MemoryReport>({ mode, barrier, parties: workers }));
    const reports = await Promise.all(tasks);
    workerHeaps = reports.map((report) => report.heap);
    workerPeakHeaps = reports.map((report) => report.peakHeap);
    gc();
    rssAfter = process.memoryUsage().rss;
    await pool.destroy();
  }
  const row: MemoryRow = {
    mode,
    workers,
    rssBefore,
    rssAfter,
    rssPeak: process.resourceUsage().maxRSS * 1024,
    workerHeaps,
    workerPeakHeaps,
    sharedTraceBytes: trace.byteLength,
    sharedClusterBytes: cluster.byteLength,
  };
  process.stdout.write(JSON.stringify(row));
}

function memory(): MemoryRow[] {
  const rows: MemoryRow[] = [];
  const modes = (process.env.FAIRSCHED_MEMORY_MODES?.split(",") ?? ["idle", "scan", "copy", "sim"]) as MemoryRow["mode"][];
  for (const mode of modes) {
    for (const workers of [1, 2, 4]) {
      const child = spawnSync(process.execPath, ["--import", "tsx", HERE, "--memory-child", mode, String(workers)], {
        cwd: REPO,
        encoding: "utf8",
      });
      if (child.status !== 0) throw new Error(`memory child (${mode}, ${workers}) failed: ${child.stderr}`);
      rows.push(JSON.parse(child.stdout) as MemoryRow);
    }
  }
  return rows;
}

/** Returns the median (the mean of the middle two for an even count); NaN when empty. */
function median(values: number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export async function run(): Promise<void> {
  if (!existsSync(TRACE.slice("gavel:".length))) throw new Error(`trace not found: ${TRACE}; set FAIRSCHED_TRACES`);
  mkdirSync(RESULTS, { recursive: true });

  const part = process.env.FAIRSCHED_BENCH_PART;
  const timings = part === "memory" ? [] : await throughput();
  const one = median(timings.filter((t) => t.workers === 1).map((t) => t.seconds));
  const two = median(timings.filter((t) => t.workers === 2).map((t) => t.seconds));
  if (timings.length > 0) {
    process.stdout.write(
      `what-if sweep, 8 scenarios x ${JOB_LIMIT} jobs: 1 worker ${one.toFixed(2)} s, 2 workers ${two.toFixed(2)} s, speedup ${(one / two).toFixed(2)}x (target >= 1.8); 2-thread spin speedup on this machine meanwhile ${median(timings.map((t) => t.spinSpeedup)).toFixed(2)}x\n`,
    );
  }

  const rows = part === "throughput" ? [] : memory();
  process.stdout.write("mode  workers  RSS before MiB  RSS after MiB  added per worker MiB  peak RSS MiB  worker heap MiB (median)  peak heap MiB (median)\n");
  for (const row of rows) {
    const perWorker = (row.rssAfter - row.rssBefore) / row.workers / MIB;
    process.stdout.write(
      `${row.mode.padEnd(5)} ${String(row.workers).padStart(7)}  ${(row.rssBefore / MIB).toFixed(1).padStart(14)}  ${(row.rssAfter / MIB).toFixed(1).padStart(13)}  ${perWorker.toFixed(1).padStart(20)}  ${(row.rssPeak / MIB).toFixed(1).padStart(12)}  ${(median(row.workerHeaps) / MIB).toFixed(1).padStart(24)}  ${(median(row.workerPeakHeaps) / MIB).toFixed(1).padStart(22)}\n`,
    );
  }
  if (rows.length > 0) {
    process.stdout.write(`shared trace ${(rows[0].sharedTraceBytes / MIB).toFixed(2)} MiB, shared cluster ${(rows[0].sharedClusterBytes / 1024).toFixed(1)} KiB\n`);
  }

  const machine = { cpu: cpus()[0]?.model, cores: cpus().length, memoryBytes: totalmem(), node: process.version };
  if (timings.length > 0) {
    const throughputRecord = { machine, scenarios: 8, jobLimit: JOB_LIMIT, timings, medianSeconds: { 1: one, 2: two }, speedup: one / two };
    writeFileSync(join(RESULTS, "whatif-throughput.json"), `${JSON.stringify(throughputRecord, null, 2)}\n`);
  }
  if (rows.length > 0) writeFileSync(join(RESULTS, "whatif-memory.json"), `${JSON.stringify({ machine, rows }, null, 2)}\n`);
}

if (process.argv[2] === "--memory-child") await memoryChild(process.argv[3] as MemoryRow["mode"], Number(process.argv[4]));
