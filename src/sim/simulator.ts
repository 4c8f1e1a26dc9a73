/**
 * Discrete-event simulator: replays a trace through the incremental scheduler and records what
 * every job experienced. Events are job arrivals, task and gang completions, node changes and
 * wake-ups. All events at one timestamp form a batch, followed by one scheduling pass, plus one
 * more per applied preemption plan, up to `maxPassesPerBatch`.
 *
 * Work model:
 * - A task runs for `durationByGpuType[type] ?? duration` seconds on a node of GPU type `type`.
 * - A gang runs once all its members are placed; all members then finish together, after the
 *   duration on the slowest GPU type among them.
 * - Progress is kept as the fraction of the job's work done, so a task preempted on one GPU
 *   type and restarted on another runs for the remaining fraction of the new type's duration.
 * - Preemption and node loss keep the work up to the last checkpoint (every
 *   `checkpointInterval` seconds of the run; none when 0) and throw the rest away.
 *
 * Jobs are read lazily: one arrival event is outstanding at a time, in submit order (ties in
 * trace order), a job is materialised from the trace only when it arrives, and its state is
 * dropped once it finishes, leaving its outcome. So a `TraceSource` over a shared buffer is
 * replayed without ever holding the whole trace as objects.
 *
 * Determinism: events at equal times are ordered by kind, then insertion; iteration is over
 * arrays or insertion-ordered maps filled in event order, and no wall-clock value enters the
 * result. The same inputs give the same result, whether the trace is a `Trace` or a
 * `TraceSource` holding the same jobs.
 */
import type { NodeSpec, QueueSpec, ResourceAmounts } from "../model/types.js";
import type { Cluster, Trace, TraceJob } from "../traces/types.js";
import { EventKind, EventQueue } from "./event-queue.js";
import { defaultSampleInterval, resolveOptions, type SimulationOptions } from "./options.js";
import { buildQueueTree, buildSnapshot, leafQueueNames, toJobSpec } from "./snapshot.js";
import type {
  Conservation,
  JobOutcome,
  NodeEvent,
  SampleSeries,
  SchedulerFactory,
  SimDecision,
  SimProgress,
  SimScheduler,
  SimTrace,
  SimulationResult,
} from "./types.js";

export interface SimulationInput {
  /** Jobs to replay: a `Trace`, or a `SimTrace` read one job at a time (for example a shared trace). */
  trace: Trace | SimTrace;
  cluster: Cluster;
  /** Queues replacing `trace.queues` (for example merged with an allocation file); parents may be left out. */
  queues?: QueueSpec[];
  nodeEvents?: NodeEvent[];
}

export interface SimulationHooks {
  /** Called every few hundred batches and once at the end. */
  onProgress?: (progress: SimProgress) => void;
}

/** Reported for unfinished jobs that were running or placed when a guard stopped the run. */
export const STOPPED_WHILE_RUNNING = "still running when the simulation stopped";
/** Reported for unfinished jobs the scheduler never gave a pending reason. */
export const NO_PENDING_REASON = "pending, no reason reported by the scheduler";

/** Relative slack allowed when checking node capacity, for floating-point sums of requests. */
const CAPACITY_EPSILON = 1e-9;
const PROGRESS_EVERY_BATCHES = 512;

/** Replays `input` through a scheduler from `createScheduler` and returns the raw record. */
export function simulate(
  input: SimulationInput,
  createScheduler: SchedulerFactory,
  partialOptions: Partial<SimulationOptions> = {},
  hooks: SimulationHooks = {},
): SimulationResult {
  return new Simulation(input, createScheduler, resolveOptions(partialOptions), hooks).run();
}

/** Duration in seconds of `job` on GPU type `gpuType`. */
export function durationOn(job: TraceJob, gpuType: string | undefined): number {
  return (gpuType !== undefined ? job.durationByGpuType?.[gpuType] : undefined) ?? job.duration;
}

/** Returns `trace` as a `SimTrace`; a `Trace`'s job array is read in place, not copied. */
export function traceSource(trace: Trace | SimTrace): SimTrace {
  if (!("jobs" in trace)) return trace;
  const jobs = trace.jobs;
  return {
    length: jobs.length,
    job: (i) => jobs[i],
    submitTime: (i) => jobs[i].submitTime,
    duration: (i) => jobs[i].duration,
    queues: trace.queues,
    skipped: trace.skipped,
    adjusted: trace.adjusted,
    notes: trace.notes,
  };
}

