/**
 * The embeddable scheduler: a `Scheduler` keeps one core state across calls, takes cluster
 * events and returns decisions; `decide(snapshot)` is the stateless form of one pass. Both run
 * the same WebAssembly allocation pass (`schedulePass`).
 *
 * Cheap events (a task finishes or is preempted, a job is submitted, a node is cordoned) update
 * the state in place. Events that change the shape of the tables (a node added or removed, a job
 * removed, a queue changed, tables out of rows) rebuild the state from `snapshot()`, which keeps
 * task ids and locality counters.
 */
import { validateJob, validateNode, validateQueue } from "./config/snapshot.js";
import { InputError } from "./errors.js";
import { loadForScheduling, runPass, userLimit, type SchedulerOptions } from "./pass.js";
import type { StateIndex } from "./core/load.js";
import {
  ALLOC_LIVE,
  JOB_ELASTIC,
  JOB_GANG,
  JOB_PREEMPTIBLE,
  JOB_RUNNING,
  NODE_SCHEDULABLE,
  NONE,
  QUEUE_ACTIVE,
  REASON_WAITING_FOR_LOCALITY,
  TASK_AM,
} from "./core/layout.js";
import { CoreState } from "./core/state.js";
import { readDecision, type Decision } from "./decision.js";
import { capturePreemptionState, planPreemptionInto, restorePreemptionState } from "./preemption.js";
import type { AllocationSpec, JobSpec, NodeSpec, QueueSpec, ResourceAmounts, Snapshot } from "./model/types.js";
import { readShares, type QueueShareReport } from "./shares.js";

export type { Decision, PendingJob, Placement, Preemption } from "./decision.js";
export { decide, loadForScheduling, preparePass, type SchedulerOptions } from "./pass.js";

/** A running task lost with its node; its work went back to pending. */
export interface LostTask {
  job: string;
  task: number;
}

/**
 * Minimum alloc rows per node in a long-lived scheduler's state. Placements use rows up and only
 * a rebuild reclaims finished ones, so room for several tasks per node keeps rebuilds rare.
 */
const ALLOC_ROWS_PER_NODE = 16;

/** An incremental scheduler over one core state; see the module comment. */
export class Scheduler {
  private state!: CoreState;
  private index!: StateIndex;
  private readonly options: SchedulerOptions;
  private nodes: NodeSpec[];
  private queues: QueueSpec[];
  /** Per-user limits (YARN `<user>` elements and `userMaxAppsDefault`). */
  private readonly userLimits: Pick<Snapshot, "users" | "userMaxAppsDefault">;
  private readonly jobs = new Map<string, JobSpec>();
  private resources: string[];
  private time: number;
  /** Task id of each alloc row, NONE for rows without one. */
  private taskOfRow: number[] = [];
  private readonly rowOfTask = new Map<number, number>();
  private nextTask = 1;
  private dirty = true;
  private needsRefresh = true;
  private lastDecision: Decision = { placements: [], preemptions: [], pending: [] };

  private constructor(snapshot: Snapshot, options: SchedulerOptions) {
    this.options = { headroom: 2, ...options };
    this.resources = [...snapshot.resources];
    this.time = snapshot.time;
    this.nodes = snapshot.nodes.map((n) => ({ ...n }));
    this.queues = snapshot.queues.map((q) => ({ ...q }));
    this.userLimits = {
      ...(snapshot.users ? { users: structuredClone(snapshot.users) } : {}),
      ...(snapshot.userMaxAppsDefault !== undefined ? { userMaxAppsDefault: snapshot.userMaxAppsDefault } : {}),
    };
    const ids: number[] = [];
    for (const job of snapshot.jobs) {
      const spec = structuredClone(job);
      for (const a of spec.allocations ?? []) {
        const own: number[] = [];
        for (let k = 0; k < (a.count ?? 1); k++) own.push(this.nextTask++);
        (a as AllocationSpec & { taskIds?: number[] }).taskIds = own;
        ids.push(...own);
      }
      this.jobs.set(job.name, spec);
    }
    this.load(snapshot, ids);
  }

  /** Creates a scheduler holding `snapshot`; its running tasks get fresh task ids. */
  static fromSnapshot(snapshot: Snapshot, options: SchedulerOptions = {}): Scheduler {
    return new Scheduler(snapshot, options);
  }

