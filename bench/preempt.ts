/**
 * Preemption planning: `planPreemption` alone (starvation clocks, the per-node alloc lists, and
 * victim selection for every starved job), WebAssembly core vs the TypeScript reference over the
 * same columns, on a full cluster of 8-GPU nodes with 20 starved queues.
 *
 * Workload (seeded): 20 busy queues fill every node with tasks of 1, 2 or 4 GPUs. A tenth of
 * the jobs are gangs of 4 tasks and a tenth carry checkpoints. 20 starved queues
 * (fairSharePreemptionTimeout 0, threshold 0.5) each wait on one job of 2 x 4-GPU tasks and one
 * gang of 2 x 8-GPU tasks. The
 * allocation pass runs once before timing and places nothing, since no node has room. Each timed
 * run first drops the reservations the previous run left, so every run plans from the same state.
 */
import type { CoreState } from "../src/core/state.js";
import type { JobSpec, QueueSpec, Snapshot } from "../src/model/types.js";
import { preparePreemption } from "../src/preemption.js";
import { planPreemptionTs } from "../src/reference/preempt.js";
import { loadForScheduling } from "../src/scheduler.js";
import { mulberry32 } from "../src/traces/synthetic.js";
import { runComparisons, type Comparison } from "./reporter.js";

const NODE_COUNTS = [1_000, 10_000];
const STARVED_QUEUES = 20;
const BUSY_QUEUES = 20;

/** Builds the workload described in the module comment on `nodeCount` nodes. */
export function buildPreemptionSnapshot(nodeCount: number, seed = 1): Snapshot {
  const random = mulberry32(seed);
  const queues: QueueSpec[] = [{ name: "root" }];
  for (let q = 0; q < BUSY_QUEUES; q++) queues.push({ name: `root.busy.q${q}` });
  for (let q = 0; q < STARVED_QUEUES; q++) {
    queues.push({ name: `root.wait.q${q}`, fairSharePreemptionTimeout: 0, fairSharePreemptionThreshold: 0.5 });
  }
  queues.splice(1, 0, { name: "root.busy" }, { name: "root.wait" });

  // Fill node by node: each job takes a few tasks of one size, in one busy queue.
  const jobs: JobSpec[] = [];
  let node = 0;
  let freeGpus = 8;
  while (node < nodeCount) {
    const gpu = [1, 2, 4][Math.floor(random() * 3)];
    const gang = random() < 0.1;
    const tasks = gang ? 4 : 1 + Math.floor(random() * 8);
    const start = Math.floor(random() * 3600);
    const checkpointed = random() < 0.1;
    const allocations: NonNullable<JobSpec["allocations"]> = [];
    for (let t = 0; t < tasks && node < nodeCount; t++) {
      if (freeGpus < gpu) {
        node++;
        freeGpus = 8;
        if (node >= nodeCount) break;
      }
      freeGpus -= gpu;
      allocations.push({
        node: `n-${node}`,
        request: { gpu, cpu: 8 * gpu, memory: 65536 * gpu },
        startTime: start,
        lastCheckpoint: checkpointed ? start + Math.floor(random() * (3600 - start)) : undefined,
      });
    }
    if (allocations.length === 0) break;
    jobs.push({
      name: `run-${jobs.length}`,
      queue: `root.busy.q${jobs.length % BUSY_QUEUES}`,
      user: "u",
      submitTime: start,
      priority: Math.floor(random() * 3),
      gang,
      tasks: [],
      allocations,
    });
  }
  for (let q = 0; q < STARVED_QUEUES; q++) {
    const queue = `root.wait.q${q}`;
    jobs.push({ name: `wait-${q}`, queue, user: "u", submitTime: 3000, tasks: [{ request: { gpu: 4, cpu: 32, memory: 262144 }, count: 2 }] });
    jobs.push({ name: `gang-${q}`, queue, user: "u", submitTime: 3000, gang: true, tasks: [{ request: { gpu: 8, cpu: 64, memory: 524288 }, count: 2 }] });
  }
  return {
    version: 1,
    time: 3600,
    resources: ["gpu", "cpu", "memory"],
    nodes: Array.from({ length: nodeCount }, (_, n) => ({ name: `n-${n}`, capacity: { gpu: 8, cpu: 64, memory: 524288 } })),
    queues,
    jobs,
  };
}

/** Loads the workload and runs everything before planning once: refresh, shares, the pass. */
function stateFor(nodeCount: number): { state: CoreState; allocs: number } {
  const { state } = loadForScheduling(buildPreemptionSnapshot(nodeCount));
  preparePreemption(state);
  state.call("refreshState");
  state.call("computeFairShares");
  state.call("schedulePass");
  return { state, allocs: state.i32("header.allocCount")[0] };
}

/** Drops the reservations a previous plan left, so the next plan starts from the same state. */
function resetReservations(state: CoreState): void {
  state.f64("node.reservedUntil").fill(0);
}

/** Returns the victim rows as one string, for comparing the two engines. */
function victimsOf(state: CoreState): string {
  const count = state.i32("header.victimCount")[0];
  return Array.from(state.i32("victim.alloc").subarray(0, count)).join(",");
}

/** Throws when the engines disagree or plan nothing, so a broken build is not timed. */
function checkAgreement(state: CoreState, name: string): number {
  resetReservations(state);
  state.call("planPreemption");
  const wasm = victimsOf(state);
  resetReservations(state);
  planPreemptionTs(state);
  const ts = victimsOf(state);
  if (wasm !== ts) throw new Error(`${name}: WASM and TS plans differ`);
  const count = state.i32("header.victimCount")[0];
  if (count === 0) throw new Error(`${name}: the plan chose no victims, so the workload measures nothing`);
  return count;
}

/** Runs the preemption suite. */
export function run(): void {
  const comparisons: Comparison[] = NODE_COUNTS.map((nodes) => {
    const { state, allocs } = stateFor(nodes);
    const name = `${nodes.toLocaleString("en-US")} nodes, ${STARVED_QUEUES} starved queues`;
    const victims = checkAgreement(state, name);
    const plan = state.core.planPreemption as () => number;
    return {
      name,
      params: { nodes, allocs, starvedQueues: STARVED_QUEUES, victims },
      wasm: () => {
        resetReservations(state);
        plan();
      },
      ts: () => {
        resetReservations(state);
        planPreemptionTs(state);
      },
    };
  });
  runComparisons("preempt", comparisons);
}
