/**
 * Candidate scoring: simulates the next `horizon` seconds from a scheduler's current state once
 * per candidate action (a queue weight change, a preemption plan, a set of placements), in
 * parallel worker threads, and returns each candidate's metrics over that horizon.
 *
 * The horizon run starts a fresh scheduler from the candidate's snapshot, so running tasks keep
 * their nodes. Its events are task finishes only: no new jobs arrive, because the future
 * workload is unknown, and preemption plans made during the horizon are not applied.
 */
import { availableParallelism } from "node:os";
import type { JobSpec, ResourceAmounts, Snapshot } from "../model/types.js";
import { jainIndex } from "../sim/metrics.js";
import type { SchedulerFactory, SimScheduler } from "../sim/types.js";
import { WhatIfPool } from "./pool.js";
import { defaultSchedulerModule } from "./sweep.js";

/** A running task named by the caller's task id or by its job and node. */
export interface TaskRef {
  job: string;
  node: string;
  /** Task id as the caller's scheduler reported it; used when the snapshot carries task ids. */
  task?: number;
}

/** An action to score. */
export type Candidate =
  | { kind: "none" }
  | { kind: "weight"; queue: string; weight: number }
  /** Stops these running tasks now (a preemption plan); their work returns to pending. */
  | { kind: "preemption"; victims: TaskRef[] }
  /** Starts pending tasks of these jobs on these nodes now. */
  | { kind: "placement"; placements: { job: string; node: string; request: ResourceAmounts }[] };

/** Metrics of one candidate over the horizon. */
export interface CandidateMetrics {
  /** GPU-seconds in use over GPU-seconds present, over the horizon. */
  utilisation: number;
  /** Tasks started by the scheduler during the horizon (the candidate's own placements included). */
  tasksStarted: number;
  tasksFinished: number;
  /** Jobs whose first task started during the horizon. */
  jobsStarted: number;
  /** Mean of (first start - submit time) over `jobsStarted`, in seconds; 0 when none started. */
  meanQueueingDelay: number;
  /** Jobs with pending tasks at the end of the horizon. */
  jobsPending: number;
  /** GPU-hours of work the candidate's preemptions throw away (since each task's last checkpoint or start). */
  lostGpuHours: number;
  /** Jain's index over active leaf queues of (GPU usage / GPU fair share, both capped by demand) at the end; NaN when no queue is active. */
  jainIndex: number;
}

export interface EvaluateOptions {
  /**
   * Run time in seconds of one task of each job, by job name, counted from the task's start.
   * A job without an entry runs past the horizon.
   */
  durations?: Record<string, number>;
  /** Pool to run on; by default a pool of `workers` threads is created and destroyed per call. */
  pool?: WhatIfPool;
  /** Worker threads of the pool created per call; default `os.availableParallelism()`, at most one per candidate. */
  workers?: number;
  /** URL of a module exporting `createScheduler(snapshot)`; the library's Scheduler by default. */
  schedulerModule?: string;
}

export interface CandidateTask {
  kind: "candidate";
  /** The snapshot as UTF-8 JSON in a shared buffer, written once for all candidates. */
  snapshot: SharedArrayBuffer;
  candidate: Candidate;
  horizon: number;
  durations: Record<string, number>;
  schedulerModule: string;
}

/** Anything that reports its state as a snapshot: the library's `Scheduler`, or a snapshot itself. */
export type SnapshotSource = { snapshot(): Snapshot } | Snapshot;

/** Task ids the library's `Scheduler.snapshot()` attaches to each allocation, one per counted task. */
type AllocationWithIds = NonNullable<JobSpec["allocations"]>[number] & { taskIds?: number[] };

/**
 * Scores every candidate by simulating `horizon` seconds from `scheduler`'s current state, in
 * parallel, and returns one metrics record per candidate, in candidate order. A candidate that
 * fails rejects the call with its error.
 */
export async function evaluate(
  scheduler: SnapshotSource,
  candidates: readonly Candidate[],
  horizon: number,
  options: EvaluateOptions = {},
): Promise<CandidateMetrics[]> {
  if (!(Number.isFinite(horizon) && horizon > 0)) throw new RangeError(`horizon must be a positive number of seconds, got ${horizon}`);
  const snapshot = "snapshot" in scheduler && typeof scheduler.snapshot === "function" ? scheduler.snapshot() : (scheduler as Snapshot);
  const bytes = new TextEncoder().encode(JSON.stringify(snapshot));
  const shared = new SharedArrayBuffer(bytes.length);
  new Uint8Array(shared).set(bytes);

  const tasks: CandidateTask[] = candidates.map((candidate) => ({
    kind: "candidate",
    snapshot: shared,
    candidate,
    horizon,
    durations: options.durations ?? {},
    schedulerModule: options.schedulerModule ?? defaultSchedulerModule(),
  }));
  const workers = Math.max(1, Math.min(options.workers ?? availableParallelism(), candidates.length));
  const pool = options.pool ?? new WhatIfPool({ workers });
  try {
    return await Promise.all(tasks.map((task) => pool.run<CandidateTask, CandidateMetrics>(task)));
  } finally {
    if (!options.pool) await pool.destroy();
  }
}