  /**
   * Loads `snapshot` into a new state. `taskIds` lists the task id of each allocation in
   * snapshot order (jobs, then allocations, count expanded).
   */
  private load(snapshot: Snapshot, taskIds: number[], missed?: Map<string, number>): void {
    const { state, index } = loadForScheduling(snapshot, this.options, ALLOC_ROWS_PER_NODE);
    this.state = state;
    this.index = index;
    this.taskOfRow = [];
    this.rowOfTask.clear();
    const allocs = state.i32("header.allocCount")[0];
    for (let a = 0; a < allocs; a++) {
      const id = taskIds[a];
      this.taskOfRow[a] = id;
      this.rowOfTask.set(id, a);
    }
    if (missed) {
      const column = state.i32("job.missedOffers");
      for (const [name, count] of missed) {
        const j = index.jobRow.get(name);
        if (j !== undefined) column[j] = count;
      }
    }
    this.needsRefresh = true;
    this.dirty = true;
  }

  /** Rebuilds the state from the current snapshot after `change` edits the host model. */
  private rebuild(change: () => void = () => {}): void {
    const { snapshot } = this.capture();
    const missed = new Map<string, number>();
    const column = this.state.i32("job.missedOffers");
    this.index.jobs.forEach((name, j) => missed.set(name, column[j]));
    this.syncJobs(snapshot);
    change();
    const next = { ...snapshot, nodes: this.nodes, queues: this.queues, jobs: [...this.jobs.values()], time: this.time };
    // Task ids follow allocations in job order; rebuild the id list for the edited job set.
    const ids: number[] = [];
    for (const job of next.jobs) for (const a of job.allocations ?? []) for (let k = 0; k < (a.count ?? 1); k++) ids.push(taskIdsOf(a)[k]);
    // Starvation clocks and reservations live in the state: carry them into the new one.
    const carried = capturePreemptionState(this.state, this.index);
    this.load(next, ids, missed);
    restorePreemptionState(this.state, this.index, carried);
  }

  /** Replaces the host's job specs with the live ones of `snapshot`. */
  private syncJobs(snapshot: Snapshot): void {
    this.jobs.clear();
    for (const job of snapshot.jobs) this.jobs.set(job.name, job);
  }

  /** Adds a node; it takes work from the next pass on. Throws `InputError` for an invalid or duplicate node. */
  addNode(node: NodeSpec): void {
    validateNode(node, { resources: this.resources, file: "Scheduler.addNode" });
    if (this.nodes.some((n) => n.name === node.name)) {
      throw new InputError("duplicate node", { item: `node ${node.name}`, fix: "Give each node a unique name" });
    }
    this.rebuild(() => this.nodes.push({ ...node }));
  }

  /**
   * Removes a node. Its running tasks are lost: their work goes back to pending for their jobs,
   * and they are returned.
   */
  removeNode(name: string): LostTask[] {
    const n = this.nodeRow(name);
    const lost: LostTask[] = [];
    const allocs = this.state.i32("header.allocCount")[0];
    const allocNode = this.state.i32("alloc.node");
    const allocFlags = this.state.u8("alloc.flags");
    for (let a = 0; a < allocs; a++) {
      if ((allocFlags[a] & ALLOC_LIVE) === 0 || allocNode[a] !== n) continue;
      const task = this.taskOfRow[a];
      lost.push({ job: this.index.jobs[this.state.i32("alloc.job")[a]], task });
      this.release(a, true);
    }
    this.rebuild(() => {
      this.nodes = this.nodes.filter((node) => node.name !== name);
    });
    return lost;
  }

  /** Cordons (false) or uncordons (true) a node: a cordoned node keeps its tasks, takes no new ones. */
  setNodeSchedulable(name: string, schedulable: boolean): void {
    const n = this.nodeRow(name);
    const flags = this.state.u8("node.flags");
    const was = (flags[n] & NODE_SCHEDULABLE) !== 0;
    if (was === schedulable) return;
    flags[n] = schedulable ? flags[n] | NODE_SCHEDULABLE : flags[n] & ~NODE_SCHEDULABLE;
    const D = this.state.dims;
    const capacity = this.state.f64("node.capacity");
    const cluster = this.state.f64("header.clusterCapacity");
    for (let d = 0; d < D; d++) cluster[d] += (schedulable ? 1 : -1) * capacity[n * D + d];
    const spec = this.nodes[n];
    this.nodes[n] = { ...spec, schedulable };
    this.dirty = true;
  }