/** One run of one task, from its placement to its finish or preemption. */
interface TaskRun {
  serial: number;
  task: number;
  job: number;
  node: number;
  request: ResourceAmounts;
  gpus: number;
  start: number;
  gpuType: string | undefined;
  /** Fraction of the work done when this run started (non-gang tasks). */
  progress: number;
}

/** An arrived job that has not finished; dropped when it finishes. */
interface JobState {
  trace: TraceJob;
  outcome: JobOutcome;
  /** Progress fractions of the task units waiting to be placed, ascending. */
  pendingUnits: number[];
  running: TaskRun[];
  completedTasks: number;
  /** Gang only: fraction of the work done, the time the current run began (NaN when not running), and a stamp that invalidates stale finish events. */
  gangProgress: number;
  gangStart: number;
  gangDuration: number;
  gangStamp: number;
  /** Uninterrupted duration on the slowest GPU type among its finished runs, in seconds. */
  slowestDuration: number;
  lastReason: string | undefined;
}

interface NodeState {
  spec: NodeSpec;
  capacity: number[];
  used: number[];
  present: boolean;
  schedulable: boolean;
}

class Simulation {
  private readonly options: SimulationOptions;
  private readonly scheduler: SimScheduler;
  private readonly queue = new EventQueue();
  private readonly dimensions: string[];
  private readonly trace: SimTrace;
  /** Job indices in submit order (ties in trace order); undefined when the trace is already in that order. */
  private readonly arrivalOrder: Uint32Array | undefined;
  /** Position in the submit order of the next job to arrive. */
  private nextArrival = 0;
  /** Outcome of each job that has arrived, by trace index. */
  private readonly outcomes: (JobOutcome | undefined)[];
  /** State of each job that has arrived and not finished, by trace index. */
  private readonly jobs: (JobState | undefined)[];
  /** Trace index of each arrived, unfinished job, by name. */
  private readonly jobIndex = new Map<string, number>();
  private readonly nodes: NodeState[] = [];
  private readonly nodeIndex = new Map<string, number>();
  private readonly runsByTask = new Map<number, TaskRun>();
  private readonly runsBySerial = new Map<number, TaskRun>();
  private readonly nodeEvents: NodeEvent[];
  private readonly leafQueues: string[];
  private readonly samples: SampleSeries;
  private readonly conservation: Conservation = {
    gpuSecondsByTasks: 0,
    gpuSecondsIntegral: 0,
    overCapacityEvents: 0,
    maxNodeFill: 0,
    maxUtilisation: 0,
    fairShareSumMaxError: 0,
    samplesWithActiveQueue: 0,
    ignoredDecisions: 0,
  };

  private now: number;
  private readonly startTime: number;
  private nextSampleTime: number;
  private nextSerial = 0;
  private usedGpus = 0;
  private capacityGpuSeconds = 0;
  private capacityGpus = 0;
  private schedulableGpus = 0;
  private activeJobs = 0;
  /** Arrived jobs with at least one task waiting to be placed. */
  private jobsWithPendingTasks = 0;
  private jobsDone = 0;
  private events = 0;
  private passes = 0;
  private stopReason: string | null = null;
  private idleWakeups = 0;
  private wakeupPending = false;
  private readonly queueTree: QueueSpec[];
  /** Wake-up spacing (seconds) and the idle wake-ups allowed in a row; undefined without preemption. */
  private readonly wakeupSchedule: { interval: number; maxIdle: number } | undefined;
  private readonly initialGpusByType: Record<string, number> = {};
  private readonly initialGpus: number;