/** Runs one candidate task in a worker. */
export async function runCandidate(task: CandidateTask, loadFactory: (url: string) => Promise<SchedulerFactory>): Promise<CandidateMetrics> {
  // Copy out of the shared buffer: TextDecoder does not accept views of shared memory.
  const snapshot = JSON.parse(new TextDecoder().decode(new Uint8Array(task.snapshot).slice())) as Snapshot;
  return scoreCandidate(snapshot, task.candidate, task.horizon, task.durations, await loadFactory(task.schedulerModule));
}

/** A task running in the horizon run. */
interface RunningTask {
  end: number;
  gpus: number;
}

/**
 * Simulates `horizon` seconds from `snapshot` with `candidate` applied, in this thread.
 *
 * 1. Apply the weight change or placements to a copy of the snapshot, and build the scheduler
 *    from it. Running tasks keep their nodes and start times.
 *
 * 2. Apply the preemption plan through the scheduler, counting the work it throws away.
 *
 * 3. Until the horizon ends: finish the tasks due, run a pass, start what it places, and move
 *    the clock to the next finish, integrating GPUs in use.
 */
export function scoreCandidate(
  original: Snapshot,
  candidate: Candidate,
  horizon: number,
  durations: Record<string, number>,
  createScheduler: SchedulerFactory,
): CandidateMetrics {
  const start = original.time;
  const end = start + horizon;
  const snapshot = structuredClone(original);
  const durationOf = (job: string) => durations[job] ?? Infinity;

  // 1. Weight and placements edit the snapshot; positions record where each running task sits.
  if (candidate.kind === "weight") applyWeight(snapshot, candidate.queue, candidate.weight);
  if (candidate.kind === "placement") applyPlacements(snapshot, candidate.placements);
  const positions = runningPositions(original);
  const scheduler = createScheduler(snapshot);
  const ids = taskIdsAfterLoad(scheduler, snapshot);

  const running = new Map<number, RunningTask>();
  const submitTimes = new Map(snapshot.jobs.map((job) => [job.name, job.submitTime]));
  const started = new Set<string>();
  let position = 0;
  for (const job of snapshot.jobs) {
    for (const allocation of job.allocations ?? []) {
      for (let k = 0; k < (allocation.count ?? 1); k++) {
        const taskStart = allocation.startTime ?? start;
        running.set(ids[position++], { end: Math.max(start, taskStart + durationOf(job.name)), gpus: allocation.request.gpu ?? 0 });
      }
    }
  }

  // 2. The preemption plan: map each victim to its position, then to this scheduler's task id.
  let lostGpuSeconds = 0;
  if (candidate.kind === "preemption") {
    const taken = new Set<number>();
    for (const victim of candidate.victims) {
      const at = findVictim(positions, victim, taken);
      taken.add(at);
      const { allocation } = positions[at];
      const since = Math.max(allocation.startTime ?? start, allocation.lastCheckpoint ?? -Infinity);
      lostGpuSeconds += (allocation.request.gpu ?? 0) * Math.max(0, start - since);
      scheduler.preemptTask(ids[at]);
      running.delete(ids[at]);
    }
  }

  // 3. The event loop over task finishes.
  // NOTE: this loop is kept apart from `simulate()`, which replays trace jobs of one task shape
  // from their arrival. A horizon run starts from a snapshot's jobs instead: several task groups,
  // running allocations with the scheduler's task ids, durations per job name, and a pass at the
  // horizon's start without an event.
  let now = start;
  let usedGpuSeconds = 0;
  let tasksStarted = 0;
  let tasksFinished = 0;
  let queueingDelay = 0;
  let jobsPending = 0;
  for (;;) {
    scheduler.setTime(now);
    for (const [id, task] of running) {
      if (task.end > now) continue;
      scheduler.finishTask(id);
      running.delete(id);
      tasksFinished++;
    }
    const decision = scheduler.schedule();
    for (const placement of decision.placements) {
      running.set(placement.task, { end: now + durationOf(placement.job), gpus: placement.request.gpu ?? 0 });
      tasksStarted++;
      if (!started.has(placement.job)) {
        started.add(placement.job);
        queueingDelay += now - (submitTimes.get(placement.job) ?? now);
      }
    }
    jobsPending = decision.pending.length;

    let next = end;
    for (const task of running.values()) next = Math.min(next, task.end);
    const used = [...running.values()].reduce((sum, task) => sum + task.gpus, 0);
    usedGpuSeconds += used * (next - now);
    if (next >= end) break;
    now = next;
  }

  const capacityGpus = snapshot.nodes.reduce((sum, node) => sum + (node.capacity.gpu ?? 0), 0);
  return {
    utilisation: capacityGpus > 0 ? usedGpuSeconds / (capacityGpus * horizon) : 0,
    tasksStarted,
    tasksFinished,
    jobsStarted: started.size,
    meanQueueingDelay: started.size > 0 ? queueingDelay / started.size : 0,
    jobsPending,
    lostGpuHours: lostGpuSeconds / 3600,
    jainIndex: shareFairness(scheduler),
  };
}