  /**
   * Adds a job with pending tasks (and optionally running ones) to the scheduler. Throws
   * `InputError`, before changing anything, for a job the snapshot reader would reject, a task
   * count below 1, a duplicate name, or a queue that is unknown or a parent.
   */
  submit(job: JobSpec): void {
    const file = "Scheduler.submit";
    validateJob(job, { resources: this.resources, nodeNames: new Set(this.nodes.map((n) => n.name)), file });
    job.tasks.forEach((task, t) => {
      if (task.count < 1) {
        throw new InputError(`tasks[${t}].count must be ≥ 1`, {
          file,
          item: `job ${job.name}`,
          value: task.count,
          fix: "Submit only task groups with pending tasks, or leave the group out",
        });
      }
    });
    if (this.jobs.has(job.name) || this.index.jobRow.has(job.name)) {
      throw new InputError("duplicate job", { file, item: `job ${job.name}`, fix: "Give each job a unique name" });
    }
    const leaves = this.queues.map((q) => q.name).filter((name) => !this.isParentQueue(name));
    if (job.queue === undefined || !this.index.queueRow.has(job.queue)) {
      throw new InputError(`job is in unknown queue ${job.queue}`, {
        file,
        item: `job ${job.name}`,
        value: job.queue,
        fix: `Submit to one of the leaf queues ${leaves.join(", ")}, or add the queue with updateQueue first`,
      });
    }
    if (this.isParentQueue(job.queue)) {
      throw new InputError(`queue ${job.queue} is a parent queue`, {
        file,
        item: `job ${job.name}`,
        value: job.queue,
        fix: `Jobs run in leaf queues: submit to a queue under ${job.queue}`,
      });
    }
    this.jobs.set(job.name, structuredClone(job));
    if (!this.appendJob(job)) this.rebuild();
    this.dirty = true;
  }

  /**
   * Writes `job` into free rows of the current state and updates demand and activity up the
   * tree; returns false when it needs a rebuild (no free rows, new names, running tasks).
   */
  private appendJob(job: JobSpec): boolean {
    const s = this.state;
    const caps = s.capacities;
    const j = s.i32("header.jobCount")[0];
    const g0 = s.i32("header.groupCount")[0];
    if (j + 1 > caps.job || g0 + job.tasks.length > caps.group) return false;
    if ((job.allocations ?? []).length > 0 || job.locality !== undefined) return false;
    const typeBits = (types: string[] | undefined) => {
      let bits = 0;
      for (const t of types ?? []) {
        const bit = this.index.gpuTypes.indexOf(t);
        if (bit < 0) return -1;
        bits |= 1 << bit;
      }
      return bits;
    };
    const labelBits = (selector: Record<string, string> | undefined) => {
      let bits = 0;
      for (const [k, v] of Object.entries(selector ?? {})) {
        const bit = this.index.labels.indexOf(`${k}=${v}`);
        if (bit < 0) return -1;
        bits |= 1 << bit;
      }
      return bits;
    };
    for (const task of job.tasks) if (typeBits(task.gpuTypes) < 0 || labelBits(task.nodeSelector) < 0) return false;

    const q = this.index.queueRow.get(job.queue!)!;
    let user = this.index.users.indexOf(job.user);
    if (user < 0) {
      user = this.index.users.push(job.user) - 1;
      s.i32("job.userMaxApps")[user] = userLimit(this.userLimits, job.user);
    }
    const D = s.dims;
    s.i32("job.queue")[j] = q;
    s.i32("job.user")[j] = user;
    s.i32("job.priority")[j] = job.priority ?? 0;
    s.f64("job.submitTime")[j] = job.submitTime;
    s.f64("job.weight")[j] = 1;
    s.f64("job.checkpointInterval")[j] = job.checkpointInterval ?? 0;
    s.u8("job.flags")[j] = (job.gang ? JOB_GANG : 0) | (job.elastic ? JOB_ELASTIC : 0) | (job.preemptible !== false ? JOB_PREEMPTIBLE : 0);
    s.i32("job.firstGroup")[j] = g0;
    s.i32("job.groupCount")[j] = job.tasks.length;
    s.i32("job.missedOffers")[j] = 0;
    s.i32("job.reason")[j] = 0;
    s.i32("job.runningTasks")[j] = 0;
    s.u8("job.localityLevel")[j] = 0;
    s.i32("job.locality")[j] = NONE;
    s.f64("job.usage").fill(0, j * D, (j + 1) * D);
    const demand = s.f64("queue.demand");
    let pending = 0;
    job.tasks.forEach((task, k) => {
      const g = g0 + k;
      s.i32("group.job")[g] = j;
      s.i32("group.pending")[g] = task.count;
      s.i32("group.gpuTypes")[g] = typeBits(task.gpuTypes);
      s.i32("group.labels")[g] = labelBits(task.nodeSelector);
      s.u8("group.flags")[g] = task.am ? TASK_AM : 0;
      this.resources.forEach((name, d) => {
        const amount = task.request[name] ?? 0;
        s.f64("group.request")[g * D + d] = amount;
        for (let a = q; a !== NONE; a = s.i32("queue.parent")[a]) demand[a * D + d] += amount * task.count;
      });
      pending += task.count;
    });
    s.i32("job.pendingTasks")[j] = pending;
    s.i32("job.elasticMin")[j] = job.elastic ? Math.min(pending, Math.max(1, job.elastic.min)) : job.gang ? pending : 1;
    const flags = s.u8("queue.flags");
    const start = s.f64("queue.startTime");
    for (let a = q; a !== NONE; a = s.i32("queue.parent")[a]) {
      if (pending > 0) flags[a] |= QUEUE_ACTIVE;
      if (job.submitTime < start[a]) start[a] = job.submitTime;
    }
    s.i32("header.jobCount")[0] = j + 1;
    s.i32("header.groupCount")[0] = g0 + job.tasks.length;
    this.index.jobs.push(job.name);
    this.index.jobRow.set(job.name, j);
    this.insertRank(j, job.name);
    return true;
  }