  constructor(
    private readonly input: SimulationInput,
    createScheduler: SchedulerFactory,
    options: SimulationOptions,
    private readonly hooks: SimulationHooks,
  ) {
    this.options = options;
    const trace = traceSource(input.trace);
    this.trace = trace;
    this.nodeEvents = [...(input.nodeEvents ?? [])];

    // 1. The clock starts at the earliest arrival or node event (0 for an empty input).
    let firstTime = Infinity;
    let lastUncontendedFinish = -Infinity;
    let inSubmitOrder = true;
    for (let i = 0; i < trace.length; i++) {
      const submitTime = trace.submitTime(i);
      const duration = trace.duration ? trace.duration(i) : trace.job(i).duration;
      if (i > 0 && !(submitTime >= trace.submitTime(i - 1))) inSubmitOrder = false;
      firstTime = Math.min(firstTime, submitTime);
      lastUncontendedFinish = Math.max(lastUncontendedFinish, submitTime + duration);
    }
    for (const event of this.nodeEvents) firstTime = Math.min(firstTime, event.time);
    this.startTime = Number.isFinite(firstTime) ? firstTime : 0;
    this.now = this.startTime;

    // 2. The scheduler starts from the cluster and the queue tree, with no jobs.
    this.queueTree = buildQueueTree(input.queues ?? trace.queues, options);
    this.leafQueues = leafQueueNames(this.queueTree);
    this.wakeupSchedule = options.preemption ? wakeupScheduleOf(this.queueTree) : undefined;
    const snapshot = buildSnapshot(input.cluster.nodes, this.queueTree, this.startTime);
    this.dimensions = snapshot.resources;
    for (const node of input.cluster.nodes) this.addNodeState(node);
    this.initialGpus = this.capacityGpus;
    for (const node of input.cluster.nodes) {
      const type = node.gpuType ?? "none";
      const gpus = node.capacity.gpu ?? 0;
      if (gpus > 0) this.initialGpusByType[type] = (this.initialGpusByType[type] ?? 0) + gpus;
    }
    this.scheduler = createScheduler(snapshot);
    this.scheduler.setTime(this.startTime);

    // 3. Every node change becomes an event, and so does the first arrival in submit order;
    //    each arrival queues the next one.
    this.outcomes = new Array<JobOutcome | undefined>(trace.length);
    this.jobs = new Array<JobState | undefined>(trace.length);
    this.arrivalOrder = inSubmitOrder ? undefined : submitOrder(trace);
    this.queueNextArrival();
    this.nodeEvents.forEach((event, index) => this.queue.push(event.time, EventKind.Node, index));

    // 4. Samples start at the clock's start, every `interval` seconds. The default interval is
    //    sized from the last time a job could finish without waiting, a lower bound on the run's end.
    const span = Number.isFinite(lastUncontendedFinish) ? lastUncontendedFinish - this.startTime : 0;
    const interval = options.sampleInterval > 0 ? options.sampleInterval : defaultSampleInterval(span);
    this.nextSampleTime = this.startTime;
    this.samples = {
      interval,
      time: [],
      usedGpus: [],
      capacityGpus: [],
      schedulableGpus: [],
      queues: this.leafQueues.map((name) => ({ name, usage: [], fairShare: [], steadyFairShare: [], demand: [] })),
    };
  }

  run(): SimulationResult {
    let batches = 0;
    for (;;) {
      const next = this.queue.peek();
      if (next === undefined) break;
      if (next.time > this.options.maxTime) {
        this.stopReason = `simulation stopped at ${this.now} s: the next event is at ${next.time} s, past the maximum simulated time of ${this.options.maxTime} s; raise maxTime (--max-time) to replay further`;
        break;
      }
      if (this.events >= this.options.maxEvents) {
        this.stopReason = `simulation stopped at ${this.now} s after ${this.events} events, the maximum; raise maxEvents (--max-events) to replay further`;
        break;
      }

      // 1. Sample the state that held since the previous batch, and integrate GPU use over it.
      this.advanceTo(next.time);

      // 2. Apply every event at this timestamp.
      const changed = this.applyBatch(next.time);

      // 3. One scheduling pass, and another after each applied preemption plan.
      if (changed) this.schedulePasses();

      batches += 1;
      if (this.hooks.onProgress && batches % PROGRESS_EVERY_BATCHES === 0) {
        this.hooks.onProgress({ time: this.now, jobsDone: this.jobsDone, jobsTotal: this.trace.length });
      }
    }

    this.finishRun();
    this.hooks.onProgress?.({ time: this.now, jobsDone: this.jobsDone, jobsTotal: this.trace.length });
    return this.result();
  }

