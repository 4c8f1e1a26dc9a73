/**
 * Read-only what-if inputs laid out once in a `SharedArrayBuffer`: a trace as job columns and a
 * cluster as node columns. Posting a `SharedArrayBuffer` to a worker shares its memory instead
 * of copying it. Workers read jobs in place through `SharedTrace.job(i)`, which materialises one
 * `TraceJob` at a time, so no worker needs the whole trace as objects.
 *
 * Trace buffer, columns in this order, each aligned to 8 bytes (n jobs, D dimensions,
 * T GPU types):
 *
 *   +-----------------+-----------------+------------------+-------------------------+
 *   | submitTime f64n | duration f64n   | request f64 n*D  | durationByType f64 n*T  |
 *   +-----------------+-----------------+------------------+-------------------------+
 *   | queueId i32 n   | userId i32 n    | jobTypeId i32 n  | taskCount i32 n         |
 *   +-----------------+-----------------+------------------+-------------------------+
 *   | nameStart i32 n+1                                                                |
 *   +-----------------+-----------------+------------------+-------------------------+
 *   | gpuTypeMask u32 n | flags u8 n    | names: UTF-8 bytes of every job name          |
 *   +-------------------+---------------+-----------------------------------------------+
 *
 * A NaN in `request` or `durationByType` means the job's record has no such key, and a
 * `jobTypeId` of -1 means the job has no `jobType`. Queue, user, job type, dimension and GPU
 * type names are few, so they travel in the small `SharedTraceHeader` that
 * is structured-cloned with the buffer.
 */
import type { NodeSpec, QueueSpec, ResourceAmounts } from "../model/types.js";
import type { SimTrace } from "../sim/types.js";
import type { Cluster, Trace, TraceJob } from "../traces/types.js";

export type { TraceSource } from "../sim/types.js";

/** Job flag: the job's tasks start together (gang). */
export const JOB_GANG = 1;
/** Job flag: the trace asked for a fraction of a GPU. */
export const JOB_FRACTIONAL_GPU = 2;
/** Job flag: the job lists acceptable GPU types (bits in `gpuTypeMask`). */
export const JOB_HAS_GPU_TYPES = 4;
/** Job flag: the job has run times per GPU type. */
export const JOB_HAS_DURATION_BY_TYPE = 8;
/** Job flag: the record set `fractionalGpu` (to true or false). */
const JOB_FRACTIONAL_SET = 16;

/** Node flag: the record set `schedulable`. */
const NODE_SCHEDULABLE_SET = 1;
/** Node flag: the node takes new tasks. */
const NODE_SCHEDULABLE = 2;
const NODE_HAS_TOPOLOGY = 4;
const NODE_HAS_LABELS = 8;

/** The most GPU types a shared trace can tell apart, one bit each in `gpuTypeMask`. */
export const MAX_GPU_TYPES = 32;

type ColumnType = "f64" | "i32" | "u32" | "u8";
type ColumnView = Float64Array | Int32Array | Uint32Array | Uint8Array;

/** Byte offset and element count of each column in the buffer. */
export type ColumnOffsets = Record<string, { type: ColumnType; offset: number; length: number }>;

/** Everything a worker needs besides the buffer to read a shared trace; small and cloneable. */
export interface SharedTraceHeader {
  jobCount: number;
  dims: string[];
  queueNames: string[];
  userNames: string[];
  jobTypes: string[];
  gpuTypes: string[];
  columns: ColumnOffsets;
  /** Queues of the trace, as `Trace.queues`. */
  queues: QueueSpec[];
  skipped: Record<string, number>;
  adjusted: Record<string, number>;
  notes: string[];
}

/** A shared trace as it crosses a thread boundary: post it whole in `workerData` or a task. */
export interface SharedTraceHandle {
  buffer: SharedArrayBuffer;
  header: SharedTraceHeader;
}

/** Everything a worker needs besides the buffer to read a shared cluster. */
export interface SharedClusterHeader {
  nodeCount: number;
  dims: string[];
  gpuTypes: string[];
  columns: ColumnOffsets;
  skipped: Record<string, number>;
  notes: string[];
}

