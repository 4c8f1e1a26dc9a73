/**
 * Fair-share recompute: `computeFairShares` alone (both steady and instantaneous shares, every
 * dimension), WebAssembly core vs the TypeScript version over the same columns, on queue trees
 * of 10 to 100,000 leaves with 3 dimensions. The trees carry no jobs: the generator writes
 * QUEUE_ACTIVE directly, so `refreshState` (which would clear it) is not run or timed.
 *
 * Trees: depth 3 below root up to 10,000 leaves, depth 4 for 100,000, with even fan-out. A
 * seeded generator gives about 30% of queues a min share, 20% a max share, 5% weight 0 and
 * about 60% of leaves work (active).
 */
import type { CoreState } from "../src/core/state.js";
import { computeFairSharesTs, writeShareTree, type ShareQueue } from "../src/reference/fairshare.js";
import { mulberry32 } from "../src/traces/synthetic.js";
import { shareRoot, shareTreeState } from "./fixtures.js";
import { runComparisons, type Comparison } from "./reporter.js";

const DIMS = 3;
const LEAF_COUNTS = [10, 100, 1_000, 10_000, 100_000];

/** Builds a tree with exactly `leaves` leaves; returns the root and the cluster capacity. */
export function buildBenchTree(leaves: number, seed = 1): { root: ShareQueue; capacity: number[]; queues: number } {
  const random = mulberry32(seed);
  const capacity = [8 * leaves, 64 * leaves, 512_000 * leaves];
  const levels = leaves >= 100_000 ? 4 : 3;
  const fanout = Math.max(2, Math.ceil(leaves ** (1 / levels)));
  let queues = 1;

  // A queue expecting about `expected` of each dimension gets a min or max around it.
  const makeQueue = (name: string, expected: number[]): ShareQueue => {
    queues++;
    const hasMin = random() < 0.3;
    const hasMax = random() < 0.2;
    const weightDraw = random();
    return {
      name,
      weight: weightDraw < 0.05 ? 0 : [0.5, 1, 1, 2, 3][Math.floor(random() * 5)],
      minResources: expected.map((e) => (hasMin && random() < 0.7 ? e * 1.5 * random() : 0)),
      maxResources: expected.map((e) => (hasMax && random() < 0.7 ? e * (0.3 + 2 * random()) : Infinity)),
      active: random() < 0.6,
      children: [],
    };
  };

  // Split `count` leaves under `parent` at `level`, so that every level has about `fanout`
  // children per parent and the last parent takes what is left.
  const grow = (parent: ShareQueue, count: number, level: number, expected: number[]) => {
    if (level === levels) return;
    const perChild = fanout ** (levels - level - 1);
    const children = Math.ceil(count / perChild);
    const childExpected = expected.map((e) => e / children);
    let remaining = count;
    for (let i = 0; i < children; i++) {
      const child = makeQueue(`${parent.name}.q${i}`, childExpected);
      parent.children.push(child);
      const take = Math.min(perChild, remaining);
      remaining -= take;
      grow(child, take, level + 1, childExpected);
    }
    if (level < levels - 1) parent.active = parent.children.some((c) => c.active);
  };

  const root = shareRoot(DIMS);
  grow(root, leaves, 0, capacity);
  return { root, capacity, queues };
}

/** Creates a state with the tree written into it. */
function stateFor(leaves: number): { state: CoreState; queues: number } {
  const { root, capacity, queues } = buildBenchTree(leaves);
  const state = shareTreeState(queues, DIMS);
  writeShareTree(state, root, capacity);
  return { state, queues };
}

/** Throws when the two implementations disagree on any share, so a broken build is not timed. */
function checkAgreement(state: CoreState, name: string): void {
  const run = state.core.computeFairShares as () => void;
  run();
  const wasm = [state.f64("queue.steadyFairShare").slice(), state.f64("queue.fairShare").slice()];
  computeFairSharesTs(state);
  const ts = [state.f64("queue.steadyFairShare"), state.f64("queue.fairShare")];
  for (let k = 0; k < 2; k++) {
    for (let i = 0; i < wasm[k].length; i++) {
      if (wasm[k][i] !== ts[k][i]) {
        throw new Error(`${name}: WASM and TS shares differ at element ${i}: ${wasm[k][i]} vs ${ts[k][i]}`);
      }
    }
  }
}

/** Runs the fair-share suite. */
export function run(): void {
  const comparisons: Comparison[] = LEAF_COUNTS.map((leaves) => {
    const { state, queues } = stateFor(leaves);
    const name = `${leaves.toLocaleString("en-US")} leaves`;
    checkAgreement(state, name);
    const wasm = state.core.computeFairShares as () => void;
    return {
      name,
      params: { leaves, queues, dims: DIMS },
      wasm: () => wasm(),
      ts: () => computeFairSharesTs(state),
    };
  });
  runComparisons("fairshare", comparisons);
}
