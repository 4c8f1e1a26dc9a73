/**
 * The fairsched library: an incremental `Scheduler`, the stateless `decide(snapshot)` for
 * serverless callers, fair shares, the input readers, the trace simulator and what-if sweeps.
 * Everything runs on the same WebAssembly core.
 */
export { Scheduler, decide, type SchedulerOptions } from "./scheduler.js";
export type { Decision, Placement, Preemption, PendingJob } from "./decision.js";
export type { QueueClock, Reservation } from "./preemption.js";
export { computeShares, type QueueShareReport } from "./shares.js";
export { loadSnapshot, parseSnapshot, loadAllocationFile, parseAllocationFile, loadSparkPools, parseSparkPools } from "./config/index.js";
export { loadTrace, loadCluster, loadQuotas, generateSyntheticTrace } from "./traces/index.js";
export type { Trace, TraceJob, Cluster } from "./traces/index.js";
export { simulate } from "./sim/simulator.js";
export type { SimulationResult } from "./sim/types.js";
export { runSweep, type SweepOptions, type ScenarioResult } from "./whatif/sweep.js";
export { evaluate, type Candidate, type CandidateMetrics } from "./whatif/evaluate.js";
export { InputError } from "./errors.js";
export type * from "./model/types.js";