export interface SharedClusterHandle {
  buffer: SharedArrayBuffer;
  header: SharedClusterHeader;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const BYTES: Record<ColumnType, number> = { f64: 8, i32: 4, u32: 4, u8: 1 };

/** Assigns each column an 8-byte-aligned offset and returns the offsets and total size in bytes. */
function planColumns(specs: Array<[string, ColumnType, number]>): { columns: ColumnOffsets; bytes: number } {
  const columns: ColumnOffsets = {};
  let offset = 0;
  for (const [name, type, length] of specs) {
    columns[name] = { type, offset, length };
    offset += length * BYTES[type];
    offset = Math.ceil(offset / 8) * 8;
  }
  return { columns, bytes: Math.max(offset, 8) };
}

function viewOf(buffer: SharedArrayBuffer, column: { type: ColumnType; offset: number; length: number }): ColumnView {
  switch (column.type) {
    case "f64":
      return new Float64Array(buffer, column.offset, column.length);
    case "i32":
      return new Int32Array(buffer, column.offset, column.length);
    case "u32":
      return new Uint32Array(buffer, column.offset, column.length);
    case "u8":
      return new Uint8Array(buffer, column.offset, column.length);
  }
}

/** Returns `name`'s index in `names`, appending it (and recording it in `index`) when new. */
function intern(name: string, names: string[], index: Map<string, number>): number {
  let id = index.get(name);
  if (id === undefined) {
    id = names.length;
    names.push(name);
    index.set(name, id);
  }
  return id;
}

/** Encodes `strings` back to back and returns the bytes and the n+1 start offsets. */
function encodeStrings(strings: string[]): { bytes: Uint8Array; starts: Int32Array } {
  const encoded = strings.map((s) => encoder.encode(s));
  const starts = new Int32Array(strings.length + 1);
  for (let i = 0; i < encoded.length; i++) starts[i + 1] = starts[i] + encoded[i].length;
  const bytes = new Uint8Array(starts[strings.length]);
  for (let i = 0; i < encoded.length; i++) bytes.set(encoded[i], starts[i]);
  return { bytes, starts };
}

/**
 * Lays a trace out in one new `SharedArrayBuffer` and returns a reader over it.
 *
 * Dimensions, GPU types, queues and users are numbered in first-seen order, and `job(i)` lists a
 * job's `gpuTypes` and `durationByGpuType` keys in that order too.
 */
export function shareTrace(trace: Trace): SharedTrace {
  const jobs = trace.jobs;
  const n = jobs.length;

  // 1. Number the names: dimensions, GPU types, queues, users.
  const dims: string[] = [];
  const gpuTypes: string[] = [];
  const queueNames: string[] = [];
  const userNames: string[] = [];
  const jobTypes: string[] = [];
  const dimIndex = new Map<string, number>();
  const typeIndex = new Map<string, number>();
  const queueIndex = new Map<string, number>();
  const userIndex = new Map<string, number>();
  const jobTypeIndex = new Map<string, number>();
  for (const job of jobs) {
    for (const dim of Object.keys(job.request)) intern(dim, dims, dimIndex);
    for (const type of job.gpuTypes ?? []) intern(type, gpuTypes, typeIndex);
    for (const type of Object.keys(job.durationByGpuType ?? {})) intern(type, gpuTypes, typeIndex);
  }
  if (gpuTypes.length > MAX_GPU_TYPES) {
    throw new RangeError(
      `trace names ${gpuTypes.length} GPU types, more than the ${MAX_GPU_TYPES} a shared trace can hold; merge GPU types before sharing`,
    );
  }
  const D = dims.length;
  const T = gpuTypes.length;
  const names = encodeStrings(jobs.map((job) => job.name));

  // 2. Plan the columns and allocate the buffer.
  const { columns, bytes } = planColumns([
    ["submitTime", "f64", n],
    ["duration", "f64", n],
    ["request", "f64", n * D],
    ["durationByType", "f64", n * T],
    ["queueId", "i32", n],
    ["userId", "i32", n],
    ["jobTypeId", "i32", n],
    ["taskCount", "i32", n],
    ["nameStart", "i32", n + 1],
    ["gpuTypeMask", "u32", n],
    ["flags", "u8", n],
    ["names", "u8", names.bytes.length],
  ]);
  const buffer = new SharedArrayBuffer(bytes);
  const view = (name: string) => viewOf(buffer, columns[name]);

  // 3. Fill the columns.
  const submitTime = view("submitTime") as Float64Array;
  const duration = view("duration") as Float64Array;
  const request = view("request") as Float64Array;
  const durationByType = view("durationByType") as Float64Array;
  const queueId = view("queueId") as Int32Array;
  const userId = view("userId") as Int32Array;
  const jobTypeId = view("jobTypeId") as Int32Array;
  const taskCount = view("taskCount") as Int32Array;
  const gpuTypeMask = view("gpuTypeMask") as Uint32Array;
  const flags = view("flags") as Uint8Array;
  request.fill(NaN);
  durationByType.fill(NaN);
  (view("nameStart") as Int32Array).set(names.starts);
  (view("names") as Uint8Array).set(names.bytes);

  for (let i = 0; i < n; i++) {
    const job = jobs[i];
    submitTime[i] = job.submitTime;
    duration[i] = job.duration;
    queueId[i] = intern(job.queue, queueNames, queueIndex);
    userId[i] = intern(job.user, userNames, userIndex);
    jobTypeId[i] = job.jobType === undefined ? -1 : intern(job.jobType, jobTypes, jobTypeIndex);
    taskCount[i] = job.taskCount;
    for (const [dim, amount] of Object.entries(job.request)) request[i * D + dimIndex.get(dim)!] = amount;

    let flag = job.gang ? JOB_GANG : 0;
    if (job.fractionalGpu !== undefined) flag |= JOB_FRACTIONAL_SET | (job.fractionalGpu ? JOB_FRACTIONAL_GPU : 0);
    if (job.gpuTypes !== undefined) {
      flag |= JOB_HAS_GPU_TYPES;
      let mask = 0;
      for (const type of job.gpuTypes) mask |= 1 << typeIndex.get(type)!;
      gpuTypeMask[i] = mask >>> 0;
    }
    if (job.durationByGpuType !== undefined) {
      flag |= JOB_HAS_DURATION_BY_TYPE;
      for (const [type, seconds] of Object.entries(job.durationByGpuType)) {
        durationByType[i * T + typeIndex.get(type)!] = seconds;
      }
    }
    flags[i] = flag;
  }

  return new SharedTrace({
    buffer,
    header: {
      jobCount: n,
      dims,
      queueNames,
      userNames,
      jobTypes,
      gpuTypes,
      columns,
      queues: structuredClone(trace.queues),
      skipped: { ...trace.skipped },
      adjusted: { ...trace.adjusted },
      notes: [...trace.notes],
    },
  });
}

/**
 * A trace in a `SharedArrayBuffer`, read in place; safe to construct in any thread. It is a
 * `SimTrace`, so `simulate()` replays it directly, materialising each job as it arrives.
 */
export class SharedTrace implements SimTrace {
  readonly handle: SharedTraceHandle;
  readonly length: number;
  readonly submitTimes: Float64Array;
  readonly durations: Float64Array;
  readonly requests: Float64Array;
  readonly durationsByType: Float64Array;
  readonly queueIds: Int32Array;
  readonly userIds: Int32Array;
  readonly jobTypeIds: Int32Array;
  readonly taskCounts: Int32Array;
  readonly gpuTypeMasks: Uint32Array;
  readonly flags: Uint8Array;
  private readonly nameStarts: Int32Array;
  private readonly names: Uint8Array;

