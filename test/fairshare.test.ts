// Divisions of one parent's share with expected results, through the reference, the core and the
// TypeScript baseline over the same columns.
import { describe, expect, test } from "vitest";

import { shareRoot, shareTreeState } from "../bench/fixtures.js";
import type { CoreState } from "../src/core/state.js";
import {
  computeFairSharesReference,
  computeFairSharesTs,
  divideShare,
  writeShareTree,
  type ShareClaim,
  type ShareQueue,
} from "../src/reference/fairshare.js";

interface DivisionCase {
  name: string;
  share: number;
  claims: ShareClaim[];
  expected: number[];
}

const claim = (weight: number, min = 0, max = Infinity): ShareClaim => ({ weight, min, max });

const DIVISIONS: DivisionCase[] = [
  { name: "equal weights", share: 40, claims: [claim(1), claim(1), claim(1), claim(1)], expected: [10, 10, 10, 10] },
  { name: "weights 2:1:1:0.5", share: 45, claims: [claim(2), claim(1), claim(1), claim(0.5)], expected: [20, 10, 10, 5] },
  {
    name: "low maxima",
    share: 40,
    claims: [claim(1, 0, 100), claim(1, 0, 50), claim(1, 0, 11), claim(1, 0, 3)],
    expected: [13, 13, 11, 3],
  },
  {
    name: "minima fill the share",
    share: 40,
    claims: [claim(1, 20), claim(1, 18), claim(1), claim(1, 2)],
    expected: [20, 18, 0, 2],
  },
  {
    name: "weighted minima",
    share: 45,
    claims: [claim(2, 20), claim(1), claim(1, 5), claim(0.5, 15)],
    expected: [20, 5, 5, 15],
  },
  { name: "maxima below the share", share: 100, claims: [claim(1, 0, 10), claim(3, 0, 20)], expected: [10, 20] },
  { name: "minima above the share scale down", share: 30, claims: [claim(1, 40), claim(1, 20), claim(1)], expected: [20, 10, 0] },
  { name: "weight 0 gets its min", share: 100, claims: [claim(0, 10), claim(1), claim(0)], expected: [10, 90, 0] },
  { name: "max 0 gets 0", share: 100, claims: [claim(1, 5, 0), claim(1)], expected: [0, 100] },
  { name: "all weights 0", share: 100, claims: [claim(0), claim(0)], expected: [0, 0] },
  { name: "min above max uses max", share: 100, claims: [claim(1, 50, 20), claim(1)], expected: [20, 80] },
  {
    name: "min and max on one child",
    share: 120,
    claims: [claim(1, 30, 40), claim(2, 0, 50), claim(1)],
    expected: [35, 50, 35],
  },
  { name: "no children", share: 100, claims: [], expected: [] },
  { name: "zero share", share: 0, claims: [claim(1, 10), claim(1)], expected: [0, 0] },
];

/** Builds a root with one child per claim and a single dimension of `share`. */
function flatTree(claims: ShareClaim[]): ShareQueue {
  return {
    ...shareRoot(1),
    children: claims.map((c, i) => ({
      name: `root.q${i}`,
      weight: c.weight,
      minResources: [c.min],
      maxResources: [c.max],
      active: true,
      children: [],
    })),
  };
}

/** Runs `compute` on a flat tree and returns the children's steady and instantaneous shares. */
function divideOnState(share: number, claims: ShareClaim[], compute: (state: CoreState) => void) {
  const state = shareTreeState(claims.length + 1, 1);
  writeShareTree(state, flatTree(claims), [share]);
  compute(state);
  return {
    steady: [...state.f64("queue.steadyFairShare").subarray(1, claims.length + 1)],
    fair: [...state.f64("queue.fairShare").subarray(1, claims.length + 1)],
  };
}

const IMPLEMENTATIONS = [
  { name: "core", compute: (state: CoreState) => state.call("computeFairShares") },
  { name: "TypeScript baseline", compute: computeFairSharesTs },
];

describe("divideShare reference", () => {
  test.each(DIVISIONS)("$name", ({ share, claims, expected }) => {
    const result = divideShare(share, claims);
    expected.forEach((value, i) => expect(result[i]).toBeCloseTo(value, 9));
  });
});

describe.each(IMPLEMENTATIONS)("$name division", ({ compute }) => {
  test.each(DIVISIONS)("$name steady", ({ share, claims, expected }) => {
    const { steady } = divideOnState(share, claims, compute);
    expected.forEach((value, i) => expect(steady[i]).toBeCloseTo(value, 9));
  });

  test.each(DIVISIONS)("$name instantaneous", ({ share, claims, expected }) => {
    const { fair } = divideOnState(share, claims, compute);
    expected.forEach((value, i) => expect(fair[i]).toBeCloseTo(value, 9));
  });
});

describe("computeFairShares tree", () => {
  // root (capacity 120, 12) → a (w 1) and b (w 2, inactive); a → a1 (w 1), a2 (w 3).
  const leaf = (name: string, weight: number, active: boolean): ShareQueue => ({
    name,
    weight,
    minResources: [0, 0],
    maxResources: [Infinity, Infinity],
    active,
    children: [],
  });
  const tree: ShareQueue = {
    ...leaf("root", 1, true),
    children: [
      { ...leaf("root.a", 1, true), children: [leaf("root.a.a1", 1, true), leaf("root.a.a2", 3, false)] },
      leaf("root.b", 2, false),
    ],
  };
  const state = shareTreeState(5, 2);
  const names = writeShareTree(state, tree, [120, 12]);
  state.call("computeFairShares");
  const steady = state.f64("queue.steadyFairShare");
  const fair = state.f64("queue.fairShare");
  const row = (name: string) => names.indexOf(name);
  const reference = computeFairSharesReference(tree, [120, 12]);

  test.each([
    { queue: "root", steady: [120, 12], fair: [120, 12] },
    { queue: "root.a", steady: [40, 4], fair: [120, 12] },
    { queue: "root.b", steady: [80, 8], fair: [0, 0] },
    { queue: "root.a.a1", steady: [10, 1], fair: [120, 12] },
    { queue: "root.a.a2", steady: [30, 3], fair: [0, 0] },
  ])("$queue shares", (want) => {
    const r = row(want.queue);
    expect([steady[2 * r], steady[2 * r + 1]]).toEqual(want.steady);
    expect([fair[2 * r], fair[2 * r + 1]]).toEqual(want.fair);
  });

  test.each(names)("%s matches the reference", (name) => {
    const r = row(name);
    expect([steady[2 * r], steady[2 * r + 1]]).toEqual(reference.get(name)!.steadyFairShare);
    expect([fair[2 * r], fair[2 * r + 1]]).toEqual(reference.get(name)!.fairShare);
  });
});
