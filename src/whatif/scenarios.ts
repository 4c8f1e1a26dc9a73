/**
 * What-if scenarios: `--vary KEY=V1,V2,...` options, their cartesian product, and how one
 * scenario changes the base inputs of a simulation.
 *
 * Keys:
 *   weight:QUEUE          queue weight (>= 0)
 *   min:QUEUE:DIM         minResources of QUEUE in dimension DIM (>= 0)
 *   max:QUEUE:DIM         maxResources of QUEUE in dimension DIM (>= 0)
 *   policy                scheduling policy: fair, drf or fifo
 *   preemption            on or off
 *   cluster               node count scale factor per GPU type (> 0), for example 0.5 or 2
 *   gpus:TYPE             total GPUs of TYPE (whole number >= 0)
 */
import { InputError } from "../errors.js";
import type { NodeSpec, QueueSpec, SchedulingPolicy } from "../model/types.js";

export type VaryKind = "weight" | "min" | "max" | "policy" | "preemption" | "cluster" | "gpus";

export type VaryValue = number | string | boolean;

/** One `--vary` option after parsing: a key and the values it takes, in the order given. */
export interface VaryAxis {
  /** The key as written, for example `weight:root.a`; also the label of this axis. */
  key: string;
  kind: VaryKind;
  queue?: string;
  dimension?: string;
  gpuType?: string;
  values: VaryValue[];
}

/** One point of the product: a value per axis, in axis order. */
export interface Scenario {
  /** Position in the product, 0-based; the last axis varies fastest. */
  index: number;
  /** `key=value` pairs joined by spaces, for tables and logs. */
  label: string;
  settings: Array<{ key: string; value: VaryValue }>;
}

/** Inputs a scenario changes: the queue tree, the nodes and the run options. */
export interface ScenarioInputs {
  queues: QueueSpec[];
  nodes: NodeSpec[];
  policy?: SchedulingPolicy;
  preemption?: boolean;
}

export const VARY_KINDS: readonly VaryKind[] = ["weight", "min", "max", "policy", "preemption", "cluster", "gpus"];

const POLICIES: readonly SchedulingPolicy[] = ["fair", "drf", "fifo"];

/** Maximum scenarios one sweep may expand to, a guard against a mistyped value list. */
export const MAX_SCENARIOS = 10_000;

function invalidVary(option: string, problem: string, value: unknown, fix: string): InputError {
  return new InputError(problem, { item: `--vary ${option}`, value, fix });
}

/** Parses one `--vary KEY=V1,V2,...` option; throws `InputError` naming the bad part. */
export function parseVary(option: string): VaryAxis {
  const equals = option.indexOf("=");
  if (equals <= 0) {
    throw invalidVary(option, "missing KEY=VALUES", option, "Write --vary KEY=V1,V2 (for example --vary weight:root.a=1,2)");
  }
  const key = option.slice(0, equals).trim();
  const rawValues = option
    .slice(equals + 1)
    .split(",")
    .map((v) => v.trim());
  if (rawValues.some((v) => v === "")) {
    throw invalidVary(option, "empty value in the value list", option.slice(equals + 1), "Separate values with single commas, for example 1,2,4");
  }

  const parts = key.split(":");
  const kind = parts[0] as VaryKind;
  if (!VARY_KINDS.includes(kind)) {
    throw invalidVary(option, `unknown key ${parts[0]}`, key, `Use one of: weight:QUEUE, min:QUEUE:DIM, max:QUEUE:DIM, policy, preemption, cluster, gpus:TYPE`);
  }
  let expectedParts = 1;
  if (kind === "min" || kind === "max") expectedParts = 3;
  else if (kind === "weight" || kind === "gpus") expectedParts = 2;
  if (parts.length !== expectedParts || parts.some((p) => p === "")) {
    const forms: Record<VaryKind, string> = {
      weight: "weight:QUEUE (for example weight:root.a)",
      min: "min:QUEUE:DIM (for example min:root.a:gpu)",
      max: "max:QUEUE:DIM (for example max:root.a:gpu)",
      policy: "policy",
      preemption: "preemption",
      cluster: "cluster",
      gpus: "gpus:TYPE (for example gpus:V100)",
    };
    throw invalidVary(option, `malformed key for ${kind}`, key, `Write ${forms[kind]}`);
  }

  const axis: VaryAxis = { key, kind, values: [] };
  if (kind === "weight" || kind === "min" || kind === "max") axis.queue = parts[1];
  if (kind === "min" || kind === "max") axis.dimension = parts[2];
  if (kind === "gpus") axis.gpuType = parts[1];
  axis.values = rawValues.map((raw) => parseValue(option, kind, raw));

  const seen = new Set(axis.values.map(String));
  if (seen.size !== axis.values.length) {
    throw invalidVary(option, "duplicate value", rawValues, "List each value once");
  }
  return axis;
}

