// The WebAssembly core's exports. Each concept lives in its own file; this entry only
// re-exports what the host calls. The host binds a state region first (bindLayout), then
// calls the passes; no export allocates.

export { bindLayout } from "./layout";

/** Returns the first byte after the module's static data; state regions start at or above it. */
export function heapBase(): usize {
  return __heap_base;
}
export { refreshState } from "./aggregate";
export { computeFairShares } from "./fairshare";
export { schedulePass } from "./allocate";
export { buildTopologyOrders } from "./nodeindex";
export { updateStarvation } from "./starvation";
export { planPreemption } from "./victims";
export { releaseReservation } from "./preempt";
export { explainPending } from "./allocate";
