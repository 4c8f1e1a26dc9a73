/**
 * Writes a validated `Snapshot` into a `CoreState`: interns names into row indices, builds the
 * queue tree links, expands allocations to one row per running task, and resolves inherited
 * queue settings. The readers in `src/config/` have already rejected invalid input; the checks
 * here guard the few facts that only the state builder can check (table limits, allocation nodes).
 */
import { InputError } from "../errors.js";
import type { JobSpec, QueueSpec, Snapshot } from "../model/types.js";
import {
  ALLOC_LIVE,
  JOB_ELASTIC,
  JOB_GANG,
  JOB_PREEMPTIBLE,
  NODE_SCHEDULABLE,
  NONE,
  POLICY_DRF,
  POLICY_FAIR,
  POLICY_FIFO,
  QUEUE_LEAF,
  QUEUE_PREEMPTABLE,
  TASK_AM,
  type Capacities,
} from "./layout.js";
import { CoreState } from "./state.js";

/** Row indices and names that map the core's integers back to the snapshot's strings. */
export interface StateIndex {
  resources: string[];
  queues: string[];
  queueRow: Map<string, number>;
  nodes: string[];
  nodeRow: Map<string, number>;
  jobs: string[];
  jobRow: Map<string, number>;
  users: string[];
  gpuTypes: string[];
  labels: string[];
  topology: string[];
}

export interface LoadedState {
  state: CoreState;
  index: StateIndex;
}

/** At most 31 GPU types and 31 label pairs fit the core's i32 bit sets. */
export const MAX_BIT_SET = 31;

/** Default fraction of fair share below which a queue counts as starved, as YARN's 0.5. */
export const DEFAULT_FAIR_SHARE_THRESHOLD = 0.5;

/** Default maxAMShare of a leaf queue, as YARN's queueMaxAMShareDefault. */
export const DEFAULT_MAX_AM_SHARE = 0.5;

/** Returns table sizes with room for `headroom` times the snapshot's rows (at least 1 each). */
export function capacitiesFor(snapshot: Snapshot, headroom = 1): Capacities {
  let groups = 0;
  let allocs = 0;
  let pendingTasks = 0;
  for (const job of snapshot.jobs) {
    groups += job.tasks.length;
    for (const task of job.tasks) pendingTasks += task.count;
    for (const alloc of job.allocations ?? []) allocs += alloc.count ?? 1;
  }
  const grow = (n: number) => Math.max(1, Math.ceil(n * headroom));
  const queueCount = snapshot.queues.length + 1;
  return {
    dims: snapshot.resources.length,
    queue: grow(queueCount),
    node: grow(snapshot.nodes.length),
    job: grow(snapshot.jobs.length),
    group: grow(groups),
    alloc: grow(allocs + pendingTasks),
    placement: grow(pendingTasks),
    victim: grow(allocs),
    scratch: grow(Math.max(2 * queueCount, snapshot.nodes.length, snapshot.jobs.length, groups) + 1),
  };
}

/** Creates a state sized for `snapshot` and fills it. */
export function loadState(snapshot: Snapshot, options: { headroom?: number; module?: WebAssembly.Module } = {}): LoadedState {
  const state = new CoreState(capacitiesFor(snapshot, options.headroom ?? 1), { module: options.module });
  const index = writeSnapshot(state, snapshot);
  return { state, index };
}

class Interner {
  readonly names: string[] = [];
  readonly rows = new Map<string, number>();

  intern(name: string): number {
    let row = this.rows.get(name);
    if (row === undefined) {
      row = this.names.length;
      this.names.push(name);
      this.rows.set(name, row);
    }
    return row;
  }
}