  /** Records the samples due before `time` and moves the clock there. */
  private advanceTo(time: number): void {
    if (time > this.now) {
      this.conservation.gpuSecondsIntegral += this.usedGpus * (time - this.now);
      this.capacityGpuSeconds += this.capacityGpus * (time - this.now);
    }
    this.sampleBefore(time, false);
    this.now = time;
    this.scheduler.setTime(time);
  }

  /** Samples at every sample time before `time` (or up to and including it, when `inclusive`). */
  private sampleBefore(time: number, inclusive: boolean): void {
    if (!(this.nextSampleTime < time || (inclusive && this.nextSampleTime <= time))) return;
    // The state is constant between events, so one call to shares() serves every sample in the gap.
    const shares = this.scheduler.shares();
    const byName = new Map(shares.map((share) => [share.name, share]));
    while (this.nextSampleTime < time || (inclusive && this.nextSampleTime <= time)) {
      this.recordSample(this.nextSampleTime, byName);
      this.nextSampleTime += this.samples.interval;
    }
  }

  private recordSample(time: number, shares: Map<string, ReturnType<SimScheduler["shares"]>[number]>): void {
    const samples = this.samples;
    samples.time.push(time);
    samples.usedGpus.push(this.usedGpus);
    samples.capacityGpus.push(this.capacityGpus);
    samples.schedulableGpus.push(this.schedulableGpus);

    let fairShareSum = 0;
    let active = false;
    for (const series of samples.queues) {
      const share = shares.get(series.name);
      const usage = share?.usage.gpu ?? 0;
      const fairShare = share?.fairShare.gpu ?? 0;
      const demand = share?.demand.gpu ?? 0;
      series.usage.push(usage);
      series.fairShare.push(fairShare);
      series.steadyFairShare.push(share?.steadyFairShare.gpu ?? 0);
      series.demand.push(demand);
      fairShareSum += fairShare;
      if (usage > 0 || demand > 0) active = true;
    }
    if (active) {
      this.conservation.samplesWithActiveQueue += 1;
      const error = Math.abs(fairShareSum - this.schedulableGpus);
      if (error > this.conservation.fairShareSumMaxError) this.conservation.fairShareSumMaxError = error;
    }
  }

  /** Applies the events at `time`; returns whether any changed the state. */
  private applyBatch(time: number): boolean {
    let changed = false;
    let external = false;
    let onlyFinishes = true;
    for (;;) {
      const event = this.queue.peek();
      if (event === undefined || event.time !== time) break;
      this.queue.pop();
      this.events += 1;

      switch (event.kind) {
        case EventKind.Finish:
          if (this.finishTaskRun(event.target)) external = true;
          break;
        case EventKind.FinishGang:
          if (this.finishGang(event.target, event.stamp)) external = true;
          break;
        case EventKind.Node:
          onlyFinishes = false;
          this.applyNodeEvent(this.nodeEvents[event.target]);
          external = true;
          break;
        case EventKind.Arrival:
          onlyFinishes = false;
          this.arrive(event.target);
          this.queueNextArrival();
          external = true;
          break;
        case EventKind.Wakeup:
          onlyFinishes = false;
          this.wakeupPending = false;
          changed = true;
          break;
      }
    }
    if (external) this.idleWakeups = 0;
    // With nothing waiting, a pass after completions alone cannot place or preempt anything
    // (trace jobs are not elastic), so it is skipped.
    if (onlyFinishes && this.jobsWithPendingTasks === 0) return false;
    return changed || external;
  }

  /** Queues the arrival of the next job in submit order, if any is left. */
  private queueNextArrival(): void {
    if (this.nextArrival >= this.trace.length) return;
    const position = this.nextArrival++;
    const index = this.arrivalOrder === undefined ? position : this.arrivalOrder[position];
    this.queue.push(this.trace.submitTime(index), EventKind.Arrival, index);
  }