  /** Wraps a handle made by `shareTrace` (in this thread or posted from another). */
  constructor(handle: SharedTraceHandle) {
    this.handle = handle;
    const { buffer, header } = handle;
    const view = (name: string) => viewOf(buffer, header.columns[name]);
    this.length = header.jobCount;
    this.submitTimes = view("submitTime") as Float64Array;
    this.durations = view("duration") as Float64Array;
    this.requests = view("request") as Float64Array;
    this.durationsByType = view("durationByType") as Float64Array;
    this.queueIds = view("queueId") as Int32Array;
    this.userIds = view("userId") as Int32Array;
    this.jobTypeIds = view("jobTypeId") as Int32Array;
    this.taskCounts = view("taskCount") as Int32Array;
    this.nameStarts = view("nameStart") as Int32Array;
    this.gpuTypeMasks = view("gpuTypeMask") as Uint32Array;
    this.flags = view("flags") as Uint8Array;
    this.names = view("names") as Uint8Array;
  }

  get header(): SharedTraceHeader {
    return this.handle.header;
  }

  /** Returns the total size of the shared buffer in bytes. */
  get byteLength(): number {
    return this.handle.buffer.byteLength;
  }

  /** Returns the trace's queues, as `Trace.queues`. */
  get queues(): QueueSpec[] {
    return this.handle.header.queues;
  }

  get skipped(): Record<string, number> {
    return this.handle.header.skipped;
  }

  get adjusted(): Record<string, number> {
    return this.handle.header.adjusted;
  }

  get notes(): string[] {
    return this.handle.header.notes;
  }

  submitTime(i: number): number {
    return this.submitTimes[i];
  }

  /** Returns job `i`'s duration in seconds without materialising the job. */
  duration(i: number): number {
    return this.durations[i];
  }