/** Fills every input column of `state` from `snapshot`; the core computes the rest. */
export function writeSnapshot(state: CoreState, snapshot: Snapshot): StateIndex {
  const file = snapshot.source ?? "<snapshot>";
  const dims = snapshot.resources;
  const dimRow = new Map(dims.map((d, i) => [d, i]));
  const D = dims.length;
  const gpuTypes = new Interner();
  const labels = new Interner();
  const topology = new Interner();
  const users = new Interner();
  const domainPaths = new Set<string>();

  const vector = (target: Float64Array, row: number, amounts: Record<string, number> | undefined, fill: number) => {
    for (let d = 0; d < D; d++) target[row * D + d] = fill;
    for (const [name, value] of Object.entries(amounts ?? {})) {
      const d = dimRow.get(name);
      if (d !== undefined) target[row * D + d] = value;
    }
  };
  const bitFor = (interner: Interner, name: string, what: string) => {
    const bit = interner.intern(name);
    if (bit >= MAX_BIT_SET) {
      throw new InputError(`more than ${MAX_BIT_SET} distinct ${what}`, {
        file,
        item: name,
        fix: `Use at most ${MAX_BIT_SET} ${what} in one snapshot`,
      });
    }
    return 1 << bit;
  };

  // 1. Nodes: capacity, GPU type, topology ids, label bits. Cluster capacity counts schedulable nodes.
  const nodeRow = new Map<string, number>();
  const nodeCapacity = state.f64("node.capacity");
  const clusterCapacity = state.f64("header.clusterCapacity");
  clusterCapacity.fill(0);
  snapshot.nodes.forEach((node, i) => {
    nodeRow.set(node.name, i);
    vector(nodeCapacity, i, node.capacity, 0);
    state.i32("node.gpuType")[i] = node.gpuType ? Math.log2(bitFor(gpuTypes, node.gpuType, "GPU types")) : NONE;
    const path = node.topology ? node.topology.split("/").filter((p) => p.length > 0) : [];
    if (path.length >= 2) domainPaths.add(path.join("/"));
    state.i32("node.domain")[i] = path.length >= 2 ? topology.intern(path.join("/")) : NONE;
    state.i32("node.rack")[i] =
      path.length >= 2 ? topology.intern(path.slice(0, -1).join("/")) : path.length === 1 ? topology.intern(path[0]) : NONE;
    let labelBits = 0;
    for (const [key, value] of Object.entries(node.labels ?? {})) labelBits |= bitFor(labels, `${key}=${value}`, "node labels");
    state.i32("node.labels")[i] = labelBits;
    const schedulable = node.schedulable !== false;
    state.u8("node.flags")[i] = schedulable ? NODE_SCHEDULABLE : 0;
    if (schedulable) for (let d = 0; d < D; d++) clusterCapacity[d] += nodeCapacity[i * D + d];
  });

  // 2. Queues: root at row 0, parents before children, links, inherited preemption settings.
  const queueSpecs = new Map<string, QueueSpec>();
  queueSpecs.set("root", { name: "root" });
  for (const q of snapshot.queues) queueSpecs.set(q.name, { ...queueSpecs.get(q.name), ...q });
  const queueNames = [...queueSpecs.keys()].sort((a, b) => depthOf(a) - depthOf(b));
  const queueRow = new Map<string, number>();
  queueNames.forEach((name, i) => queueRow.set(name, i));

  const parent = state.i32("queue.parent");
  const firstChild = state.i32("queue.firstChild");
  const nextSibling = state.i32("queue.nextSibling");
  const minResources = state.f64("queue.minResources");
  const maxResources = state.f64("queue.maxResources");
  const preemptable = new Array<boolean>(queueNames.length);
  const minTimeout = state.f64("queue.minShareTimeout");
  const fairTimeout = state.f64("queue.fairShareTimeout");
  const threshold = state.f64("queue.fairShareThreshold");

  for (let i = 0; i < queueNames.length; i++) {
    const name = queueNames[i];
    const spec = queueSpecs.get(name)!;
    const p = name === "root" ? NONE : queueRow.get(name.slice(0, name.lastIndexOf(".")))!;
    parent[i] = p;
    firstChild[i] = NONE;
    nextSibling[i] = NONE;
    state.i32("queue.depth")[i] = depthOf(name);
    state.f64("queue.weight")[i] = spec.weight ?? 1;
    state.u8("queue.policy")[i] = policyCode(spec.schedulingPolicy);
    state.i32("queue.maxRunningApps")[i] = spec.maxRunningApps ?? -1;
    state.f64("queue.maxAMShare")[i] = spec.maxAMShare ?? DEFAULT_MAX_AM_SHARE;

    vector(minResources, i, spec.minResources, 0);
    vector(maxResources, i, spec.maxResources, Infinity);
    for (const [dim, percent] of Object.entries(spec.minResourcesPercent ?? {})) {
      const d = dimRow.get(dim);
      if (d !== undefined) minResources[i * D + d] = (clusterCapacity[d] * percent) / 100;
    }
    for (const [dim, percent] of Object.entries(spec.maxResourcesPercent ?? {})) {
      const d = dimRow.get(dim);
      if (d !== undefined) maxResources[i * D + d] = (clusterCapacity[d] * percent) / 100;
    }

    preemptable[i] = spec.allowPreemptionFrom !== false && (p === NONE || preemptable[p]);
    minTimeout[i] = spec.minSharePreemptionTimeout ?? (p === NONE ? Infinity : minTimeout[p]);
    fairTimeout[i] = spec.fairSharePreemptionTimeout ?? (p === NONE ? Infinity : fairTimeout[p]);
    threshold[i] = spec.fairSharePreemptionThreshold ?? (p === NONE ? DEFAULT_FAIR_SHARE_THRESHOLD : threshold[p]);
    state.f64("queue.belowMinSince")[i] = spec.belowMinShareSince ?? NaN;
    state.f64("queue.belowFairSince")[i] = spec.belowFairShareSince ?? NaN;
  }
  // Children linked in configuration order: walk backwards and push to the front.
  for (let i = queueNames.length - 1; i > 0; i--) {
    nextSibling[i] = firstChild[parent[i]];
    firstChild[parent[i]] = i;
  }
  for (let i = 0; i < queueNames.length; i++) {
    const leaf = firstChild[i] === NONE && queueSpecs.get(queueNames[i])!.type !== "parent";
    state.u8("queue.flags")[i] = (leaf ? QUEUE_LEAF : 0) | (preemptable[i] ? QUEUE_PREEMPTABLE : 0);
  }

  // 3. Jobs, their pending task groups and their running tasks (one alloc row per task).
  const jobRow = new Map<string, number>();
  let group = 0;
  let alloc = 0;
  const groupRequest = state.f64("group.request");
  const allocRequest = state.f64("alloc.request");
  snapshot.jobs.forEach((job, j) => {
    jobRow.set(job.name, j);
    const q = queueRow.get(job.queue ?? "");
    if (q === undefined) {
      throw new InputError(`job is in unknown queue ${job.queue}`, {
        file,
        item: `job ${job.name}`,
        fix: "Declare the queue under queues, or leave queue out so the placement policy picks one",
      });
    }
    state.i32("job.queue")[j] = q;
    state.i32("job.user")[j] = users.intern(job.user);
    state.i32("job.priority")[j] = job.priority ?? 0;
    state.f64("job.submitTime")[j] = job.submitTime;
    state.f64("job.weight")[j] = 1;
    state.f64("job.checkpointInterval")[j] = job.checkpointInterval ?? 0;
    state.u8("job.flags")[j] =
      (job.gang ? JOB_GANG : 0) | (job.elastic ? JOB_ELASTIC : 0) | (job.preemptible !== false ? JOB_PREEMPTIBLE : 0);
    state.i32("job.firstGroup")[j] = group;
    state.i32("job.groupCount")[j] = job.tasks.length;
    state.i32("job.missedOffers")[j] = 0;
    state.i32("job.reason")[j] = 0;

    let pending = 0;
    for (const task of job.tasks) {
      state.i32("group.job")[group] = j;
      state.i32("group.pending")[group] = task.count;
      let typeBits = 0;
      for (const type of task.gpuTypes ?? []) typeBits |= bitFor(gpuTypes, type, "GPU types");
      state.i32("group.gpuTypes")[group] = typeBits;
      let labelBits = 0;
      for (const [key, value] of Object.entries(task.nodeSelector ?? {})) labelBits |= bitFor(labels, `${key}=${value}`, "node labels");
      state.i32("group.labels")[group] = labelBits;
      state.u8("group.flags")[group] = task.am ? TASK_AM : 0;
      vector(groupRequest, group, task.request, 0);
      pending += task.count;
      group++;
    }
    state.i32("job.pendingTasks")[j] = pending;
    state.i32("job.elasticMin")[j] = elasticMinimum(job, pending);
    const { level, id } = localityOf(job, topology, domainPaths);
    state.u8("job.localityLevel")[j] = level;
    state.i32("job.locality")[j] = id;

    for (const a of job.allocations ?? []) {
      const n = nodeRow.get(a.node);
      if (n === undefined) {
        throw new InputError(`allocation on unknown node ${a.node}`, {
          file,
          item: `job ${job.name}`,
          fix: "Name a node declared under nodes (with count, nodes are named NAME-0 .. NAME-(count-1))",
        });
      }
      for (let k = 0; k < (a.count ?? 1); k++) {
        state.i32("alloc.job")[alloc] = j;
        state.i32("alloc.node")[alloc] = n;
        state.u8("alloc.flags")[alloc] = ALLOC_LIVE | (a.am ? TASK_AM : 0);
        state.f64("alloc.startTime")[alloc] = a.startTime ?? snapshot.time;
        state.f64("alloc.lastCheckpoint")[alloc] = a.lastCheckpoint ?? NaN;
        vector(allocRequest, alloc, a.request, 0);
        alloc++;
      }
    }
  });

  // 4. Counts, clock and capacities of the output tables.
  const caps = state.capacities;
  state.i32("header.queueCount")[0] = queueNames.length;
  state.i32("header.nodeCount")[0] = snapshot.nodes.length;
  state.i32("header.jobCount")[0] = snapshot.jobs.length;
  state.i32("header.groupCount")[0] = group;
  state.i32("header.allocCount")[0] = alloc;
  state.i32("header.gpuTypeCount")[0] = gpuTypes.names.length;
  state.i32("header.placementCount")[0] = 0;
  state.i32("header.victimCount")[0] = 0;
  state.i32("header.placementCapacity")[0] = caps.placement;
  state.i32("header.victimCapacity")[0] = caps.victim;
  state.i32("header.scratchCapacity")[0] = caps.scratch;
  state.f64("header.time")[0] = snapshot.time;

  return {
    resources: [...dims],
    queues: queueNames,
    queueRow,
    nodes: snapshot.nodes.map((n) => n.name),
    nodeRow,
    jobs: snapshot.jobs.map((j) => j.name),
    jobRow,
    users: users.names,
    gpuTypes: gpuTypes.names,
    labels: labels.names,
    topology: topology.names,
  };
}

