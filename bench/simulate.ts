/**
 * Trace replay: wall time and peak memory of full simulations through the core Scheduler.
 *
 * (a) Gavel's Philly-derived traces, seed 0 (15,264 jobs, 15 queues) on Philly's machine list
 *     (552 nodes, 2,490 GPUs);
 * (b) Alibaba's openb 2023 default pod list (8,152 pods) on its 1,523-node list (6,212 GPUs).
 *
 * Each replay runs in a fresh child process, so its peak resident set size
 * (`process.resourceUsage().maxRSS`) belongs to that replay alone. Wall time is split into
 * reading the inputs, simulating, and computing the metrics. Writes `bench/results/simulate.json`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import type { SchedulerFactory } from "../src/sim/types.js";

const HERE = fileURLToPath(import.meta.url);
const REPO = resolve(dirname(HERE), "..");
const TRACES = process.env.FAIRSCHED_TRACES ?? join(REPO, "../shared/traces");
const RESULTS = join(REPO, "bench/results");

interface ReplayCase {
  name: string;
  trace: string;
  cluster: string;
}

const CASES: ReplayCase[] = [
  {
    name: "gavel seed 0 on philly",
    trace: `gavel:${join(TRACES, "gavel/msr/seed=0")}`,
    cluster: `philly:${join(TRACES, "philly/cluster_machine_list.csv")}`,
  },
  {
    name: "alibaba 2023 on its nodes",
    trace: `alibaba2023:${join(TRACES, "alibaba-gpu-2023/openb_pod_list_default.csv")}`,
    cluster: `alibaba2023:${join(TRACES, "alibaba-gpu-2023/openb_node_list_all_node.csv")}`,
  },
];

interface ReplayMeasurement {
  name: string;
  jobs: number;
  finished: number;
  events: number;
  passes: number;
  /** Milliseconds. */
  loadMs: number;
  simulateMs: number;
  /** Part of `simulateMs` spent inside Scheduler calls (schedule, submit, finishTask, shares, ...). */
  schedulerMs: number;
  metricsMs: number;
  totalMs: number;
  /** Peak resident set size of the child process, MB (10^6 bytes). */
  peakRssMb: number;
}

/** Runs one replay in this process and prints its measurement as one JSON line. */
async function measureInChild(replayCase: ReplayCase): Promise<void> {
  const { loadCluster, loadTrace } = await import("../src/traces/index.js");
  const { simulate } = await import("../src/sim/simulator.js");
  const { computeMetrics } = await import("../src/sim/metrics.js");
  const { createCoreScheduler } = await import("../src/sim/core-scheduler.js");

  const start = performance.now();
  const trace = await loadTrace(replayCase.trace);
  const cluster = loadCluster(replayCase.cluster);
  const loaded = performance.now();
  let schedulerMs = 0;
  const timed: SchedulerFactory = (snapshot) => {
    const scheduler = createCoreScheduler(snapshot);
    const time = <T>(call: () => T): T => {
      const before = performance.now();
      const value = call();
      schedulerMs += performance.now() - before;
      return value;
    };
    return {
      setTime: (seconds) => time(() => scheduler.setTime(seconds)),
      submit: (job) => time(() => scheduler.submit(job)),
      finishTask: (task) => time(() => scheduler.finishTask(task)),
      preemptTask: (task) => time(() => scheduler.preemptTask(task)),
      schedule: () => time(() => scheduler.schedule()),
      shares: () => time(() => scheduler.shares()),
    };
  };
  const result = simulate({ trace, cluster }, timed);
  const simulated = performance.now();
  const metrics = computeMetrics(result);
  const done = performance.now();

  const measurement: ReplayMeasurement = {
    name: replayCase.name,
    jobs: metrics.jobs.total,
    finished: metrics.jobs.finished,
    events: result.events,
    passes: result.passes,
    loadMs: loaded - start,
    simulateMs: simulated - loaded,
    schedulerMs,
    metricsMs: done - simulated,
    totalMs: done - start,
    peakRssMb: (process.resourceUsage().maxRSS * 1024) / 1e6,
  };
  process.stdout.write(`${JSON.stringify(measurement)}\n`);
}

/** Measures every replay whose input files exist, prints a table and writes the JSON record. */
export async function run(): Promise<ReplayMeasurement[]> {
  const measurements: ReplayMeasurement[] = [];
  for (const [index, replayCase] of CASES.entries()) {
    const files = [replayCase.trace, replayCase.cluster].map((spec) => spec.slice(spec.indexOf(":") + 1));
    const missing = files.find((file) => !existsSync(file));
    if (missing) {
      process.stderr.write(`bench simulate: skipped ${replayCase.name}: ${missing} not found; set FAIRSCHED_TRACES\n`);
      continue;
    }
    const child = spawnSync(process.execPath, ["--import", "tsx", HERE, "--child", String(index)], {
      cwd: REPO,
      encoding: "utf8",
      maxBuffer: 1 << 24,
    });
    if (child.status !== 0) throw new Error(`bench simulate: ${replayCase.name} failed with status ${child.status}: ${child.stderr}`);
    measurements.push(JSON.parse(child.stdout.trim().split("\n").at(-1)!) as ReplayMeasurement);
  }

  const rows = measurements.map((m) =>
    [m.name, String(m.jobs), String(m.passes), seconds(m.loadMs), seconds(m.simulateMs), seconds(m.schedulerMs), seconds(m.metricsMs), seconds(m.totalMs), m.peakRssMb.toFixed(0)].join(" | "),
  );
  process.stdout.write(["replay | jobs | passes | read s | simulate s | in Scheduler s | metrics s | total s | peak RSS MB", ...rows].join("\n") + "\n");

  mkdirSync(RESULTS, { recursive: true });
  const record = { suite: "simulate", node: process.version, cpu: cpus()[0]?.model ?? "unknown", cores: cpus().length, measurements };
  writeFileSync(join(RESULTS, "simulate.json"), `${JSON.stringify(record, null, 2)}\n`);
  return measurements;
}

function seconds(ms: number): string {
  return (ms / 1000).toFixed(2);
}

const childIndex = process.argv.indexOf("--child");
if (childIndex >= 0) await measureInChild(CASES[Number(process.argv[childIndex + 1])]);
