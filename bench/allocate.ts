/**
 * Allocation pass: WebAssembly core vs the TypeScript reference over the same state, on a GPU
 * cluster of 1,000 / 10,000 / 100,000 nodes (8 GPUs each, 32 nodes per rack, 4 per NVLink
 * domain, 3 GPU types by rack), 1,000 leaf queues in a 10 x 10 x 10 tree and 100,000 pending
 * tasks: 1/2/4/8-GPU jobs and 16-256-GPU gangs, 30% of groups pinned to GPU types, 10% of jobs
 * with rack or domain locality (threshold 0.01), 2% of jobs with an AM task.
 *
 * Each pass mutates the state, so Benchmark.js's repeated calls do not fit: every measurement
 * restores the state's bytes (untimed) and times one call, and the table reports the median of
 * the runs.
 *
 * (a) full: one pass from an empty cluster, all 100,000 tasks pending;
 * (b) incremental: after (a), 1% of running tasks finish (refreshState untimed), one pass;
 * (c) unchanged: after (a), one pass with nothing new to place; also `Scheduler.schedule()`
 *     with no event since the last pass (its dirty flag);
 * (d) explainPending after (b): the reasons of jobs whose leaf left the pass, which the host
 *     computes after every pass.
 *
 * Rows report the median wall time and the median CPU time of the process. On a busy machine
 * the wall time of a long pass includes time the process waited for a core.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { ALLOC_LIVE } from "../src/core/layout.js";
import type { CoreState } from "../src/core/state.js";
import type { JobSpec, NodeSpec, QueueSpec, Snapshot } from "../src/model/types.js";
import { explainPendingReference, schedulePassReference } from "../src/reference/allocate.js";
import { loadForScheduling, preparePass, Scheduler } from "../src/scheduler.js";
import { mulberry32 } from "../src/traces/synthetic.js";
import { machineInfo, median } from "./reporter.js";

/** Cluster sizes to measure; `ALLOCATE_NODES=10000` (comma-separated) picks some. */
const NODE_COUNTS = process.env.ALLOCATE_NODES ? process.env.ALLOCATE_NODES.split(",").map(Number) : [1_000, 10_000, 100_000];
const PENDING_TASKS = 100_000;
const RUNS = Number(process.env.ALLOCATE_RUNS ?? 11);
const TYPES = ["A100", "H100", "V100"];
const RESULTS = fileURLToPath(new URL("./results/", import.meta.url));