  /** Materialises job `index` from the trace and submits it. */
  private arrive(index: number): void {
    const job = this.newJobState(this.trace.job(index));
    this.jobs[index] = job;
    this.outcomes[index] = job.outcome;
    this.jobIndex.set(job.trace.name, index);
    this.activeJobs += 1;
    if (job.pendingUnits.length > 0) this.jobsWithPendingTasks += 1;
    job.outcome.activeJobsAtSubmit = this.activeJobs;
    job.outcome.clusterGpusAtSubmit = this.capacityGpus;
    this.scheduler.submit(toJobSpec(job.trace, this.options.checkpointInterval));
  }

  /**
   * Runs the scheduling passes of one batch:
   *
   * 1. A pass places what fits; the simulator starts those tasks.
   *
   * 2. With preemption on, the pass's preemption plan is applied, and another pass places work
   *    on what it freed, up to `maxPassesPerBatch` passes.
   *
   * 3. With preemption on and work still pending, a wake-up is scheduled the shortest
   *    preemption timeout later, so that starvation timers can expire without another event.
   *    Wake-ups that change nothing stop once they have covered the longest timeout, so a job
   *    that never fits cannot keep the run alive.
   */
  private schedulePasses(): void {
    let decision: SimDecision | undefined;
    for (let pass = 0; pass < this.options.maxPassesPerBatch; pass++) {
      decision = this.scheduler.schedule();
      this.passes += 1;
      this.applyPlacements(decision);
      for (const pending of decision.pending) {
        const index = this.jobIndex.get(pending.job);
        if (index !== undefined) this.jobs[index]!.lastReason = pending.reason;
      }
      if (decision.placements.length > 0) this.idleWakeups = 0;
      if (!this.options.preemption || decision.preemptions.length === 0) break;
      this.idleWakeups = 0;
      this.applyPreemptions(decision);
    }
    this.checkUtilisation();

    const wakeups = this.wakeupSchedule;
    if (wakeups === undefined || decision === undefined || decision.pending.length === 0 || this.wakeupPending) return;
    if (this.idleWakeups >= wakeups.maxIdle) return;
    this.idleWakeups += 1;
    this.wakeupPending = true;
    this.queue.push(this.now + wakeups.interval, EventKind.Wakeup, 0);
  }

  private applyPlacements(decision: SimDecision): void {
    const gangsStarted: number[] = [];
    for (const placement of decision.placements) {
      const jobIndex = this.jobIndex.get(placement.job);
      const nodeIndex = this.nodeIndex.get(placement.node);
      if (jobIndex === undefined || nodeIndex === undefined || this.runsByTask.has(placement.task)) {
        this.conservation.ignoredDecisions += 1;
        continue;
      }
      const job = this.jobs[jobIndex]!;
      const node = this.nodes[nodeIndex];
      const gpus = placement.request.gpu ?? 0;
      const run: TaskRun = {
        serial: this.nextSerial++,
        task: placement.task,
        job: jobIndex,
        node: nodeIndex,
        request: placement.request,
        gpus,
        start: this.now,
        gpuType: node.spec.gpuType ?? placement.gpuType,
        progress: this.takePendingUnit(job),
      };
      this.runsByTask.set(run.task, run);
      this.runsBySerial.set(run.serial, run);
      job.running.push(run);
      this.occupy(node, run.request, 1);
      this.usedGpus += gpus;

      if (job.trace.gang) {
        if (!gangsStarted.includes(jobIndex)) gangsStarted.push(jobIndex);
        continue;
      }
      job.outcome.startTime ??= this.now;
      const remaining = (1 - run.progress) * durationOn(job.trace, run.gpuType);
      this.queue.push(this.now + Math.max(0, remaining), EventKind.Finish, run.serial);
    }

    // A gang starts once every member that has not finished is running.
    for (const jobIndex of gangsStarted) {
      const job = this.jobs[jobIndex]!;
      if (job.running.length < job.trace.taskCount - job.completedTasks) continue;
      if (!Number.isNaN(job.gangStart)) continue;
      job.gangStart = this.now;
      job.gangDuration = Math.max(...job.running.map((run) => durationOn(job.trace, run.gpuType)));
      job.gangStamp += 1;
      job.outcome.startTime ??= this.now;
      const remaining = (1 - job.gangProgress) * job.gangDuration;
      this.queue.push(this.now + Math.max(0, remaining), EventKind.FinishGang, jobIndex, job.gangStamp);
    }
  }

