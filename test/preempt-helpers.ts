// Shared builders for the preemption tests: small snapshots in a few lines, and one call that
// loads a snapshot, derives usage and fair shares and plans preemption in WASM or TypeScript.
import type { StateIndex } from "../src/core/load.js";
import { loadState } from "../src/core/load.js";
import type { CoreState } from "../src/core/state.js";
import type { AllocationSpec, JobSpec, NodeSpec, QueueSpec, Snapshot } from "../src/model/types.js";
import { preparePreemption } from "../src/preemption.js";
import { planPreemptionTs } from "../src/reference/preempt.js";

export type Engine = "wasm" | "ts";
export const ENGINES: Engine[] = ["wasm", "ts"];

/** Returns `count` nodes named `prefix-0 ..` with the same capacity. */
export function nodes(prefix: string, count: number, capacity: Record<string, number>, extra: Partial<NodeSpec> = {}): NodeSpec[] {
  return Array.from({ length: count }, (_, i) => ({ name: `${prefix}-${i}`, capacity: { ...capacity }, ...extra }));
}

/** Returns a running job with one allocation per entry of `on` (node name, or [node, count]). */
export function running(
  name: string,
  queue: string,
  request: Record<string, number>,
  on: (string | [string, number])[],
  extra: Partial<JobSpec> & { startTime?: number; lastCheckpoint?: number } = {},
): JobSpec {
  const { startTime = 0, lastCheckpoint, ...rest } = extra;
  const allocations: AllocationSpec[] = on.map((entry) => {
    const [node, count] = typeof entry === "string" ? [entry, 1] : entry;
    const allocation: AllocationSpec = { node, request: { ...request }, count, startTime };
    if (lastCheckpoint !== undefined) allocation.lastCheckpoint = lastCheckpoint;
    return allocation;
  });
  return { name, queue, user: "u", submitTime: 0, tasks: [], allocations, ...rest };
}

/** Returns a job with `count` pending tasks of `request`. */
export function pending(name: string, queue: string, request: Record<string, number>, count: number, extra: Partial<JobSpec> = {}): JobSpec {
  return { name, queue, user: "u", submitTime: 0, tasks: [{ request: { ...request }, count }], ...extra };
}

/** Returns a snapshot with every queue's parents created, root first. */
export function snapshot(parts: { time?: number; resources?: string[]; nodes: NodeSpec[]; queues: QueueSpec[]; jobs: JobSpec[] }): Snapshot {
  const queues = new Map<string, QueueSpec>([["root", { name: "root" }]]);
  for (const queue of parts.queues) {
    const names = queue.name.split(".");
    for (let i = 1; i < names.length; i++) {
      const parent = names.slice(0, i).join(".");
      if (!queues.has(parent)) queues.set(parent, { name: parent });
    }
    queues.set(queue.name, { ...queues.get(queue.name), ...queue });
  }
  return {
    version: 1,
    time: parts.time ?? 100,
    resources: parts.resources ?? ["gpu", "cpu", "memory"],
    nodes: parts.nodes,
    queues: [...queues.values()],
    jobs: parts.jobs,
  };
}

export interface Victim {
  job: string;
  node: string;
  alloc: number;
  forJob: string;
  forNode: string;
  forQueue: string;
  reason: number;
}

export interface Planned {
  state: CoreState;
  index: StateIndex;
  victims: Victim[];
}

/** Loads the snapshot into a core state and sets the header inputs the plan reads. */
export function load(input: Snapshot, reservationTimeout = 60): { state: CoreState; index: StateIndex } {
  const { state, index } = loadState(input);
  state.i32("header.gpuDim")[0] = index.resources.indexOf("gpu");
  preparePreemption(state, { reservationTimeout });
  return { state, index };
}

/** Derives usage, demand and fair shares of a loaded state, then plans with `engine`. */
export function planLoaded(loaded: { state: CoreState; index: StateIndex }, engine: Engine): Planned {
  const { state, index } = loaded;
  state.call("refreshState");
  state.call("computeFairShares");
  if (engine === "wasm") state.call("planPreemption");
  else planPreemptionTs(state);
  return { state, index, victims: readVictims(state, index) };
}

/** Plans preemption for `input` in one engine, without an allocation pass. */
export function plan(input: Snapshot, engine: Engine = "wasm", reservationTimeout = 60): Planned {
  return planLoaded(load(input, reservationTimeout), engine);
}

export function readVictims(state: CoreState, index: StateIndex): Victim[] {
  const count = state.i32("header.victimCount")[0];
  const victims: Victim[] = [];
  for (let v = 0; v < count; v++) {
    const a = state.i32("victim.alloc")[v];
    victims.push({
      job: index.jobs[state.i32("alloc.job")[a]],
      node: index.nodes[state.i32("alloc.node")[a]],
      alloc: a,
      forJob: index.jobs[state.i32("victim.forJob")[v]],
      forNode: index.nodes[state.i32("victim.forNode")[v]],
      forQueue: index.queues[state.i32("victim.forQueue")[v]],
      reason: state.i32("victim.reason")[v],
    });
  }
  return victims;
}

/** Counts victims per job name. */
export function countByJob(victims: Victim[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const victim of victims) counts[victim.job] = (counts[victim.job] ?? 0) + 1;
  return counts;
}