  /** Returns a view of the first `count` jobs, reading the same buffer. */
  limit(count: number): SimTrace {
    if (count >= this.length) return this;
    const length = Math.max(0, count);
    return {
      length,
      job: (i) => {
        if (!(i >= 0 && i < length)) throw new RangeError(`job index ${i} is outside the first ${length} jobs of the trace`);
        return this.job(i);
      },
      submitTime: (i) => this.submitTimes[i],
      duration: (i) => this.durations[i],
      queues: this.queues,
      skipped: this.skipped,
      adjusted: this.adjusted,
      notes: this.notes,
    };
  }

  /** Decodes job `i`'s name from the shared UTF-8 bytes. */
  name(i: number): string {
    return decoder.decode(this.names.subarray(this.nameStarts[i], this.nameStarts[i + 1]));
  }

  job(i: number): TraceJob {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`job index ${i} is outside the trace (0..${this.length - 1})`);
    const { dims, gpuTypes, queueNames, userNames } = this.handle.header;
    const D = dims.length;
    const T = gpuTypes.length;
    const flag = this.flags[i];

    const request: ResourceAmounts = {};
    for (let d = 0; d < D; d++) {
      const amount = this.requests[i * D + d];
      if (!Number.isNaN(amount)) request[dims[d]] = amount;
    }

    const job: TraceJob = {
      name: this.name(i),
      queue: queueNames[this.queueIds[i]],
      user: userNames[this.userIds[i]],
      submitTime: this.submitTimes[i],
      taskCount: this.taskCounts[i],
      request,
      gang: (flag & JOB_GANG) !== 0,
      duration: this.durations[i],
    };
    if (this.jobTypeIds[i] >= 0) job.jobType = this.handle.header.jobTypes[this.jobTypeIds[i]];
    if (flag & JOB_HAS_GPU_TYPES) {
      const mask = this.gpuTypeMasks[i];
      job.gpuTypes = gpuTypes.filter((_, t) => (mask >>> t) & 1);
    }
    if (flag & JOB_HAS_DURATION_BY_TYPE) {
      const byType: Record<string, number> = {};
      for (let t = 0; t < T; t++) {
        const seconds = this.durationsByType[i * T + t];
        if (!Number.isNaN(seconds)) byType[gpuTypes[t]] = seconds;
      }
      job.durationByGpuType = byType;
    }
    if (flag & JOB_FRACTIONAL_SET) job.fractionalGpu = (flag & JOB_FRACTIONAL_GPU) !== 0;
    return job;
  }

  /** Iterates jobs in order, materialising one at a time. */
  *[Symbol.iterator](): IterableIterator<TraceJob> {
    for (let i = 0; i < this.length; i++) yield this.job(i);
  }

  /** Returns a `Trace` whose `jobs` are all materialised; for consumers that need an array. */
  toTrace(limit = this.length): Trace {
    const count = Math.min(limit, this.length);
    const jobs: TraceJob[] = new Array(count);
    for (let i = 0; i < count; i++) jobs[i] = this.job(i);
    const { queues, skipped, adjusted, notes } = this.handle.header;
    return { jobs, queues: structuredClone(queues), skipped: { ...skipped }, adjusted: { ...adjusted }, notes: [...notes] };
  }
}