  /** Gives job row `j` its name rank and shifts the ranks after it. */
  private insertRank(j: number, name: string): void {
    const ranks = this.state.i32("job.nameRank");
    let rank = 0;
    for (let k = 0; k < j; k++) if (this.index.jobs[k] < name) rank++;
    for (let k = 0; k < j; k++) if (ranks[k] >= rank) ranks[k]++;
    ranks[j] = rank;
  }

  /** Marks a running task finished and frees its resources. */
  finishTask(taskId: number): void {
    this.release(this.allocRow(taskId), false);
    this.dirty = true;
  }

  /** Stops a running task; its work goes back to pending for its job. */
  preemptTask(taskId: number): void {
    this.release(this.allocRow(taskId), true);
    this.dirty = true;
  }

  /**
   * Ends alloc row `a`: frees its node space, takes it off job, queue and AM usage and, with
   * `requeue`, adds a pending task of the same shape to its job (a group of equal request, else
   * the host model gets a new task group and the state is rebuilt at the next pass).
   */
  private release(a: number, requeue: boolean): void {
    const s = this.state;
    const D = s.dims;
    const flags = s.u8("alloc.flags");
    const j = s.i32("alloc.job")[a];
    const n = s.i32("alloc.node")[a];
    const q = s.i32("job.queue")[j];
    const am = (flags[a] & TASK_AM) !== 0;
    flags[a] &= ~ALLOC_LIVE;
    const request = s.f64("alloc.request");
    const free = s.f64("node.free");
    const jobUsage = s.f64("job.usage");
    const usage = s.f64("queue.usage");
    const amUsage = s.f64("queue.amUsage");
    const demand = s.f64("queue.demand");
    const parent = s.i32("queue.parent");
    for (let d = 0; d < D; d++) {
      const r = request[a * D + d];
      free[n * D + d] += r;
      jobUsage[j * D + d] -= r;
      for (let x = q; x !== NONE; x = parent[x]) {
        usage[x * D + d] -= r;
        if (am) amUsage[x * D + d] -= r;
        if (!requeue) demand[x * D + d] -= r;
      }
    }
    const running = s.i32("job.runningTasks");
    running[j]--;
    if (running[j] === 0) {
      s.u8("job.flags")[j] &= ~JOB_RUNNING;
      for (let x = q; x !== NONE; x = parent[x]) s.i32("queue.runningApps")[x]--;
      // A job with nothing left may leave its queues inactive: recompute activity next pass.
      if (!requeue && s.i32("job.pendingTasks")[j] === 0) this.needsRefresh = true;
    }
    const task = this.taskOfRow[a];
    this.rowOfTask.delete(task);
    const spec = this.jobs.get(this.index.jobs[j]);
    if (spec) removeAllocation(spec, this.index.nodes[n], task);
    if (!requeue) {
      // A finished job leaves the host model now, so the next rebuild does not copy it.
      if (spec && running[j] === 0 && s.i32("job.pendingTasks")[j] === 0) this.jobs.delete(spec.name);
      return;
    }

    const first = s.i32("job.firstGroup")[j];
    const count = s.i32("job.groupCount")[j];
    const groupRequest = s.f64("group.request");
    for (let g = first; g < first + count; g++) {
      let same = true;
      for (let d = 0; d < D && same; d++) same = groupRequest[g * D + d] === request[a * D + d];
      if (!same) continue;
      s.i32("group.pending")[g]++;
      s.i32("job.pendingTasks")[j]++;
      if (spec) spec.tasks[g - first].count++;
      return;
    }
    if (spec) {
      const shape: ResourceAmounts = {};
      this.resources.forEach((name, d) => (shape[name] = request[a * D + d]));
      spec.tasks.push({ request: shape, count: 1, ...(am ? { am: true } : {}) });
    }
    this.needsRebuild = true;
  }

