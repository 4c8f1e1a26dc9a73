// Orderings of the allocation pass: which sibling queue and which job of a leaf is the neediest.
//
// Each comparator returns a negative number when `a` comes first (is needier), a positive one
// when `b` does, and never 0 for two different rows (the row index is the last tie-break), so
// heaps built on them are deterministic.
//
// `fair` compares the FIRST resource dimension only, as YARN's FairSharePolicy compares memory:
// with `resources: [gpu, cpu, memory]` that is the GPU count. `drf` compares every dimension.

import {
  DIMS, JOB_GANG, POLICY_DRF, POLICY_FIFO,
  clusterCapacity,
  jobFlags, jobHeapKey, jobPendingTasks, jobRunningTasks, jobNameRank, jobPriority, jobSubmitTime, jobUsage, jobWeight,
  queueBrokenGangs, queueDemand, queueHeapKey, queueMinResources, queueNameRank, queueStartTime, queueUsage, queueWeight,
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
 * Returns the first ordering key of queue `q` among its siblings under its parent's `policy`;
 * smaller is needier. Queues below their min share get keys in [-2, -1), the rest keys >= 0.
 *
 * 1. fair (YARN FairSharePolicy, first dimension): below min(minShare, demand), usage /
 *    max(minShare, 1) - 2; else usage / weight.
 * 2. drf (YARN DominantResourceFairnessPolicy): below the min share in every dimension that has
 *    one, the largest usage / min share - 2; else dominant share / weight.
 * 3. fifo: 0 (start time decides).
 */
export function queueKeyOf(policy: i32, q: i32): f64 {
  if (policy == POLICY_DRF) {
    const ratio = minShareRatio(q);
    if (ratio >= 0 && ratio < 1) return ratio - 2;
    dominantShares(false, q, queueWeight(q));
    return dominant;
  }
  if (policy == POLICY_FIFO) return 0;
  const usage = queueUsage(q, 0);
  const min = Math.min(queueMinResources(q, 0), queueDemand(q, 0));
  if (usage < min) return usage / Math.max(min, 1) - 2;
  return perWeight(usage, queueWeight(q));
}

/** Returns whether job `j` is a running gang with members back in pending (a node was lost). */
@inline export function isBrokenGang(j: i32): bool {
  return (jobFlags(j) & JOB_GANG) != 0 && jobRunningTasks(j) > 0 && jobPendingTasks(j) > 0;
}

/**
 * Returns the first ordering key of job `j` under its leaf's `policy`, smaller is needier. A
 * broken gang (isBrokenGang) gets -Infinity, so it is completed before fresh work of its leaf.
 * Other keys: fifo the negated priority, fair usage / weight in the first dimension, drf the
 * dominant share / weight.
 */
export function jobKeyOf(policy: i32, j: i32): f64 {
  if (isBrokenGang(j)) return -Infinity;
  if (policy == POLICY_FIFO) return -<f64>jobPriority(j);
  if (policy == POLICY_DRF) {
    dominantShares(true, j, jobWeight(j));
    return dominant;
  }
  return perWeight(jobUsage(j, 0), jobWeight(j));
}

/** Compares the second-largest dominant shares of two rows with equal dominant shares (drf). */
function compareSecondShares(isJob: bool, a: i32, weightA: f64, b: i32, weightB: f64): i32 {
  dominantShares(isJob, a, weightA);
  const secondA = secondDominant;
  dominantShares(isJob, b, weightB);
  return ascending(secondA, secondDominant);
}

/**
 * Compares sibling queues `a` and `b` under their parent's `policy` by their keys in
 * queue.heapKey (see queueKeyOf). Of equal keys, a queue with a broken gang comes first. Equal
 * drf keys of queues at or above their min share compare the second-largest share. Ties: start
 * time, then name rank, then row.
 */
export function compareQueues(policy: i32, a: i32, b: i32): i32 {
  const keyA = queueHeapKey(a);
  const keyB = queueHeapKey(b);
  if (keyA < keyB) return -1;
  if (keyA > keyB) return 1;
  const brokenA = queueBrokenGangs(a) > 0;
  if (brokenA != queueBrokenGangs(b) > 0) return brokenA ? -1 : 1;
  if (policy == POLICY_DRF && keyA >= 0) {
    const c = compareSecondShares(false, a, queueWeight(a), b, queueWeight(b));
    if (c != 0) return c;
  }
  return tieBreak(queueStartTime(a), queueStartTime(b), queueNameRank(a), queueNameRank(b), a, b);
}

/**
 * Compares jobs `a` and `b` of one leaf under the leaf's `policy` by their keys in job.heapKey
 * (see jobKeyOf); equal drf keys (other than broken gangs') compare the second-largest share. Ties: submit time, name rank,
 * row.
 */
export function compareJobs(policy: i32, a: i32, b: i32): i32 {
  const keyA = jobHeapKey(a);
  const keyB = jobHeapKey(b);
  if (keyA < keyB) return -1;
  if (keyA > keyB) return 1;
  if (policy == POLICY_DRF && keyA > -Infinity) {
    const c = compareSecondShares(true, a, jobWeight(a), b, jobWeight(b));
    if (c != 0) return c;
  }
  return tieBreak(jobSubmitTime(a), jobSubmitTime(b), jobNameRank(a), jobNameRank(b), a, b);
}