/** Lays a cluster out in one new `SharedArrayBuffer` as node columns and returns a reader. */
export function shareCluster(cluster: Cluster): SharedCluster {
  const nodes = cluster.nodes;
  const n = nodes.length;
  const dims: string[] = [];
  const gpuTypes: string[] = [];
  const dimIndex = new Map<string, number>();
  const typeIndex = new Map<string, number>();
  for (const node of nodes) {
    for (const dim of Object.keys(node.capacity)) intern(dim, dims, dimIndex);
    if (node.gpuType !== undefined) intern(node.gpuType, gpuTypes, typeIndex);
  }
  const D = dims.length;

  const names = encodeStrings(nodes.map((node) => node.name));
  const topologies = encodeStrings(nodes.map((node) => node.topology ?? ""));
  const labels = encodeStrings(nodes.map((node) => (node.labels ? JSON.stringify(node.labels) : "")));
  const { columns, bytes } = planColumns([
    ["capacity", "f64", n * D],
    ["gpuTypeId", "i32", n],
    ["nameStart", "i32", n + 1],
    ["topologyStart", "i32", n + 1],
    ["labelsStart", "i32", n + 1],
    ["flags", "u8", n],
    ["names", "u8", names.bytes.length],
    ["topologies", "u8", topologies.bytes.length],
    ["labels", "u8", labels.bytes.length],
  ]);
  const buffer = new SharedArrayBuffer(bytes);
  const view = (name: string) => viewOf(buffer, columns[name]);

  const capacity = view("capacity") as Float64Array;
  const gpuTypeId = view("gpuTypeId") as Int32Array;
  const flags = view("flags") as Uint8Array;
  capacity.fill(NaN);
  (view("nameStart") as Int32Array).set(names.starts);
  (view("topologyStart") as Int32Array).set(topologies.starts);
  (view("labelsStart") as Int32Array).set(labels.starts);
  (view("names") as Uint8Array).set(names.bytes);
  (view("topologies") as Uint8Array).set(topologies.bytes);
  (view("labels") as Uint8Array).set(labels.bytes);

  for (let i = 0; i < n; i++) {
    const node = nodes[i];
    for (const [dim, amount] of Object.entries(node.capacity)) capacity[i * D + dimIndex.get(dim)!] = amount;
    gpuTypeId[i] = node.gpuType === undefined ? -1 : typeIndex.get(node.gpuType)!;
    let flag = 0;
    if (node.schedulable !== undefined) flag |= NODE_SCHEDULABLE_SET | (node.schedulable ? NODE_SCHEDULABLE : 0);
    if (node.topology !== undefined) flag |= NODE_HAS_TOPOLOGY;
    if (node.labels !== undefined) flag |= NODE_HAS_LABELS;
    flags[i] = flag;
  }

  return new SharedCluster({
    buffer,
    header: { nodeCount: n, dims, gpuTypes, columns, skipped: { ...cluster.skipped }, notes: [...cluster.notes] },
  });
}

/** A cluster in a `SharedArrayBuffer`, read in place. */
export class SharedCluster {
  readonly handle: SharedClusterHandle;
  readonly length: number;
  readonly capacities: Float64Array;
  readonly gpuTypeIds: Int32Array;
  readonly flags: Uint8Array;
  private readonly strings: Record<"names" | "topologies" | "labels", { starts: Int32Array; bytes: Uint8Array }>;

  constructor(handle: SharedClusterHandle) {
    this.handle = handle;
    const { buffer, header } = handle;
    const view = (name: string) => viewOf(buffer, header.columns[name]);
    this.length = header.nodeCount;
    this.capacities = view("capacity") as Float64Array;
    this.gpuTypeIds = view("gpuTypeId") as Int32Array;
    this.flags = view("flags") as Uint8Array;
    this.strings = {
      names: { starts: view("nameStart") as Int32Array, bytes: view("names") as Uint8Array },
      topologies: { starts: view("topologyStart") as Int32Array, bytes: view("topologies") as Uint8Array },
      labels: { starts: view("labelsStart") as Int32Array, bytes: view("labels") as Uint8Array },
    };
  }

  get header(): SharedClusterHeader {
    return this.handle.header;
  }

  get byteLength(): number {
    return this.handle.buffer.byteLength;
  }

  private text(kind: "names" | "topologies" | "labels", i: number): string {
    const { starts, bytes } = this.strings[kind];
    return decoder.decode(bytes.subarray(starts[i], starts[i + 1]));
  }

  /** Returns node `i` as a fresh `NodeSpec`. */
  node(i: number): NodeSpec {
    if (!(i >= 0 && i < this.length)) throw new RangeError(`node index ${i} is outside the cluster (0..${this.length - 1})`);
    const { dims, gpuTypes } = this.handle.header;
    const D = dims.length;
    const capacity: ResourceAmounts = {};
    for (let d = 0; d < D; d++) {
      const amount = this.capacities[i * D + d];
      if (!Number.isNaN(amount)) capacity[dims[d]] = amount;
    }
    const node: NodeSpec = { name: this.text("names", i), capacity };
    const flag = this.flags[i];
    if (this.gpuTypeIds[i] >= 0) node.gpuType = gpuTypes[this.gpuTypeIds[i]];
    if (flag & NODE_HAS_TOPOLOGY) node.topology = this.text("topologies", i);
    if (flag & NODE_HAS_LABELS) node.labels = JSON.parse(this.text("labels", i)) as Record<string, string>;
    if (flag & NODE_SCHEDULABLE_SET) node.schedulable = (flag & NODE_SCHEDULABLE) !== 0;
    return node;
  }

  /** Returns every node as a `Cluster`; node lists are small next to traces. */
  toCluster(): Cluster {
    const nodes: NodeSpec[] = new Array(this.length);
    for (let i = 0; i < this.length; i++) nodes[i] = this.node(i);
    return { nodes, skipped: { ...this.handle.header.skipped }, notes: [...this.handle.header.notes] };
  }
}
