// Starvation: which queues have waited long enough below their min or fair share to preempt,
// and for how much (YARN FairScheduler's minSharePreemptionTimeout and
// fairSharePreemptionTimeout / fairSharePreemptionThreshold).
//
// Both shares are compared against demand, because a queue cannot be short of what it does not
// request. With target_d = min(share_d, demand_d):
// - below min share: usage_d < target_d in some dimension d the queue requests. A min share is
//   a guarantee per dimension.
// - below fair share: the dominant ratio max_d usage_d / target_d (over dimensions with a
//   positive target) is below fairSharePreemptionThreshold, so the queue is short in every
//   dimension it requests. The victim side uses the same ratio (a victim keeps a ratio of at
//   least 1), so a victim never comes out of a preemption starved by this rule.

import * as L from "./layout";

/** Relative tolerance of share comparisons, against rounding in the fair-share solver. */
export const SHARE_TOLERANCE: f64 = 1e-9;

/**
 * Updates every queue's belowMinSince / belowFairSince clock at `time`, and writes each leaf's
 * starvedFor bits and starvation vector (copied to preemptNeed). A clock is set when the queue
 * first falls below and reset to NaN when it recovers. A leaf is starved once `time - since`
 * reaches its timeout, which +inf never does. The starvation is the larger of the min-share and
 * fair-share deficits per dimension, capped by pending demand (demand minus usage). Call after
 * the fair shares and the allocation pass, so usage includes this pass's placements.
 * Returns the number of starved leaves.
 */
export function updateStarvation(): i32 {
  const queues = L.queueCount();
  const dims = L.DIMS;
  const now = L.time();
  let starvedLeaves = 0;

  for (let q = 0; q < queues; q++) {
    // 1. Compare usage with both shares, each capped by demand.
    let belowMin = false;
    let fairTargets = false;
    let fairRatio: f64 = 0;
    for (let d = 0; d < dims; d++) {
      const demand = L.queueDemand(q, d);
      if (demand <= 0) continue;
      const usage = L.queueUsage(q, d);
      const minTarget = min(L.queueMinResources(q, d), demand);
      if (usage < minTarget * (1 - SHARE_TOLERANCE)) belowMin = true;
      const fairTarget = min(L.queueFairShare(q, d), demand);
      if (fairTarget > 0) {
        fairTargets = true;
        fairRatio = max(fairRatio, usage / fairTarget);
      }
    }
    const threshold = L.queueFairShareThreshold(q);
    const belowFair = fairTargets && fairRatio < threshold * (1 - SHARE_TOLERANCE);

    // 2. Move the clocks: start on the first pass below, clear on recovery.
    let minSince = L.queueBelowMinSince(q);
    if (!belowMin) minSince = NaN;
    else if (isNaN(minSince)) minSince = now;
    L.setQueueBelowMinSince(q, minSince);
    let fairSince = L.queueBelowFairSince(q);
    if (!belowFair) fairSince = NaN;
    else if (isNaN(fairSince)) fairSince = now;
    L.setQueueBelowFairSince(q, fairSince);

    // 3. Leaves whose timeout has passed get a starvation vector; every other queue gets zero.
    let starvedFor: i32 = 0;
    if (L.queueFlags(q) & L.QUEUE_LEAF) {
      if (belowMin && now - minSince >= L.queueMinShareTimeout(q)) starvedFor |= L.STARVED_MIN_SHARE;
      if (belowFair && now - fairSince >= L.queueFairShareTimeout(q)) starvedFor |= L.STARVED_FAIR_SHARE;
    }
    L.setQueueStarvedFor(q, starvedFor);
    let starved = false;
    for (let d = 0; d < dims; d++) {
      let deficit: f64 = 0;
      if (starvedFor != 0) {
        const demand = L.queueDemand(q, d);
        const usage = L.queueUsage(q, d);
        if (starvedFor & L.STARVED_MIN_SHARE) deficit = max(deficit, min(L.queueMinResources(q, d), demand) - usage);
        if (starvedFor & L.STARVED_FAIR_SHARE) deficit = max(deficit, threshold * min(L.queueFairShare(q, d), demand) - usage);
        deficit = min(deficit, demand - usage);
        if (deficit < 0) deficit = 0;
      }
      if (deficit > 0) starved = true;
      L.setQueueStarvation(q, d, deficit);
      L.setQueuePreemptNeed(q, d, deficit);
    }
    if (starved) starvedLeaves++;
  }
  return starvedLeaves;
}