  private applyPreemptions(decision: SimDecision): void {
    const stoppedJobs: number[] = [];
    for (const preemption of decision.preemptions) {
      const run = this.runsByTask.get(preemption.task);
      if (run === undefined) {
        // A gang-mate of a task already stopped in this plan is no longer running.
        if (!stoppedJobs.includes(this.jobIndex.get(preemption.job) ?? -1)) this.conservation.ignoredDecisions += 1;
        continue;
      }
      if (!stoppedJobs.includes(run.job)) {
        stoppedJobs.push(run.job);
        this.jobs[run.job]!.outcome.preemptions += 1;
      }
      this.stopRun(run);
    }
  }

  /**
   * Stops `run` (and, for a gang, every running member, because a gang cannot run short of a
   * member), keeping the work up to the last checkpoint and returning the rest to pending.
   */
  private stopRun(run: TaskRun): void {
    const job = this.jobs[run.job]!;
    const victims = job.trace.gang ? [...job.running] : [run];
    const interval = this.options.checkpointInterval;
    const checkpointedTime = (elapsed: number) => (interval > 0 ? Math.floor(elapsed / interval) * interval : 0);

    if (job.trace.gang) {
      const running = !Number.isNaN(job.gangStart);
      const elapsed = running ? this.now - job.gangStart : 0;
      const saved = checkpointedTime(elapsed);
      if (running && job.gangDuration > 0) job.gangProgress = Math.min(1, job.gangProgress + saved / job.gangDuration);
      for (const victim of victims) job.outcome.lostGpuSeconds += (elapsed - saved) * victim.gpus;
      job.gangStart = Number.NaN;
      job.gangStamp += 1;
    }

    for (const victim of victims) {
      this.scheduler.preemptTask(victim.task);
      this.closeRun(victim);
      job.outcome.preemptedTasks += 1;
      let progress = 0;
      if (!job.trace.gang) {
        const elapsed = this.now - victim.start;
        const saved = checkpointedTime(elapsed);
        const duration = durationOn(job.trace, victim.gpuType);
        progress = duration > 0 ? Math.min(1, victim.progress + saved / duration) : victim.progress;
        job.outcome.lostGpuSeconds += (elapsed - saved) * victim.gpus;
      }
      if (job.pendingUnits.length === 0) this.jobsWithPendingTasks += 1;
      insertSorted(job.pendingUnits, progress);
    }
  }

  private finishTaskRun(serial: number): boolean {
    const run = this.runsBySerial.get(serial);
    if (run === undefined) return false;
    const job = this.jobs[run.job]!;
    this.scheduler.finishTask(run.task);
    this.closeRun(run);
    job.completedTasks += 1;
    job.outcome.gpuType = typeOfRuns(job.outcome.gpuType, run.gpuType, job.completedTasks === 1);
    job.slowestDuration = Math.max(job.slowestDuration, durationOn(job.trace, run.gpuType));
    if (job.completedTasks === job.trace.taskCount) this.completeJob(run.job);
    return true;
  }

  private finishGang(jobIndex: number, stamp: number): boolean {
    const job = this.jobs[jobIndex];
    if (job === undefined || stamp !== job.gangStamp || Number.isNaN(job.gangStart)) return false;
    const members = [...job.running];
    job.outcome.gpuType = null;
    members.forEach((run, index) => {
      this.scheduler.finishTask(run.task);
      this.closeRun(run);
      job.completedTasks += 1;
      job.outcome.gpuType = typeOfRuns(job.outcome.gpuType, run.gpuType, index === 0);
    });
    job.slowestDuration = job.gangDuration;
    job.gangStart = Number.NaN;
    this.completeJob(jobIndex);
    return true;
  }

  /** Records job `index`'s finish and drops its state, keeping its outcome. */
  private completeJob(index: number): void {
    const job = this.jobs[index]!;
    job.outcome.finishTime = this.now;
    job.outcome.runTime = job.slowestDuration;
    this.activeJobs -= 1;
    this.jobsDone += 1;
    this.jobs[index] = undefined;
    if (this.jobIndex.get(job.trace.name) === index) this.jobIndex.delete(job.trace.name);
  }

