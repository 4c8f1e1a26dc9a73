/**
 * Builds the inputs that benchmarks and tests share: core states sized for fair-share trees and
 * the root of such a tree. The module has no test-framework imports, so tests may import it
 * from here while `bench/` stays independent of vitest.
 */
import { CoreState } from "../src/core/state.js";
import type { ShareQueue } from "../src/reference/fairshare.js";

/**
 * Creates a core state with room for `queues` queues and `dims` dimensions, one row of every
 * other table, and the scratch that `computeFairShares` needs (2 entries a queue, plus 1).
 */
export function shareTreeState(queues: number, dims: number): CoreState {
  return new CoreState({
    dims,
    queue: queues,
    node: 1,
    job: 1,
    group: 1,
    alloc: 1,
    placement: 1,
    victim: 1,
    scratch: 2 * queues + 1,
  });
}

/** Creates a `root` queue of weight 1 with no minimum, no maximum and no children yet. */
export function shareRoot(dims: number, active = true): ShareQueue {
  return {
    name: "root",
    weight: 1,
    minResources: new Array<number>(dims).fill(0),
    maxResources: new Array<number>(dims).fill(Infinity),
    active,
    children: [],
  };
}