function depthOf(name: string): number {
  let depth = 0;
  for (const ch of name) if (ch === ".") depth++;
  return depth;
}

function policyCode(policy: string | undefined): number {
  switch (policy) {
    case "fifo":
      return POLICY_FIFO;
    case "drf":
      return POLICY_DRF;
    default:
      return POLICY_FAIR;
  }
}

/** Returns how many of the pending tasks must fit together before the job starts. */
function elasticMinimum(job: JobSpec, pending: number): number {
  if (job.elastic) return Math.min(pending, Math.max(1, job.elastic.min - countAllocations(job)));
  if (job.gang) return pending;
  return 1;
}

function countAllocations(job: JobSpec): number {
  let n = 0;
  for (const a of job.allocations ?? []) n += a.count ?? 1;
  return n;
}

/** Resolves a job's preferred topology prefix to a domain (level 1) or rack (level 2) id. */
function localityOf(job: JobSpec, topology: Interner, domainPaths: Set<string>): { level: number; id: number } {
  if (!job.locality) return { level: 0, id: NONE };
  const path = job.locality.split("/").filter((p) => p.length > 0).join("/");
  const id = topology.rows.get(path);
  if (id === undefined) return { level: 0, id: NONE };
  return { level: domainPaths.has(path) ? 1 : 2, id };
}