  /** Takes the pending task unit with the most progress for a placement. */
  private takePendingUnit(job: JobState): number {
    if (job.pendingUnits.length === 0) return 0;
    const progress = job.pendingUnits.pop()!;
    if (job.pendingUnits.length === 0) this.jobsWithPendingTasks -= 1;
    return progress;
  }

  /** Removes a run from the books, counting its GPU time. */
  private closeRun(run: TaskRun): void {
    const job = this.jobs[run.job]!;
    const position = job.running.indexOf(run);
    if (position >= 0) job.running.splice(position, 1);
    this.runsByTask.delete(run.task);
    this.runsBySerial.delete(run.serial);
    this.occupy(this.nodes[run.node], run.request, -1);
    this.usedGpus -= run.gpus;
    this.conservation.gpuSecondsByTasks += run.gpus * (this.now - run.start);
  }

  /** Adds (`sign` 1) or removes (-1) a request on a node and checks the node's capacity. */
  private occupy(node: NodeState, request: ResourceAmounts, sign: number): void {
    for (let d = 0; d < this.dimensions.length; d++) {
      const amount = request[this.dimensions[d]] ?? 0;
      if (amount === 0) continue;
      node.used[d] += sign * amount;
    }
    if (sign < 0) return;
    let over = false;
    for (let d = 0; d < this.dimensions.length; d++) {
      const capacity = node.capacity[d];
      const used = node.used[d];
      if (used > capacity * (1 + CAPACITY_EPSILON) + CAPACITY_EPSILON) over = true;
      if (capacity > 0 && used / capacity > this.conservation.maxNodeFill) this.conservation.maxNodeFill = used / capacity;
      if (capacity === 0 && used > 0) this.conservation.maxNodeFill = Infinity;
    }
    if (over) this.conservation.overCapacityEvents += 1;
  }

  private checkUtilisation(): void {
    if (this.capacityGpus <= 0) return;
    const utilisation = this.usedGpus / this.capacityGpus;
    if (utilisation > this.conservation.maxUtilisation) this.conservation.maxUtilisation = utilisation;
  }

  private applyNodeEvent(event: NodeEvent): void {
    if (event.kind === "add") {
      const existing = this.nodeIndex.get(event.node.name);
      if (existing !== undefined && this.nodes[existing].present) return;
      this.addNodeState(event.node);
      this.scheduler.addNode?.({ ...event.node });
      return;
    }

    const index = this.nodeIndex.get(event.node);
    if (index === undefined || !this.nodes[index].present) return;
    const node = this.nodes[index];
    const gpus = node.spec.capacity.gpu ?? 0;
    if (event.kind === "remove") {
      for (const run of [...this.runsByTask.values()]) {
        if (run.node === index && this.runsByTask.has(run.task)) this.stopRun(run);
      }
      this.scheduler.removeNode?.(node.spec.name);
      node.present = false;
      this.capacityGpus -= gpus;
      if (node.schedulable) this.schedulableGpus -= gpus;
      return;
    }

    const schedulable = event.kind === "resume";
    if (schedulable === node.schedulable) return;
    node.schedulable = schedulable;
    this.schedulableGpus += schedulable ? gpus : -gpus;
    this.scheduler.setNodeSchedulable?.(node.spec.name, schedulable);
  }

  private addNodeState(spec: NodeSpec): void {
    const state: NodeState = {
      spec,
      capacity: this.dimensions.map((dimension) => spec.capacity[dimension] ?? 0),
      used: this.dimensions.map(() => 0),
      present: true,
      schedulable: spec.schedulable !== false,
    };
    this.nodeIndex.set(spec.name, this.nodes.length);
    this.nodes.push(state);
    const gpus = spec.capacity.gpu ?? 0;
    this.capacityGpus += gpus;
    if (state.schedulable) this.schedulableGpus += gpus;
  }

  private newJobState(job: TraceJob): JobState {
    return {
      trace: job,
      outcome: newOutcome(job),
      pendingUnits: new Array<number>(job.taskCount).fill(0),
      running: [],
      completedTasks: 0,
      gangProgress: 0,
      gangStart: Number.NaN,
      gangDuration: 0,
      gangStamp: 0,
      slowestDuration: 0,
      lastReason: undefined,
    };
  }