  private needsRebuild = false;

  /** Removes a job with its pending and running tasks. */
  removeJob(name: string): void {
    if (!this.index.jobRow.has(name)) throw new InputError("job not found", { item: `job ${name}`, fix: "Name a submitted job" });
    this.rebuild(() => this.jobs.delete(name));
  }

  /**
   * Adds a queue or replaces the settings of an existing one (parents are created as needed).
   * Throws `InputError` for invalid settings, such as a negative weight or min above max.
   */
  updateQueue(spec: QueueSpec): void {
    validateQueue(spec, { resources: this.resources, file: "Scheduler.updateQueue" });
    const at = this.queues.findIndex((q) => q.name === spec.name);
    this.rebuild(() => {
      if (at >= 0) this.queues[at] = { ...spec };
      else {
        const parts = spec.name.split(".");
        for (let k = 2; k < parts.length; k++) {
          const parent = parts.slice(0, k).join(".");
          if (!this.queues.some((q) => q.name === parent)) this.queues.push({ name: parent });
        }
        this.queues.push({ ...spec });
      }
    });
  }

  /** Returns true for a queue with a child queue or configured as `type: parent`. */
  private isParentQueue(name: string): boolean {
    return this.queues.some((q) => (q.name === name && q.type === "parent") || q.name.startsWith(`${name}.`));
  }

  /** Sets the scheduler clock, seconds; placed tasks start at this time. */
  setTime(seconds: number): void {
    if (seconds === this.time) return;
    this.time = seconds;
    this.state.f64("header.time")[0] = seconds;
    this.dirty = true;
  }

  /**
   * Runs one allocation pass and returns its decision. With no event since the last pass (and no
   * job waiting for locality) it returns at once: the pass would place nothing new.
   */
  schedule(): Decision {
    if (!this.dirty) return { placements: [], preemptions: [], pending: this.lastDecision.pending };
    if (this.needsRebuild || !this.hasRoom()) {
      this.needsRebuild = false;
      this.rebuild();
    }
    runPass(this.state, this.needsRefresh);
    this.needsRefresh = false;

    const decision = readDecision(this.state, this.index, (a) => {
      const id = this.nextTask++;
      this.taskOfRow[a] = id;
      this.rowOfTask.set(id, a);
      return id;
    });
    // Preemption: plan for what the pass could not place (src/preemption.ts).
    planPreemptionInto(this.state, this.index, decision, (a) => this.taskOfRow[a] ?? a);
    this.recordPlacements(decision);
    this.lastDecision = decision;
    this.dirty = this.anyWaitingForLocality();
    return decision;
  }

