/**
 * Reads the native snapshot format (version 1) from YAML or JSON: structure checked against
 * `schema/snapshot.schema.json`, then names, references and dimensions checked, then defaults
 * applied. Errors name the file, the line when the parser reports one, the item (`node n1`,
 * `queue root.a`, `job j1`), the bad value and the fix.
 */
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";

import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { isNode, LineCounter, parseDocument, type Document } from "yaml";

import {
  duplicateName,
  InputError,
  parseFailed,
  queueNotFound,
  undeclaredDimension,
  type ErrorContext,
} from "../errors.js";
import type {
  JobSpec,
  NodeSpec,
  PlacementRule,
  QueueDefaults,
  QueueSpec,
  ResourceAmounts,
  Snapshot,
  UserLimits,
} from "../model/types.js";
import { DEFAULT_RESOURCES } from "../model/types.js";
import { DEFAULT_PLACEMENT_POLICY, placeJob } from "./placement.js";
import { applyQueueDefaults, fullQueueName, parentName, QueueTree } from "./queues.js";
import { loadQueueConfig } from "./queue-config.js";
import { checkMinAboveMax } from "./yarn.js";

export interface SnapshotOptions {
  /** Reads the snapshot from under this top-level key (a case file keeps it under `snapshot`). */
  at?: string;
  /** Receives the warnings of the `config` file (`FILE:LINE: ...`); without it they are dropped. */
  warnings?: string[];
}

type Path = (string | number)[];
/** Returns the 1-based line of the value at `path`, or of its nearest ancestor the parser placed. */
type Locate = (path: Path) => number | undefined;

/** The snapshot as written, after the schema accepted it. */
interface RawSnapshot {
  version: 1;
  time?: number;
  resources?: string[];
  config?: string;
  configFormat?: "yarn" | "spark";
  nodes?: (NodeSpec & { count?: number })[];
  queues?: QueueSpec[];
  jobs?: JobSpec[];
  placementPolicy?: PlacementRule[];
  users?: Record<string, UserLimits>;
  userMaxAppsDefault?: number;
}

/** Reads and parses the snapshot file at `path`; a `config` file in it is relative to it. */
export function loadSnapshot(path: string, options: SnapshotOptions = {}): Snapshot {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new InputError(`cannot read snapshot: ${(cause as Error).message}`, {
      file: path,
      fix: "Check the path and that the file is readable",
    });
  }
  return parseSnapshot(text, path, dirname(resolve(path)), options);
}

/**
 * Parses snapshot text in YAML or JSON, which YAML 1.2 also reads. `file` names the text in
 * errors, and `baseDir` (default: the current directory) resolves a `config` path.
 */
export function parseSnapshot(text: string, file: string, baseDir = ".", options: SnapshotOptions = {}): Snapshot {
  const format = /\.json$/i.test(file) ? "JSON" : "YAML";
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  if (document.errors.length > 0) {
    const first = document.errors[0];
    const line = first.linePos?.[0].line ?? lineCounter.linePos(first.pos[0]).line;
    throw parseFailed(file, format, first.message.split("\n")[0], line);
  }

  const prefix: Path = options.at === undefined ? [] : [options.at];
  const locate: Locate = (path) => locateLine(document, lineCounter, [...prefix, ...path]);

  let data: unknown = document.toJS();
  if (options.at !== undefined) data = (data as Record<string, unknown> | null)?.[options.at];
  return buildSnapshot(validateStructure(data, file, locate), file, baseDir, locate, options.warnings);
}