  /** Closes the books: final samples, open runs, and a reason for every unfinished job. */
  private finishRun(): void {
    this.sampleBefore(this.now, true);
    for (let index = 0; index < this.trace.length; index++) {
      const outcome = this.outcomes[index];
      const job = this.jobs[index];
      if (outcome === undefined) {
        const never = newOutcome(this.trace.job(index));
        never.unfinishedReason = this.stopReason ?? "never submitted";
        this.outcomes[index] = never;
      } else if (job === undefined) continue;
      else if (this.stopReason !== null && job.running.length > 0) outcome.unfinishedReason = STOPPED_WHILE_RUNNING;
      else outcome.unfinishedReason = job.lastReason ?? NO_PENDING_REASON;
    }
    for (const run of [...this.runsBySerial.values()]) this.closeRun(run);
  }

  private result(): SimulationResult {
    const weights = new Map(this.queueTree.map((queue) => [queue.name, queue.weight ?? 1]));
    return {
      jobs: this.outcomes as JobOutcome[],
      samples: this.samples,
      conservation: this.conservation,
      startTime: this.startTime,
      endTime: this.now,
      capacityGpuSeconds: this.capacityGpuSeconds,
      events: this.events,
      passes: this.passes,
      stopReason: this.stopReason,
      queues: this.leafQueues.map((name) => ({ name, weight: weights.get(name) ?? 1 })),
      clusterGpus: this.initialGpus,
      gpusByType: this.initialGpusByType,
      nodes: this.input.cluster.nodes.length,
      traceNotes: [...this.trace.notes],
      traceSkipped: { ...this.trace.skipped },
      traceAdjusted: { ...(this.trace.adjusted ?? {}) },
      clusterNotes: [...this.input.cluster.notes],
      settings: {
        policy: this.options.policy ?? "per queue",
        preemption: this.options.preemption,
        checkpointInterval: this.options.checkpointInterval,
        sampleInterval: this.samples.interval,
      },
      queueSpecs: this.queueTree,
    };
  }
}

/** Returns a job's outcome before it has run. */
function newOutcome(job: TraceJob): JobOutcome {
  return {
    name: job.name,
    queue: job.queue,
    user: job.user,
    submitTime: job.submitTime,
    gpus: job.taskCount * (job.request.gpu ?? 0),
    taskCount: job.taskCount,
    gang: job.gang,
    startTime: null,
    finishTime: null,
    gpuType: null,
    runTime: null,
    preemptions: 0,
    preemptedTasks: 0,
    lostGpuSeconds: 0,
    activeJobsAtSubmit: 0,
    clusterGpusAtSubmit: 0,
  };
}

/** Returns the trace's job indices sorted by submit time, ties in trace order. */
function submitOrder(trace: SimTrace): Uint32Array {
  const order = Uint32Array.from({ length: trace.length }, (_, i) => i);
  return order.sort((a, b) => trace.submitTime(a) - trace.submitTime(b) || a - b);
}

/** Derives wake-up spacing from the queues' preemption timeouts; undefined when none is set. */
function wakeupScheduleOf(queues: QueueSpec[]): { interval: number; maxIdle: number } | undefined {
  const timeouts: number[] = [];
  for (const queue of queues) {
    for (const timeout of [queue.minSharePreemptionTimeout, queue.fairSharePreemptionTimeout]) {
      if (timeout !== undefined && Number.isFinite(timeout) && timeout >= 0) timeouts.push(timeout);
    }
  }
  if (timeouts.length === 0) return undefined;
  const interval = Math.max(1, Math.min(...timeouts));
  return { interval, maxIdle: Math.ceil(Math.max(...timeouts) / interval) + 1 };
}

/** Combines the GPU type of one more finished run into a job's type. */
function typeOfRuns(current: string | null, runType: string | undefined, first: boolean): string {
  const type = runType ?? "none";
  if (first || current === null) return type;
  return current === type ? current : "mixed";
}

/** Inserts `value` into the ascending array `values`. */
function insertSorted(values: number[], value: number): void {
  let position = values.length;
  while (position > 0 && values[position - 1] > value) position -= 1;
  values.splice(position, 0, value);
}