/** Builds the benchmark snapshot for `nodeCount` nodes; the same seed gives the same jobs. */
export function buildAllocateSnapshot(nodeCount: number, seed = 7): Snapshot {
  const random = mulberry32(seed);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];

  const nodes: NodeSpec[] = [];
  for (let n = 0; n < nodeCount; n++) {
    const rack = Math.floor(n / 32);
    nodes.push({
      name: `n${n}`,
      capacity: { gpu: 8, cpu: 96, memory: 1_048_576 },
      gpuType: TYPES[rack % TYPES.length],
      topology: `z/rack-${rack}/nvl-${Math.floor(n / 4)}`,
    });
  }

  const queues: QueueSpec[] = [];
  const leaves: string[] = [];
  for (let a = 0; a < 10; a++) {
    queues.push({ name: `root.q${a}`, weight: 1 + (a % 3) });
    for (let b = 0; b < 10; b++) {
      queues.push({ name: `root.q${a}.q${b}`, ...(b % 4 === 0 ? { schedulingPolicy: "drf" as const } : {}) });
      for (let c = 0; c < 10; c++) {
        const name = `root.q${a}.q${b}.q${c}`;
        queues.push({ name, ...(c % 5 === 0 ? { schedulingPolicy: "fifo" as const } : {}), ...(c === 9 ? { maxResources: { gpu: 64 } } : {}) });
        leaves.push(name);
      }
    }
  }

  const jobs: JobSpec[] = [];
  const racks = Math.ceil(nodeCount / 32);
  let tasks = 0;
  while (tasks < PENDING_TASKS) {
    const gang = random() < 0.1;
    const gpu = gang ? 8 : pick([1, 2, 4, 8]);
    const count = Math.min(PENDING_TASKS - tasks, gang ? pick([2, 4, 8, 16, 32]) : 1 + Math.floor(random() * 8));
    const r = random();
    const locality =
      r < 0.05 ? `z/rack-${Math.floor(random() * racks)}` : r < 0.1 ? `z/rack-0/nvl-${Math.floor(random() * 8)}` : undefined;
    const job: JobSpec = {
      name: `j${jobs.length}`,
      queue: pick(leaves),
      user: `u${jobs.length % 97}`,
      submitTime: Math.floor(random() * 1000),
      priority: Math.floor(random() * 3),
      gang,
      ...(locality ? { locality } : {}),
      tasks: [
        {
          request: { gpu, cpu: gpu * 8, memory: gpu * 65_536 },
          count,
          ...(random() < 0.3 ? { gpuTypes: [pick(TYPES)] } : {}),
        },
      ],
    };
    if (!gang && random() < 0.02) job.tasks.unshift({ request: { gpu: 0, cpu: 1, memory: 2048 }, count: 1, am: true });
    tasks += job.tasks.reduce((sum, t) => sum + t.count, 0);
    jobs.push(job);
  }
  return { version: 1, time: 1000, resources: ["gpu", "cpu", "memory"], nodes, queues, jobs };
}

type Engine = "wasm" | "ts";

function pass(state: CoreState, engine: Engine): number {
  return engine === "wasm" ? state.call("schedulePass") : schedulePassReference(state);
}

/** Gives the jobs the last pass left without a reason their reason (the host does this after every pass). */
function explain(state: CoreState, engine: Engine): number {
  if (engine === "wasm") state.call("explainPending");
  else explainPendingReference(state);
  return 0;
}

/** Copies the state region's bytes, so a run can start again from them. */
function saveState(state: CoreState): Uint8Array {
  return new Uint8Array(state.memory.buffer, state.plan.base, state.plan.end - state.plan.base).slice();
}

function restoreState(state: CoreState, saved: Uint8Array): void {
  new Uint8Array(state.memory.buffer, state.plan.base, saved.length).set(saved);
}

/** Marks every hundredth live alloc row finished; refreshState then rederives the state. */
function finishOnePercent(state: CoreState): number {
  const flags = state.u8("alloc.flags");
  const count = state.i32("header.allocCount")[0];
  let finished = 0;
  for (let a = 0; a < count; a += 100) {
    if ((flags[a] & ALLOC_LIVE) === 0) continue;
    flags[a] &= ~ALLOC_LIVE;
    finished++;
  }
  state.call("refreshState");
  return finished;
}

interface Row {
  nodes: number;
  scenario: string;
  engine: Engine | "Scheduler";
  medianMs: number;
  /** Median CPU time of the process (user + system) per run, less sensitive to other work on the machine. */
  medianCpuMs: number;
  placements: number;
  placementsPerSecond: number;
}

/** Times `body` after `setup` for RUNS runs and returns the median wall and CPU ms and the last result. */
function timeRuns(setup: () => void, body: () => number): { ms: number; cpuMs: number; placed: number } {
  const times: number[] = [];
  const cpuTimes: number[] = [];
  let placed = 0;
  for (let run = 0; run < RUNS; run++) {
    setup();
    const cpu = process.cpuUsage();
    const start = process.hrtime.bigint();
    placed = body();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    const used = process.cpuUsage(cpu);
    cpuTimes.push((used.user + used.system) / 1000);
  }
  return { ms: median(times), cpuMs: median(cpuTimes), placed };
}