function parseValue(option: string, kind: VaryKind, raw: string): VaryValue {
  switch (kind) {
    case "policy":
      if (!(POLICIES as readonly string[]).includes(raw)) {
        throw invalidVary(option, "unknown policy", raw, `Use one of: ${POLICIES.join(", ")}`);
      }
      return raw;
    case "preemption":
      if (raw !== "on" && raw !== "off") throw invalidVary(option, "invalid preemption value", raw, "Use on or off");
      return raw === "on";
    default: {
      const value = Number(raw);
      const whole = kind === "gpus";
      const positive = kind === "cluster";
      const valid = Number.isFinite(value) && (positive ? value > 0 : value >= 0) && (!whole || Number.isInteger(value));
      if (!valid) {
        let expected = "a number >= 0";
        if (whole) expected = "a whole number >= 0";
        else if (positive) expected = "a number > 0";
        throw invalidVary(option, `invalid ${kind} value`, raw, `Use ${expected}`);
      }
      return value;
    }
  }
}

/** Parses every `--vary` option and rejects two options with the same key. */
export function parseVaryOptions(options: readonly string[]): VaryAxis[] {
  const axes = options.map(parseVary);
  const keys = new Set<string>();
  for (const axis of axes) {
    if (keys.has(axis.key)) {
      throw invalidVary(axis.key, "key given twice", axis.key, "Give each key once with all its values, for example --vary policy=fair,drf");
    }
    keys.add(axis.key);
  }
  return axes;
}

/** Formats a value as `--vary` accepts it (`on`/`off` for preemption). */
export function formatValue(value: VaryValue): string {
  if (typeof value === "boolean") return value ? "on" : "off";
  return String(value);
}

/**
 * Expands axes into their cartesian product, the last axis varying fastest. No axes yield one
 * scenario with no settings (the base run).
 */
export function expandScenarios(axes: readonly VaryAxis[]): Scenario[] {
  const total = axes.reduce((product, axis) => product * axis.values.length, 1);
  if (total > MAX_SCENARIOS) {
    throw new InputError(`the --vary options expand to ${total} scenarios, more than ${MAX_SCENARIOS}`, {
      item: "--vary",
      value: total,
      fix: "Vary fewer keys or list fewer values per key",
    });
  }
  const scenarios: Scenario[] = [];
  for (let index = 0; index < total; index++) {
    const settings: Scenario["settings"] = [];
    let rest = index;
    for (let a = axes.length - 1; a >= 0; a--) {
      const values = axes[a].values;
      settings.unshift({ key: axes[a].key, value: values[rest % values.length] });
      rest = Math.floor(rest / values.length);
    }
    const label = settings.map((s) => `${s.key}=${formatValue(s.value)}`).join(" ");
    scenarios.push({ index, label: label || "base", settings });
  }
  return scenarios;
}

/**
 * Checks that every queue and GPU type an axis names exists in the base inputs, so a typo fails
 * before any scenario runs.
 */
export function validateAxes(axes: readonly VaryAxis[], base: ScenarioInputs): void {
  const queues = new Set(base.queues.map((q) => q.name));
  const gpuTypes = new Set(base.nodes.map((n) => n.gpuType).filter((t): t is string => t !== undefined));
  for (const axis of axes) {
    if (axis.queue !== undefined && !queues.has(axis.queue)) {
      const known = [...queues].slice(0, 8).join(", ") + (queues.size > 8 ? ", ..." : "");
      throw invalidVary(axis.key, `queue ${axis.queue} not found`, axis.queue, `Use one of: ${known}`);
    }
    if (axis.gpuType !== undefined && !gpuTypes.has(axis.gpuType)) {
      throw invalidVary(axis.key, `no node has GPU type ${axis.gpuType}`, axis.gpuType, `Use one of: ${[...gpuTypes].join(", ")}`);
    }
  }
}

/**
 * Returns the base inputs with one scenario's settings applied; `base` is left unchanged.
 * Settings apply in axis order, so `cluster` then `gpus:TYPE` first scales all types and then
 * sets that type's total.
 */