function locateLine(document: Document, lineCounter: LineCounter, path: Path): number | undefined {
  for (let length = path.length; length >= 0; length--) {
    const node = length === 0 ? document.contents : document.getIn(path.slice(0, length), true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Structure: the JSON Schema, with its errors turned into messages about named items.

let validator: ValidateFunction | undefined;
let ajv: Ajv | undefined;
let schemaId = "";

function schemaValidator(): ValidateFunction {
  if (!validator) {
    const schemaUrl = new URL("../../schema/snapshot.schema.json", import.meta.url);
    const schema = JSON.parse(readFileSync(schemaUrl, "utf8")) as { $id: string };
    ajv = new Ajv({ allErrors: false, strict: true });
    schemaId = schema.$id;
    validator = ajv.compile(schema);
  }
  return validator;
}

/** Returns the validator of one item definition of the snapshot schema (`job`, `node`, `queue`). */
function definitionValidator(definition: "job" | "node" | "queue"): ValidateFunction {
  schemaValidator();
  return ajv!.getSchema(`${schemaId}#/definitions/${definition}`)!;
}

function validateStructure(data: unknown, file: string, locate: Locate): RawSnapshot {
  if (data === null || typeof data !== "object" || Array.isArray(data)) {
    throw new InputError("the snapshot is not a mapping", {
      file,
      line: locate([]),
      fix: "Write the snapshot as a mapping with version: 1, resources, nodes, queues and jobs",
    });
  }
  const validate = schemaValidator();
  if (!validate(data)) throw schemaError(validate.errors![0], data, file, locate);
  return data as RawSnapshot;
}

const LISTS: Record<string, string> = { nodes: "node", queues: "queue", jobs: "job", placementPolicy: "rule" };

/** Names the item a path points into (`node n1`) and the field inside it (`capacity.gpu`). */
function describePath(data: unknown, path: Path): { item?: string; field: string } {
  const [list, index] = path;
  if (typeof list === "string" && list in LISTS && typeof index === "number") {
    const element = (data as Record<string, unknown[]>)[list][index] as { name?: unknown } | undefined;
    const name = typeof element?.name === "string" ? element.name : `#${index + 1}`;
    return { item: `${LISTS[list]} ${name}`, field: formatPath(path.slice(2)) };
  }
  return { field: formatPath(path) };
}

function formatPath(path: Path): string {
  let text = "";
  for (const part of path) {
    if (typeof part === "number") text += `[${part}]`;
    else text += text === "" ? part : `.${part}`;
  }
  return text;
}

function valueAt(data: unknown, path: Path): unknown {
  let value = data;
  for (const part of path) value = (value as Record<string | number, unknown> | undefined)?.[part];
  return typeof value === "number" && !Number.isFinite(value) ? String(value) : value;
}

function schemaError(error: ErrorObject, data: unknown, file: string, locate: Locate): InputError {
  const path: Path = error.instancePath
    .split("/")
    .slice(1)
    .map((part) => part.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((part) => (/^\d+$/.test(part) ? Number(part) : part));
  const { item, field } = describePath(data, path);
  const subject = field === "" ? "the snapshot" : field;
  const context: ErrorContext = { file, line: locate(path), item, value: valueAt(data, path) };
  const params = error.params as Record<string, unknown>;
  const parent = error.parentSchema as { minimum?: number; type?: string } | undefined;

  switch (error.keyword) {
    case "required":
      return new InputError(`missing ${params.missingProperty} in ${subject}`, {
        ...context,
        value: undefined,
        fix: `Add ${params.missingProperty}${params.missingProperty === "version" ? ": 1" : ""}`,
      });
    case "additionalProperties": {
      const key = String(params.additionalProperty);
      return new InputError(`unknown key ${key} in ${subject}`, {
        ...context,
        line: locate([...path, key]),
        value: key,
        fix: "Remove it or correct its spelling; the snapshot format (version 1) has no such key",
      });
    }
    case "const":
      return new InputError(`${subject} must be ${JSON.stringify(params.allowedValue)}`, {
        ...context,
        fix: field === "version" ? "Set version: 1, the only snapshot version this reader knows" : "Use the allowed value",
      });
    case "enum":
      return new InputError(`invalid ${subject}`, {
        ...context,
        fix: `Use one of: ${(params.allowedValues as unknown[]).join(", ")}`,
      });
    case "type": {
      const bound = parent?.minimum === 0 ? " ≥ 0" : "";
      const type = String(params.type);
      return new InputError(`${subject} must be ${type === "integer" ? "a whole number" : `a ${type}`}${bound}`, {
        ...context,
        fix: `Write ${subject} as ${type === "integer" ? "a whole number" : `a ${type}`}${bound}`,
      });
    }
    case "minimum":
    case "maximum":
      return new InputError(`${subject} must be ${error.keyword === "minimum" ? "≥" : "≤"} ${params.limit}`, {
        ...context,
        fix: `Write ${subject} as a value ${error.keyword === "minimum" ? "≥" : "≤"} ${params.limit}`,
      });
    default:
      return new InputError(`invalid ${subject}: ${error.message ?? error.keyword}`, {
        ...context,
        fix: "Correct the value to match the snapshot format (version 1)",
      });
  }
}

// ---------------------------------------------------------------------------------------------
// Meaning: names, references and dimensions, then defaults.

function buildSnapshot(raw: RawSnapshot, file: string, baseDir: string, locate: Locate, warnings?: string[]): Snapshot {
  const resources = raw.resources ?? [...DEFAULT_RESOURCES];
  const at = (path: Path, item?: string): ErrorContext => ({ file, line: locate(path), item });

  // 1. Queues, placement policy and user limits from the allocation file, if any.
  const tree = new QueueTree();
  let placementPolicy = raw.placementPolicy;
  let users = raw.users;
  let userMaxAppsDefault = raw.userMaxAppsDefault;
  let queueDefaults: QueueDefaults = {};

  if (raw.config !== undefined) {
    const configPath = resolve(baseDir, raw.config);
    const config = loadQueueConfig(configPath, { resources, format: raw.configFormat });
    for (const queue of config.queues) tree.merge(queue);
    placementPolicy ??= config.placementPolicy;
    users = { ...config.users, ...users };
    userMaxAppsDefault ??= config.userMaxAppsDefault;
    queueDefaults = config.queueDefaults;
    warnings?.push(...config.warnings);
  }

  // 2. Nodes, with `count` expanded.
  const nodes = expandNodes(raw.nodes ?? [], resources, at);
  const nodeNames = new Set(nodes.map((node) => node.name));

  // 3. The snapshot's queues, which add to or override the allocation file's.
  const seenQueues = new Set<string>();
  (raw.queues ?? []).forEach((queue, index) => {
    const name = fullQueueName(queue.name, at(["queues", index, "name"], `queue ${queue.name}`));
    const item = `queue ${name}`;
    if (seenQueues.has(name)) throw duplicateName("queue", name, at(["queues", index, "name"], item));
    seenQueues.add(name);

    for (const field of ["minResources", "maxResources", "maxChildResources", "maxContainerAllocation"] as const) {
      checkDimensions(queue[field], resources, ["queues", index, field], item, at);
    }
    checkMinAboveMax(name, queue.minResources, queue.maxResources, at(["queues", index, "minResources"]));
    checkMinAboveMax(name, queue.minResourcesPercent, queue.maxResourcesPercent, at(["queues", index, "minResourcesPercent"]));
    tree.merge({ ...queue, name });
  });

  // 4. Jobs: unique names, declared dimensions, known nodes, and a leaf queue for each.
  const jobs = resolveJobs(raw.jobs ?? [], { resources, nodeNames, tree, placementPolicy, at });

  // 5. Defaults and inheritance over the finished tree.
  const queues = applyQueueDefaults(tree, queueDefaults);

  const snapshot: Snapshot = { version: 1, time: raw.time ?? 0, resources, nodes, queues, jobs, source: file };
  if (placementPolicy) snapshot.placementPolicy = placementPolicy;
  if (users && Object.keys(users).length > 0) snapshot.users = users;
  if (userMaxAppsDefault !== undefined) snapshot.userMaxAppsDefault = userMaxAppsDefault;
  if (Object.keys(queueDefaults).length > 0) snapshot.queueDefaults = queueDefaults;
  return snapshot;
}

type At = (path: Path, item?: string) => ErrorContext;

function checkDimensions(amounts: ResourceAmounts | undefined, resources: readonly string[], path: Path, item: string, at: At): void {
  for (const dimension of Object.keys(amounts ?? {})) {
    if (!resources.includes(dimension)) throw undeclaredDimension(dimension, resources, at([...path, dimension], item));
  }
}

function expandNodes(written: (NodeSpec & { count?: number })[], resources: readonly string[], at: At): NodeSpec[] {
  const nodes: NodeSpec[] = [];
  const firstIndex = new Map<string, number>();

  written.forEach((entry, index) => {
    const item = `node ${entry.name}`;
    checkDimensions(entry.capacity, resources, ["nodes", index, "capacity"], item, at);

    const { count, ...spec } = entry;
    const names = count === undefined ? [entry.name] : Array.from({ length: count }, (_, i) => `${entry.name}-${i}`);
    for (const name of names) {
      const earlier = firstIndex.get(name);
      if (earlier !== undefined) {
        const context = at(["nodes", index, "name"], `node ${name}`);
        const error = duplicateName("node", name, context);
        if (earlier !== index) error.message += ` (first defined in entry #${earlier + 1})`;
        throw error;
      }
      firstIndex.set(name, index);
      nodes.push({ ...spec, name, capacity: { ...spec.capacity } });
    }
  });
  return nodes;
}

interface JobContext {
  resources: readonly string[];
  nodeNames: Set<string>;
  tree: QueueTree;
  placementPolicy?: PlacementRule[];
  at: At;
}

function resolveJobs(written: JobSpec[], context: JobContext): JobSpec[] {
  const { resources, nodeNames, tree, placementPolicy, at } = context;
  const seen = new Set<string>();

  return written.map((job, index) => {
    const item = `job ${job.name}`;
    if (seen.has(job.name)) throw duplicateName("job", job.name, at(["jobs", index, "name"], item));
    seen.add(job.name);

    checkJobReferences(job, ["jobs", index], { resources, nodeNames, at });

    const queue = resolveQueue(job, index, tree, placementPolicy, at);
    return { ...job, queue };
  });
}

/**
 * Returns the job's leaf queue. A named queue must exist unless a configured placement policy
 * places the job; a job without a queue goes through the policy (default: specified, default).
 */
function resolveQueue(job: JobSpec, index: number, tree: QueueTree, policy: PlacementRule[] | undefined, at: At): string {
  const item = `job ${job.name}`;
  const queuePath: Path = ["jobs", index, job.queue === undefined ? "name" : "queue"];

  let requested: string | undefined;
  if (job.queue !== undefined) {
    requested = fullQueueName(job.queue, at(queuePath, item));
    if (tree.has(requested) && !tree.isParent(requested)) return requested;
    if (tree.isParent(requested)) {
      throw new InputError(`queue ${requested} is a parent queue`, {
        ...at(queuePath, item),
        value: job.queue,
        fix: `Jobs run in leaf queues: use a queue under ${requested}, or a leaf queue`,
      });
    }
    if (!policy) throw queueNotFound(job.name, requested, tree.leaves(), at(queuePath));
  }

  const existed = new Set(tree.ordered().map((queue) => queue.name));
  const placed = placeJob({ ...job, queue: requested }, policy ?? DEFAULT_PLACEMENT_POLICY, tree, at(queuePath));

  // A queue created on the fly takes its parent's maxChildResources as its maxResources.
  for (let name: string | undefined = placed; name && !existed.has(name); name = parentName(name)) {
    const parent = tree.get(parentName(name)!);
    const created = tree.get(name)!;
    if (parent?.maxChildResources && !created.maxResources) created.maxResources = { ...parent.maxChildResources };
    if (parent?.maxChildResourcesPercent && !created.maxResourcesPercent) {
      created.maxResourcesPercent = { ...parent.maxChildResourcesPercent };
    }
  }
  return placed;
}

// ---------------------------------------------------------------------------------------------
// Single items, for callers that add them to a running scheduler.

/** Declared dimensions and nodes that a single job, node or queue is checked against. */
export interface ItemCheckContext {
  /** The declared resource dimensions. */
  resources: readonly string[];
  /** Nodes that a job's allocations may name; when missing, allocation nodes are not checked. */
  nodeNames?: ReadonlySet<string>;
  /** Names the source in errors, for example `Scheduler.submit`. */
  file?: string;
}

/**
 * Checks one job as the snapshot reader checks each job in `jobs`: field types and ranges from the
 * schema (request amounts are numbers ≥ 0, counts whole numbers), declared dimensions, known
 * allocation nodes and elastic.min ≤ elastic.max. Throws an `InputError` naming the job, the
 * field, the value and the fix. The queue is left to the caller.
 */
export function validateJob(job: unknown, context: ItemCheckContext): JobSpec {
  checkDefinition("job", job, context);
  const checked = job as JobSpec;
  const at: At = (_path, item) => ({ file: context.file, item });
  checkJobReferences(checked, ["jobs", 0], { resources: context.resources, nodeNames: context.nodeNames, at });
  return checked;
}

/** Checks one node as the snapshot reader does: name, capacity amounts ≥ 0 and declared dimensions. */
export function validateNode(node: unknown, context: ItemCheckContext): NodeSpec {
  checkDefinition("node", node, context);
  const checked = node as NodeSpec;
  const at: At = (_path, item) => ({ file: context.file, item });
  checkDimensions(checked.capacity, context.resources, ["nodes", 0, "capacity"], `node ${checked.name}`, at);
  return checked;
}

/** Checks one queue as the snapshot reader does: field ranges, declared dimensions and min ≤ max. */
export function validateQueue(queue: unknown, context: ItemCheckContext): QueueSpec {
  checkDefinition("queue", queue, context);
  const checked = queue as QueueSpec;
  const item = `queue ${checked.name}`;
  const at: At = (_path, itemName) => ({ file: context.file, item: itemName });
  for (const field of ["minResources", "maxResources", "maxChildResources", "maxContainerAllocation"] as const) {
    checkDimensions(checked[field], context.resources, ["queues", 0, field], item, at);
  }
  checkMinAboveMax(checked.name, checked.minResources, checked.maxResources, { file: context.file });
  checkMinAboveMax(checked.name, checked.minResourcesPercent, checked.maxResourcesPercent, { file: context.file });
  return checked;
}

/** Throws the schema error of `value` against one item definition, phrased as in a snapshot. */
function checkDefinition(definition: "job" | "node" | "queue", value: unknown, context: ItemCheckContext): void {
  const validate = definitionValidator(definition);
  if (validate(value)) return;

  const list = `${definition}s`;
  const error = { ...validate.errors![0], instancePath: `/${list}/0${validate.errors![0].instancePath}` };
  throw schemaError(error, { [list]: [value] }, context.file ?? "", () => undefined);
}

/** Checks a job's declared dimensions, allocation nodes and elastic range; `path` locates it. */
function checkJobReferences(
  job: JobSpec,
  path: Path,
  context: { resources: readonly string[]; nodeNames?: ReadonlySet<string>; at: At },
): void {
  const { resources, nodeNames, at } = context;
  const item = `job ${job.name}`;

  job.tasks.forEach((task, t) => checkDimensions(task.request, resources, [...path, "tasks", t, "request"], item, at));
  (job.allocations ?? []).forEach((allocation, a) => {
    checkDimensions(allocation.request, resources, [...path, "allocations", a, "request"], item, at);
    if (nodeNames && !nodeNames.has(allocation.node)) {
      throw new InputError(`allocation on node ${allocation.node}, which is not in nodes`, {
        ...at([...path, "allocations", a, "node"], item),
        value: allocation.node,
        fix: "Name a node from nodes (with count, nodes are named NAME-0 .. NAME-(count-1))",
      });
    }
  });
  if (job.elastic && job.elastic.min > job.elastic.max) {
    throw new InputError("elastic.min is above elastic.max", {
      ...at([...path, "elastic"], item),
      value: job.elastic,
      fix: "Set elastic.min ≤ elastic.max",
    });
  }
}