function applyWeight(snapshot: Snapshot, queue: string, weight: number): void {
  const spec = snapshot.queues.find((q) => q.name === queue);
  if (!spec) throw new Error(`candidate names queue ${queue}, which the snapshot does not have`);
  if (!(Number.isFinite(weight) && weight >= 0)) throw new Error(`candidate weight for ${queue} must be a number >= 0, got ${weight}`);
  spec.weight = weight;
}

/** Moves one pending task per placement to a running allocation that starts at the snapshot's time. */
function applyPlacements(snapshot: Snapshot, placements: { job: string; node: string; request: ResourceAmounts }[]): void {
  for (const placement of placements) {
    const job = snapshot.jobs.find((j) => j.name === placement.job);
    if (!job) throw new Error(`candidate places job ${placement.job}, which the snapshot does not have`);
    if (!snapshot.nodes.some((n) => n.name === placement.node)) {
      throw new Error(`candidate places job ${placement.job} on node ${placement.node}, which the snapshot does not have`);
    }
    const group = job.tasks.find((t) => t.count > 0 && sameRequest(t.request, placement.request));
    if (!group) throw new Error(`job ${placement.job} has no pending task with request ${JSON.stringify(placement.request)}`);
    group.count--;
    (job.allocations ??= []).push({ node: placement.node, request: { ...placement.request }, count: 1, startTime: snapshot.time });
  }
}

function sameRequest(a: ResourceAmounts, b: ResourceAmounts): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  for (const key of keys) if ((a[key] ?? 0) !== (b[key] ?? 0)) return false;
  return true;
}

/** Lists running tasks in snapshot order (jobs, then allocations, count expanded). */
function runningPositions(snapshot: Snapshot): { job: string; allocation: AllocationWithIds; id?: number }[] {
  const positions: { job: string; allocation: AllocationWithIds; id?: number }[] = [];
  for (const job of snapshot.jobs) {
    for (const allocation of (job.allocations ?? []) as AllocationWithIds[]) {
      for (let k = 0; k < (allocation.count ?? 1); k++) positions.push({ job: job.name, allocation, id: allocation.taskIds?.[k] });
    }
  }
  return positions;
}

/** Returns the position of `victim`: by task id when both carry one, else the first untaken task of its job on its node. */
function findVictim(positions: ReturnType<typeof runningPositions>, victim: TaskRef, taken: Set<number>): number {
  const byId = victim.task === undefined ? -1 : positions.findIndex((p, i) => p.id === victim.task && !taken.has(i));
  if (byId >= 0) return byId;
  const byPlace = positions.findIndex((p, i) => p.job === victim.job && p.allocation.node === victim.node && !taken.has(i));
  if (byPlace < 0) {
    throw new Error(`candidate preempts a task of job ${victim.job} on node ${victim.node}, which is not running (or is listed twice)`);
  }
  return byPlace;
}

/**
 * Returns the task id the new scheduler gave each running task, in snapshot order. The library's
 * `Scheduler.snapshot()` reports them on each allocation; a scheduler without `snapshot()` is
 * assumed to number them 1, 2, ... in that order.
 */
function taskIdsAfterLoad(scheduler: SimScheduler, snapshot: Snapshot): number[] {
  const reported = (scheduler as Partial<{ snapshot(): Snapshot }>).snapshot?.();
  const ids = reported ? runningPositions(reported).map((p) => p.id) : [];
  const count = runningPositions(snapshot).length;
  if (ids.length === count && ids.every((id) => id !== undefined)) return ids as number[];
  return Array.from({ length: count }, (_, i) => i + 1);
}

/** Jain's index over active leaf queues of the fraction of their entitlement they hold. */
function shareFairness(scheduler: SimScheduler): number {
  const shares = scheduler.shares();
  const names = shares.map((s) => s.name);
  const fractions: number[] = [];
  for (const share of shares) {
    if (names.some((other) => other.startsWith(`${share.name}.`))) continue;
    const fairShare = share.fairShare.gpu ?? 0;
    const entitlement = Math.min(share.demand.gpu ?? 0, fairShare);
    if (entitlement <= 0) continue;
    fractions.push(Math.min(share.usage.gpu ?? 0, fairShare) / entitlement);
  }
  return fractions.length > 0 ? jainIndex(fractions) : Number.NaN;
}