  /** Copies each placement into the host model's job spec (pending count down, allocation added). */
  private recordPlacements(decision: Decision): void {
    const count = this.state.i32("header.placementCount")[0];
    const groupCol = this.state.i32("placement.group");
    const firstGroup = this.state.i32("job.firstGroup");
    const jobCol = this.state.i32("placement.job");
    for (let p = 0; p < count; p++) {
      const placement = decision.placements[p];
      const spec = this.jobs.get(placement.job)!;
      spec.tasks[groupCol[p] - firstGroup[jobCol[p]]].count--;
      const allocation: AllocationSpec & { taskIds?: number[] } = {
        node: placement.node,
        request: placement.request,
        count: 1,
        startTime: this.time,
        taskIds: [placement.task],
      };
      const group = spec.tasks[groupCol[p] - firstGroup[jobCol[p]]];
      if (group.am) allocation.am = true;
      (spec.allocations ??= []).push(allocation);
    }
  }

  private anyWaitingForLocality(): boolean {
    const reason = this.state.i32("job.reason");
    const jobs = this.state.i32("header.jobCount")[0];
    for (let j = 0; j < jobs; j++) if (reason[j] === REASON_WAITING_FOR_LOCALITY) return true;
    return false;
  }

  /** Returns whether the placement and alloc tables can take every pending task. */
  private hasRoom(): boolean {
    const s = this.state;
    const pending = s.i32("job.pendingTasks");
    const jobs = s.i32("header.jobCount")[0];
    let total = 0;
    for (let j = 0; j < jobs; j++) total += pending[j];
    return (
      total <= s.i32("header.placementCapacity")[0] &&
      s.i32("header.allocCount")[0] + total <= s.i32("header.allocCapacity")[0]
    );
  }

  /** Returns every queue's fair shares, usage and demand (see `readShares`). */
  shares(): QueueShareReport[] {
    this.needsRefresh = true;
    return readShares(this.state, this.index);
  }

  /** Returns the current state as a snapshot: pending tasks left, running tasks as allocations. */
  snapshot(): Snapshot {
    return this.capture().snapshot;
  }

  private capture(): { snapshot: Snapshot; taskIds: number[] } {
    const taskIds: number[] = [];
    const jobs: JobSpec[] = [];
    for (const spec of this.jobs.values()) {
      if (isFinished(spec)) continue;
      const job = structuredClone(spec);
      for (const a of job.allocations ?? []) for (const id of taskIdsOf(a)) taskIds.push(id);
      jobs.push(job);
    }
    const snapshot: Snapshot = {
      version: 1,
      time: this.time,
      resources: [...this.resources],
      nodes: this.nodes.map((n) => ({ ...n })),
      queues: this.queues.map((q) => ({ ...q })),
      jobs,
      ...structuredClone(this.userLimits),
    };
    return { snapshot, taskIds };
  }

  private nodeRow(name: string): number {
    const n = this.index.nodeRow.get(name);
    if (n === undefined) throw new InputError("node not found", { item: `node ${name}`, fix: "Name a node added to the scheduler" });
    return n;
  }

  private allocRow(taskId: number): number {
    const a = this.rowOfTask.get(taskId);
    if (a === undefined) {
      throw new InputError("task not found or not running", { value: taskId, fix: "Pass a task id from a placement that has not finished" });
    }
    return a;
  }
}

/** Returns whether a job has neither pending nor running tasks left. */
function isFinished(job: JobSpec): boolean {
  return job.tasks.every((t) => t.count === 0) && (job.allocations ?? []).length === 0;
}

/** Returns the task ids an allocation spec carries (one per counted task). */
function taskIdsOf(allocation: AllocationSpec): number[] {
  return (allocation as AllocationSpec & { taskIds?: number[] }).taskIds ?? [];
}

/** Removes task `task` on `node` from the allocations of `spec`. */
function removeAllocation(spec: JobSpec, node: string, task: number): void {
  const allocations = spec.allocations ?? [];
  for (let k = 0; k < allocations.length; k++) {
    const ids = taskIdsOf(allocations[k]);
    const at = ids.indexOf(task);
    if (at < 0) continue;
    ids.splice(at, 1);
    const count = (allocations[k].count ?? 1) - 1;
    if (count <= 0) allocations.splice(k, 1);
    else allocations[k].count = count;
    return;
  }
}
