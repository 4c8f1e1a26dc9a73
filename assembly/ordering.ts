// Orderings of the allocation pass: which sibling queue and which job of a leaf is the neediest.
//
// Each comparator returns a negative number when `a` comes first (is needier), a positive one
// when `b` does, and never 0 for two different rows (the row index is the last tie-break), so
// heaps built on them are deterministic.
//
// `fair` compares the FIRST resource dimension only, as YARN's FairSharePolicy compares memory:
// with `resources: [gpu, cpu, memory]` that is the GPU count. `drf` compares every dimension.

import {
  DIMS, POLICY_DRF, POLICY_FIFO,
  clusterCapacity,
  jobNameRank, jobPriority, jobSubmitTime, jobUsage, jobWeight,
  queueDemand, queueMinResources, queueNameRank, queueStartTime, queueUsage, queueWeight,
} from "./layout";

/** Largest and second-largest share of the last `dominantShares` call. */
let dominant: f64 = 0;
let secondDominant: f64 = 0;

/** Returns `usage / weight`, +Infinity for weight 0 (such a queue is served last). */
@inline function perWeight(usage: f64, weight: f64): f64 {
  return weight > 0 ? usage / weight : Infinity;
}

/** Orders rows of equal need: the earlier start (submit) time, then the lower name rank, then row. */
@inline function tieBreak(timeA: f64, timeB: f64, rankA: i32, rankB: i32, a: i32, b: i32): i32 {
  if (timeA < timeB) return -1;
  if (timeA > timeB) return 1;
  if (rankA != rankB) return rankA < rankB ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares two floats, ascending; returns 0 when equal. */
@inline function ascending(x: f64, y: f64): i32 {
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Sets `dominant` and `secondDominant` to the largest and second-largest of
 * `usage_d / clusterCapacity_d`, each divided by `weight` (dimensions of capacity 0 are left out).
 */
function dominantShares(isJob: bool, row: i32, weight: f64): void {
  let first: f64 = 0;
  let second: f64 = 0;
  for (let d = 0; d < DIMS; d++) {
    const capacity = clusterCapacity(d);
    if (capacity <= 0) continue;
    const share = (isJob ? jobUsage(row, d) : queueUsage(row, d)) / capacity;
    if (share > first) {
      second = first;
      first = share;
    } else if (share > second) {
      second = share;
    }
  }
  dominant = perWeight(first, weight);
  secondDominant = perWeight(second, weight);
}

/**
 * Returns the largest `usage_d / min(minResources_d, demand_d)` over dimensions with a positive
 * min share, or -1 when the queue has no min share in any dimension.
 */
function minShareRatio(q: i32): f64 {
  let ratio: f64 = -1;
  for (let d = 0; d < DIMS; d++) {
    const min = Math.min(queueMinResources(q, d), queueDemand(q, d));
    if (min <= 0) continue;
    const r = queueUsage(q, d) / min;
    if (r > ratio) ratio = r;
  }
  return ratio;
}

/**
 * Compares sibling queues `a` and `b` under their parent's `policy`.
 *
 * 1. fair (YARN FairSharePolicy, first dimension): queues below min(minShare, demand) come
 *    first, ordered by usage / max(minShare, 1); the rest by usage / weight.
 * 2. drf (YARN DominantResourceFairnessPolicy): queues below their min share in every dimension
 *    that has one come first, by the largest usage / min share; the rest by dominant share /
 *    weight, then the second-largest share.
 * 3. fifo: start time only.
 * Ties in each: start time, then name rank, then row.
 */
export function compareQueues(policy: i32, a: i32, b: i32): i32 {
  if (policy == POLICY_DRF) {
    const ratioA = minShareRatio(a);
    const ratioB = minShareRatio(b);
    const needyA = ratioA >= 0 && ratioA < 1;
    const needyB = ratioB >= 0 && ratioB < 1;
    if (needyA != needyB) return needyA ? -1 : 1;
    if (needyA) {
      const c = ascending(ratioA, ratioB);
      if (c != 0) return c;
    } else {
      dominantShares(false, a, queueWeight(a));
      const firstA = dominant;
      const secondA = secondDominant;
      dominantShares(false, b, queueWeight(b));
      let c = ascending(firstA, dominant);
      if (c != 0) return c;
      c = ascending(secondA, secondDominant);
      if (c != 0) return c;
    }
  } else if (policy != POLICY_FIFO) {
    const usageA = queueUsage(a, 0);
    const usageB = queueUsage(b, 0);
    const minA = Math.min(queueMinResources(a, 0), queueDemand(a, 0));
    const minB = Math.min(queueMinResources(b, 0), queueDemand(b, 0));
    const needyA = usageA < minA;
    const needyB = usageB < minB;
    if (needyA != needyB) return needyA ? -1 : 1;
    const c = needyA
      ? ascending(usageA / Math.max(minA, 1), usageB / Math.max(minB, 1))
      : ascending(perWeight(usageA, queueWeight(a)), perWeight(usageB, queueWeight(b)));
    if (c != 0) return c;
  }
  return tieBreak(queueStartTime(a), queueStartTime(b), queueNameRank(a), queueNameRank(b), a, b);
}

/**
 * Compares jobs `a` and `b` of one leaf under the leaf's `policy`: fifo by priority (larger
 * first), fair by usage / weight in the first dimension, drf by dominant share / weight and then
 * the second-largest share. Ties: submit time, name rank, row.
 */
export function compareJobs(policy: i32, a: i32, b: i32): i32 {
  if (policy == POLICY_FIFO) {
    const pa = jobPriority(a);
    const pb = jobPriority(b);
    if (pa != pb) return pa > pb ? -1 : 1;
  } else if (policy == POLICY_DRF) {
    dominantShares(true, a, jobWeight(a));
    const firstA = dominant;
    const secondA = secondDominant;
    dominantShares(true, b, jobWeight(b));
    let c = ascending(firstA, dominant);
    if (c != 0) return c;
    c = ascending(secondA, secondDominant);
    if (c != 0) return c;
  } else {
    const c = ascending(perWeight(jobUsage(a, 0), jobWeight(a)), perWeight(jobUsage(b, 0), jobWeight(b)));
    if (c != 0) return c;
  }
  return tieBreak(jobSubmitTime(a), jobSubmitTime(b), jobNameRank(a), jobNameRank(b), a, b);
}
