/**
 * One scheduling pass on a core state, and `decide(snapshot)`, the stateless decision for
 * serverless callers. This module imports no input reader, so a cold start pays only for the
 * core and the decision types.
 */
import { capacitiesFor, writeSnapshot, type StateIndex } from "./core/load.js";
import { CoreState } from "./core/state.js";
import { readDecision, type Decision } from "./decision.js";
import type { Snapshot } from "./model/types.js";
import { planPreemptionInto, preparePreemption } from "./preemption.js";

/** Options of a scheduler or a stateless decision. */
export interface SchedulerOptions {
  /**
   * Delay scheduling: scheduling offers a job with `locality` skips per level before relaxing
   * (NVLink domain, then rack, then anywhere), as a fraction of schedulable nodes, like YARN's
   * `yarn.scheduler.fair.locality.threshold.node`. One offer is one pass in which the job was the
   * neediest and had room only outside its preferred place. 0 or less (the default, as YARN's
   * -1) disables waiting: such a job is placed locally when it fits there, else anywhere.
   */
  localityThreshold?: number;
  /** Table rows reserved per snapshot row when (re)building the state; default 2. */
  headroom?: number;
  /** A compiled core to share (workers); default the release build. */
  module?: WebAssembly.Module;
}

/** Free-GPU buckets per GPU type slot the node index wants in scratch (keys 0..64). */
export const BUCKET_KEYS = 65;

/**
 * Creates a state sized for `snapshot` (with room for the node index) and fills it, including the
 * columns the allocation pass reads beyond `writeSnapshot`: name ranks, the gpu dimension, the
 * alloc table's capacity and the locality threshold.
 */
export function loadForScheduling(
  snapshot: Snapshot,
  options: SchedulerOptions = {},
  allocRowsPerNode = 0,
): { state: CoreState; index: StateIndex } {
  const capacities = capacitiesFor(snapshot, options.headroom ?? 1);
  const types = new Set<string>();
  for (const node of snapshot.nodes) if (node.gpuType) types.add(node.gpuType);
  for (const job of snapshot.jobs) for (const task of job.tasks) for (const t of task.gpuTypes ?? []) types.add(t);
  capacities.scratch = Math.max(capacities.scratch, (types.size + 1) * BUCKET_KEYS + 1);
  capacities.alloc = Math.max(capacities.alloc, allocRowsPerNode * snapshot.nodes.length);
  const state = new CoreState(capacities, { module: options.module });
  const index = writeSnapshot(state, snapshot);
  prepareForPass(state, index, options);
  writeUserLimits(state, index, snapshot);
  return { state, index };
}

/**
 * Writes each user's maxRunningApps (its `users` entry, else `userMaxAppsDefault`, else
 * unlimited) into job.userMaxApps at the row of the user's interned id.
 */
export function writeUserLimits(state: CoreState, index: StateIndex, limits: Pick<Snapshot, "users" | "userMaxAppsDefault">): void {
  const column = state.i32("job.userMaxApps");
  column.fill(-1);
  index.users.forEach((name, user) => {
    column[user] = userLimit(limits, name);
  });
}

/** Returns the maxRunningApps of user `name`, -1 when unlimited. */
export function userLimit(limits: Pick<Snapshot, "users" | "userMaxAppsDefault">, name: string): number {
  return limits.users?.[name]?.maxRunningApps ?? limits.userMaxAppsDefault ?? -1;
}

/** Writes the pass's host columns that `writeSnapshot` leaves alone. */
export function prepareForPass(state: CoreState, index: StateIndex, options: SchedulerOptions): void {
  const header = state.i32("header.gpuDim");
  header[0] = index.resources.indexOf("gpu");
  state.i32("header.allocCapacity")[0] = state.capacities.alloc;
  state.f64("header.localityThreshold")[0] = options.localityThreshold ?? 0;
  state.i32("header.topologyReady")[0] = 0;
  writeRanks(state.i32("queue.nameRank"), index.queues);
  writeRanks(state.i32("job.nameRank"), index.jobs);
  preparePreemption(state);
}

/** Writes each name's position in sorted order into `ranks`. */
export function writeRanks(ranks: Int32Array, names: string[]): void {
  const order = names.map((_, i) => i).sort((a, b) => (names[a] < names[b] ? -1 : names[a] > names[b] ? 1 : a - b));
  order.forEach((row, rank) => {
    ranks[row] = rank;
  });
}

/**
 * Derives usage, demand and activity (with `refresh`) and fair shares: what the allocation pass
 * reads besides the inputs. Without a fair-share export in the core every fair share is unlimited.
 */
export function preparePass(state: CoreState, refresh: boolean): void {
  if (refresh) state.call("refreshState");
  computeFairShares(state);
}

/**
 * Prepares the state, runs one allocation pass and gives every job still pending a reason;
 * returns the placements written.
 */
export function runPass(state: CoreState, refresh: boolean): number {
  preparePass(state, refresh);
  const written = state.call("schedulePass");
  if (written < 0) throw new Error("the allocation pass found no scratch rows for its node index; rebuild the state with more scratch");
  state.call("explainPending");
  return written;
}

export function computeFairShares(state: CoreState): void {
  if (typeof state.core.computeFairShares === "function") {
    state.call("computeFairShares");
  } else {
    // NOTE: without computeFairShares, maxAMShare and elastic growth see unlimited fair shares.
    state.f64("queue.fairShare").fill(Infinity);
  }
}

/** Runs one scheduling pass on `snapshot` and returns its decision; no state is kept. */
export function decide(snapshot: Snapshot, options: SchedulerOptions = {}): Decision {
  const { state, index } = loadForScheduling(snapshot, options);
  runPass(state, true);
  const decision = readDecision(state, index, (allocRow) => allocRow);
  // Preemption: plan for what the pass could not place (src/preemption.ts).
  return planPreemptionInto(state, index, decision, (allocRow) => allocRow);
}