function measureSize(nodeCount: number): Row[] {
  const snapshot = buildAllocateSnapshot(nodeCount);
  const { state } = loadForScheduling(snapshot, { localityThreshold: 0.01 });
  preparePass(state, true);
  const empty = saveState(state);
  const rows: Row[] = [];
  const row = (scenario: string, engine: Row["engine"], ms: number, placed: number, cpuMs = NaN) =>
    rows.push({ nodes: nodeCount, scenario, engine, medianMs: ms, medianCpuMs: cpuMs, placements: placed, placementsPerSecond: placed / (ms / 1000) });

  for (const engine of ["wasm", "ts"] as const) {
    // (a) Full pass from empty.
    const full = timeRuns(() => restoreState(state, empty), () => pass(state, engine));
    row("full", engine, full.ms, full.placed, full.cpuMs);

    // (b) Incremental pass after 1% of running tasks finish.
    restoreState(state, empty);
    pass(state, engine);
    const afterFull = saveState(state);
    const incremental = timeRuns(
      () => {
        restoreState(state, afterFull);
        finishOnePercent(state);
      },
      () => pass(state, engine),
    );
    row("incremental (1% finished)", engine, incremental.ms, incremental.placed, incremental.cpuMs);

    // (c) Pass with nothing new to place.
    const unchanged = timeRuns(
      () => {
        restoreState(state, afterFull);
        pass(state, engine);
      },
      () => pass(state, engine),
    );
    row("unchanged", engine, unchanged.ms, unchanged.placed, unchanged.cpuMs);

    // (d) Reasons for the jobs the incremental pass left without one (leaves that fit nowhere).
    const reasons = timeRuns(
      () => {
        restoreState(state, afterFull);
        finishOnePercent(state);
        pass(state, engine);
      },
      () => explain(state, engine),
    );
    row("explainPending after incremental", engine, reasons.ms, 0, reasons.cpuMs);
  }

  // (c') Scheduler.schedule() with no event since the last pass.
  const scheduler = Scheduler.fromSnapshot(snapshot, { localityThreshold: 0 });
  scheduler.schedule();
  const times: number[] = [];
  for (let run = 0; run < 1001; run++) {
    const start = process.hrtime.bigint();
    scheduler.schedule();
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  row("Scheduler.schedule() unchanged", "Scheduler", median(times), 0);
  return rows;
}

function formatTable(rows: Row[]): string {
  const lines = [
    "| nodes | scenario | engine | median ms | median CPU ms | placements | placements/s |",
    "|------:|----------|--------|----------:|--------------:|-----------:|-------------:|",
  ];
  for (const r of rows) {
    const ms = r.medianMs >= 1 ? r.medianMs.toFixed(2) : r.medianMs.toFixed(4);
    const cpuMs = Number.isNaN(r.medianCpuMs) ? "-" : r.medianCpuMs.toFixed(2);
    const rate = r.placements > 0 ? Math.round(r.placementsPerSecond).toLocaleString("en-US") : "-";
    lines.push(`| ${r.nodes.toLocaleString("en-US")} | ${r.scenario} | ${r.engine} | ${ms} | ${cpuMs} | ${r.placements.toLocaleString("en-US")} | ${rate} |`);
  }
  return lines.join("\n");
}

/** Runs the allocation benchmark, prints a Markdown table and writes bench/results/allocate.json. */
export function run(): Row[] {
  const rows: Row[] = [];
  for (const nodes of NODE_COUNTS) {
    process.stderr.write(`  allocate: ${nodes} nodes\n`);
    rows.push(...measureSize(nodes));
  }
  process.stdout.write(`\nallocate\n${formatTable(rows)}\n`);
  mkdirSync(RESULTS, { recursive: true });
  const record = { suite: "allocate", date: new Date().toISOString(), ...machineInfo(), rows };
  writeFileSync(`${RESULTS}allocate.json`, `${JSON.stringify(record, null, 2)}\n`);
  return rows;
}
