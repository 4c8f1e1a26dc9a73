// Reservations that preemption leaves on nodes, as the allocation pass must honour them.
//
// When the preemption plan frees space on a node for a starved job, it records the job
// (node.reservedFor), the promised resources (node.reserved) and a deadline
// (node.reservedUntil = time + reservationTimeout). Until the deadline, other jobs may use only
// node.free minus node.reserved there, so the victims' space is not taken by whoever comes
// first once they stop. The plan itself lives in victims.ts; starvation in starvation.ts.

import * as L from "./layout";

/**
 * Returns how much of node `n`'s free space in dimension `d` job `j` may not use because it is
 * reserved for another job: node.reserved while the reservation holds, else 0.
 */
@inline export function reservedAgainst(n: i32, j: i32, d: i32): f64 {
  if (L.nodeReservedUntil(n) <= L.time() || L.nodeReservedFor(n) == j) return 0;
  return L.nodeReserved(n, d);
}

/**
 * Takes one task of group `g` off node `n`'s reservation when its job places it there, and
 * drops the reservation once nothing is left or the job has no pending task.
 */
export function releaseReservation(n: i32, g: i32): void {
  const j = L.groupJob(g);
  if (L.nodeReservedFor(n) != j) return;
  let left = false;
  for (let d = 0; d < L.DIMS; d++) {
    const reserved = max(0, L.nodeReserved(n, d) - L.groupRequest(g, d));
    L.setNodeReserved(n, d, reserved);
    if (reserved > 0) left = true;
  }
  if (left && L.jobPendingTasks(j) > 0) return;
  L.setNodeReservedFor(n, L.NONE);
  L.setNodeReservedUntil(n, 0);
  for (let d = 0; d < L.DIMS; d++) L.setNodeReserved(n, d, 0);
}