export function applyScenario(base: ScenarioInputs, scenario: Scenario): ScenarioInputs {
  let queues = base.queues;
  let nodes = base.nodes;
  let policy = base.policy;
  let preemption = base.preemption;

  for (const { key, value } of scenario.settings) {
    const axis = parseVary(`${key}=${formatValue(value)}`);
    switch (axis.kind) {
      case "weight":
      case "min":
      case "max":
        queues = withQueueSetting(queues, axis, value as number);
        break;
      case "policy":
        policy = value as SchedulingPolicy;
        break;
      case "preemption":
        preemption = value as boolean;
        break;
      case "cluster":
        nodes = scaleCluster(nodes, value as number);
        break;
      case "gpus":
        nodes = setGpuTotal(nodes, axis.gpuType!, value as number);
        break;
    }
  }
  return { queues, nodes, policy, preemption };
}

function withQueueSetting(queues: QueueSpec[], axis: VaryAxis, value: number): QueueSpec[] {
  const index = queues.findIndex((q) => q.name === axis.queue);
  if (index < 0) {
    throw invalidVary(axis.key, `queue ${axis.queue} not found`, axis.queue, "Name a queue of the configuration or the trace");
  }
  const queue: QueueSpec = { ...queues[index] };
  if (axis.kind === "weight") queue.weight = value;
  else if (axis.kind === "min") queue.minResources = { ...queue.minResources, [axis.dimension!]: value };
  else queue.maxResources = { ...queue.maxResources, [axis.dimension!]: value };
  const copy = [...queues];
  copy[index] = queue;
  return copy;
}

/** Names and places the `copy`-th extra instance of a node: `m0` becomes `m0.1` in `rack-000.1`. */
function copyNode(node: NodeSpec, copy: number): NodeSpec {
  if (copy === 0) return node;
  const result: NodeSpec = { ...node, name: `${node.name}.${copy}` };
  if (node.topology !== undefined) {
    result.topology = node.topology
      .split("/")
      .map((segment) => `${segment}.${copy}`)
      .join("/");
  }
  return result;
}

/**
 * Scales the node count of each GPU type (nodes without a type form one group) by `factor`,
 * rounding to the nearest whole node. Shrinking keeps each group's first nodes in input order.
 * Growing appends copies named `NAME.K` in copied racks, so copies never share a rack with the
 * originals.
 */
export function scaleCluster(nodes: readonly NodeSpec[], factor: number): NodeSpec[] {
  const groups = new Map<string, NodeSpec[]>();
  for (const node of nodes) {
    const group = node.gpuType ?? "";
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group)!.push(node);
  }
  const result: NodeSpec[] = [];
  for (const group of groups.values()) {
    const target = Math.round(group.length * factor);
    for (let i = 0; i < target; i++) result.push(copyNode(group[i % group.length], Math.floor(i / group.length)));
  }
  return result;
}

/**
 * Sets the total GPUs of `gpuType` to `total`: that type's nodes are kept in input order, then
 * copies of them (named as `scaleCluster` names them) are appended, until the total is reached.
 * When the last node would overshoot, it keeps only the GPUs still needed, with its other
 * dimensions scaled in proportion. Nodes of other types keep their place.
 */
export function setGpuTotal(nodes: readonly NodeSpec[], gpuType: string, total: number): NodeSpec[] {
  const isTyped = (n: NodeSpec) => n.gpuType === gpuType && (n.capacity.gpu ?? 0) > 0;
  const typed = nodes.filter(isTyped);
  if (typed.length === 0 && total > 0) {
    throw new InputError(`no node has GPU type ${gpuType} with GPUs to copy`, {
      item: `--vary gpus:${gpuType}`,
      value: gpuType,
      fix: "Vary a GPU type that the cluster has",
    });
  }

  let gpus = 0;
  const take = (node: NodeSpec): NodeSpec | undefined => {
    if (gpus >= total) return undefined;
    const nodeGpus = node.capacity.gpu;
    if (gpus + nodeGpus <= total) {
      gpus += nodeGpus;
      return node;
    }
    const keep = total - gpus;
    const capacity: Record<string, number> = {};
    for (const [dim, amount] of Object.entries(node.capacity)) {
      capacity[dim] = dim === "gpu" ? keep : (amount * keep) / nodeGpus;
    }
    gpus = total;
    return { ...node, capacity };
  };

  const result: NodeSpec[] = [];
  for (const node of nodes) {
    const kept = isTyped(node) ? take(node) : node;
    if (kept) result.push(kept);
  }
  for (let i = typed.length; gpus < total; i++) {
    result.push(take(copyNode(typed[i % typed.length], Math.floor(i / typed.length)))!);
  }
  return result;
}
