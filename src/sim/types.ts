/**
 * Inputs and outputs of the simulator: the scheduler interface it drives, node events, and the
 * raw record of a run (jobs, samples, conservation counters) that `metrics.ts` summarises.
 *
 * Units: times in seconds of simulated time, GPUs as device counts, GPU time in GPU-seconds.
 */
import type { JobSpec, NodeSpec, QueueSpec, ResourceAmounts, Snapshot } from "../model/types.js";
import type { TraceJob } from "../traces/types.js";

/**
 * Read access to a trace's jobs one at a time, in trace order. The simulator reads jobs through
 * this and materialises each only when it arrives, so a trace kept in columns (a shared buffer)
 * never has to exist as an array of objects.
 */
export interface TraceSource {
  readonly length: number;
  /** Returns job `i` (0-based, in the trace's order) as a fresh object. */
  job(i: number): TraceJob;
  /** Returns the submit time of job `i` in seconds without materialising the job. */
  submitTime(i: number): number;
  /** Returns the duration of job `i` in seconds without materialising the job, where the source can. */
  duration?(i: number): number;
}

/** A trace the simulator replays: its jobs through `TraceSource`, and the trace's own account. */
export interface SimTrace extends TraceSource {
  readonly queues: QueueSpec[];
  readonly skipped: Record<string, number>;
  readonly adjusted?: Record<string, number>;
  readonly notes: string[];
}

/** One task placed by a scheduling pass. `task` identifies the running task until it ends. */
export interface SimPlacement {
  job: string;
  node: string;
  request: ResourceAmounts;
  task: number;
  gpuType?: string;
}

/** One task the scheduler plans to stop; the simulator applies it with `preemptTask`. */
export interface SimPreemption {
  job: string;
  node: string;
  task: number;
  reason: string;
  forJob?: string;
}

export interface SimDecision {
  placements: SimPlacement[];
  preemptions: SimPreemption[];
  pending: { job: string; reason: string }[];
}

/** Per-queue shares as the scheduler reports them, keyed by dimension name. */
export interface SimQueueShare {
  name: string;
  weight: number;
  fairShare: ResourceAmounts;
  steadyFairShare: ResourceAmounts;
  usage: ResourceAmounts;
  demand: ResourceAmounts;
}

/**
 * The incremental scheduler the simulator drives, which the library's `Scheduler` satisfies.
 * The simulator contains no scheduling logic of its own.
 */
export interface SimScheduler {
  setTime(seconds: number): void;
  submit(job: JobSpec): void;
  finishTask(task: number): void;
  preemptTask(task: number): void;
  schedule(): SimDecision;
  shares(): SimQueueShare[];
  addNode?(node: NodeSpec): void;
  removeNode?(name: string): void;
  setNodeSchedulable?(name: string, flag: boolean): void;
}

/** Builds a scheduler from the initial snapshot (nodes and queues, no jobs). */
export type SchedulerFactory = (snapshot: Snapshot) => SimScheduler;

/** A change to the cluster at a point in simulated time. */
export type NodeEvent =
  | { time: number; kind: "add"; node: NodeSpec }
  /** The node fails or leaves: its running tasks stop and lose the work since their last checkpoint. */
  | { time: number; kind: "remove"; node: string }
  /** The node keeps its running tasks but takes no new ones (`schedulable: false`), or takes them again. */
  | { time: number; kind: "drain" | "resume"; node: string };

/** The outcome of one job. A job that did not finish has `finishTime` null and an `unfinishedReason`. */
export interface JobOutcome {
  name: string;
  queue: string;
  user: string;
  /** Seconds. */
  submitTime: number;
  /** GPUs of the whole job: task count x GPUs per task. */
  gpus: number;
  taskCount: number;
  gang: boolean;
  /** Time its first task started (for a gang, the time the whole gang first ran); null if never. */
  startTime: number | null;
  finishTime: number | null;
  /** GPU type of the nodes its last run used; `mixed` for several, `none` for nodes without GPUs. */
  gpuType: string | null;
  /** Run time in seconds without interruption on `gpuType` (for `mixed`, the slowest type). */
  runTime: number | null;
  /** Times a run of this job was stopped by preemption (a gang counts once per stop). */
  preemptions: number;
  /** Tasks stopped by preemption or node loss, summed over all stops. */
  preemptedTasks: number;
  /** GPU-seconds of work thrown away by preemption and node loss (since the last checkpoint). */
  lostGpuSeconds: number;
  /** Jobs submitted and not yet finished when this one arrived, itself included. */
  activeJobsAtSubmit: number;
  /** GPUs of the cluster when this job arrived. */
  clusterGpusAtSubmit: number;
  unfinishedReason?: string;
}

/** Time series sampled every `interval` seconds; entry `i` of each array belongs to `time[i]`. */
export interface SampleSeries {
  interval: number;
  time: number[];
  /** GPUs in use by running tasks. */
  usedGpus: number[];
  /** GPUs of all nodes present (schedulable or draining). */
  capacityGpus: number[];
  /** GPUs of schedulable nodes: what fair shares divide. */
  schedulableGpus: number[];
  /** Leaf queues in name order, each with its GPU figures from `Scheduler.shares()`. */
  queues: {
    name: string;
    usage: number[];
    fairShare: number[];
    steadyFairShare: number[];
    demand: number[];
  }[];
}

/**
 * Independent checks of the run's bookkeeping, computed from the simulator's own view of
 * placements and finishes rather than from the scheduler.
 */
export interface Conservation {
  /** GPU-seconds summed per task run: GPUs x (end - start). */
  gpuSecondsByTasks: number;
  /** GPU-seconds integrated over time from the number of GPUs in use. */
  gpuSecondsIntegral: number;
  /** Placements that left some node above its capacity in some dimension. */
  overCapacityEvents: number;
  /** Largest used / capacity over all nodes, dimensions and events (1 means some node was full). */
  maxNodeFill: number;
  /** Largest cluster GPU utilisation after any scheduling pass. */
  maxUtilisation: number;
  /** Largest |sum of leaf fair shares - schedulable GPUs| over samples with an active queue. */
  fairShareSumMaxError: number;
  /** Samples in which some queue was active. */
  samplesWithActiveQueue: number;
  /** Placements of tasks of unknown jobs, or on unknown nodes, and preemptions of unknown tasks. */
  ignoredDecisions: number;
}

export interface SimulationResult {
  /** Jobs in trace order. */
  jobs: JobOutcome[];
  samples: SampleSeries;
  conservation: Conservation;
  /** Time of the first event and of the last, in seconds. */
  startTime: number;
  endTime: number;
  /** GPUs present integrated over [startTime, endTime], in GPU-seconds. */
  capacityGpuSeconds: number;
  events: number;
  passes: number;
  /** Reason the run stopped before its events ran out (a guard), or null. */
  stopReason: string | null;
  /** Leaf queues of the run with their configured weight. */
  queues: { name: string; weight: number }[];
  /** GPUs of the cluster at the start. */
  clusterGpus: number;
  /** GPUs per GPU type at the start. */
  gpusByType: Record<string, number>;
  nodes: number;
  /** Facts about the inputs: the trace's notes and counts of rows left out or adjusted. */
  traceNotes: string[];
  traceSkipped: Record<string, number>;
  traceAdjusted: Record<string, number>;
  clusterNotes: string[];
  /** Settings that shaped the run. */
  settings: { policy: string; preemption: boolean; checkpointInterval: number; sampleInterval: number };
  queueSpecs: QueueSpec[];
}

/** Progress of a running simulation, for a progress bar. */
export interface SimProgress {
  time: number;
  jobsDone: number;
  jobsTotal: number;
}
