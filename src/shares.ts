/**
 * Fair shares of every queue, read back from the WebAssembly core with dimension names as keys.
 * `computeShares` is the one-shot form for a snapshot; `readShares` recomputes on a state the
 * caller (the Scheduler) keeps.
 */
import { loadState, type StateIndex } from "./core/load.js";
import type { CoreState } from "./core/state.js";
import type { ResourceAmounts, Snapshot } from "./model/types.js";

/** One queue's configuration, usage and both fair shares, in the snapshot's units. */
export interface QueueShareReport {
  /** Full dotted name, `root` for the root. */
  name: string;
  weight: number;
  /** Instantaneous fair share: only queues with running or pending work count. */
  fairShare: ResourceAmounts;
  /** Steady fair share: every configured queue counts, active or not. */
  steadyFairShare: ResourceAmounts;
  /** Resources held by running tasks in the queue's subtree. */
  usage: ResourceAmounts;
  /** Usage plus the resources of pending tasks in the subtree. */
  demand: ResourceAmounts;
  minResources: ResourceAmounts;
  /** `Infinity` in a dimension without a limit. */
  maxResources: ResourceAmounts;
}

/** Loads `snapshot` into a new core state and returns every queue's shares, root first. */
export function computeShares(snapshot: Snapshot): QueueShareReport[] {
  const { state, index } = loadState(snapshot);
  return readShares(state, index);
}

/**
 * Recomputes usage, demand, activity and both fair shares on `state` (the core's
 * `refreshState` and `computeFairShares`), then returns one report per queue in row order,
 * parents before children, root first.
 */
export function readShares(state: CoreState, index: StateIndex): QueueShareReport[] {
  state.call("refreshState");
  state.call("computeFairShares");

  const dims = index.resources;
  const D = dims.length;
  const weight = state.f64("queue.weight");
  const columns = {
    fairShare: state.f64("queue.fairShare"),
    steadyFairShare: state.f64("queue.steadyFairShare"),
    usage: state.f64("queue.usage"),
    demand: state.f64("queue.demand"),
    minResources: state.f64("queue.minResources"),
    maxResources: state.f64("queue.maxResources"),
  };
  const vector = (column: Float64Array, row: number): ResourceAmounts => {
    const amounts: ResourceAmounts = {};
    for (let d = 0; d < D; d++) amounts[dims[d]] = column[row * D + d];
    return amounts;
  };

  return index.queues.map((name, row) => ({
    name,
    weight: weight[row],
    fairShare: vector(columns.fairShare, row),
    steadyFairShare: vector(columns.steadyFairShare, row),
    usage: vector(columns.usage, row),
    demand: vector(columns.demand, row),
    minResources: vector(columns.minResources, row),
    maxResources: vector(columns.maxResources, row),
  }));
}
