/**
 * The queue tree shared by the readers: full dotted names, parents created as needed, settings
 * merged from several sources, and the defaults and inheritance YARN applies.
 */
import { InputError, type ErrorContext } from "../errors.js";
import type { QueueDefaults, QueueSpec } from "../model/types.js";

export const ROOT = "root";

/**
 * Returns the full name of a queue: `a.b` and `root.a.b` both give `root.a.b`, as YARN lets the
 * `root.` prefix be left out. Throws for an empty name or an empty part (`root..a`, `a.`).
 */
export function fullQueueName(name: string, context: ErrorContext): string {
  const trimmed = name.trim();
  const full = trimmed === ROOT || trimmed.startsWith(`${ROOT}.`) ? trimmed : `${ROOT}.${trimmed}`;
  if (trimmed === "" || full.split(".").some((part) => part.trim() === "")) {
    throw new InputError("invalid queue name: empty part", {
      ...context,
      value: name,
      fix: "Write the name as dot-separated parts without blanks, for example root.research.llm",
    });
  }
  if (/\s/.test(full)) {
    throw new InputError("invalid queue name: it contains white space", {
      ...context,
      value: name,
      fix: "Remove the spaces or replace them with - or _, for example root.infer-ence",
    });
  }
  return full;
}

/** Returns the parent's full name, or undefined for `root`. */
export function parentName(name: string): string | undefined {
  const dot = name.lastIndexOf(".");
  return dot < 0 ? undefined : name.slice(0, dot);
}

/** A queue tree under construction; queues keep the order in which they were first named. */
export class QueueTree {
  private readonly specs = new Map<string, QueueSpec>();
  private readonly children = new Map<string, string[]>();

  constructor() {
    this.ensure(ROOT);
  }

  has(name: string): boolean {
    return this.specs.has(name);
  }

  get(name: string): QueueSpec | undefined {
    return this.specs.get(name);
  }

  /** Returns true for a queue with children or one configured as `type: parent`. */
  isParent(name: string): boolean {
    return (this.children.get(name)?.length ?? 0) > 0 || this.specs.get(name)?.type === "parent";
  }

  /** Returns every leaf queue name, in tree order. */
  leaves(): string[] {
    return this.ordered()
      .map((queue) => queue.name)
      .filter((name) => !this.isParent(name));
  }

  /** Creates the queue and its missing ancestors; returns the queue. */
  ensure(name: string): QueueSpec {
    let spec = this.specs.get(name);
    if (spec) return spec;

    const parent = parentName(name);
    if (parent !== undefined) {
      this.ensure(parent);
      this.children.get(parent)!.push(name);
    }
    spec = { name };
    this.specs.set(name, spec);
    this.children.set(name, []);
    return spec;
  }

  /** Sets the fields `spec` defines on the queue (creating it), keeping the others. */
  merge(spec: QueueSpec): QueueSpec {
    const target = this.ensure(spec.name);
    for (const [key, value] of Object.entries(spec)) {
      if (value !== undefined) (target as unknown as Record<string, unknown>)[key] = value;
    }
    return target;
  }

  /** Returns the queues parents first, `root` first, siblings in the order they were named. */
  ordered(): QueueSpec[] {
    const result: QueueSpec[] = [];
    const visit = (name: string): void => {
      result.push(this.specs.get(name)!);
      for (const child of this.children.get(name) ?? []) visit(child);
    };
    visit(ROOT);
    return result;
  }
}

/**
 * Applies defaults and inheritance in place, as YARN's FairScheduler resolves them.
 * Every queue gets weight 1 and `defaultQueueSchedulingPolicy` when unset. Every queue but `root`
 * gets `queueMaxAppsDefault` and `queueMaxResourcesDefault`, and leaves get
 * `queueMaxAMShareDefault`. `root` takes the top-level preemption defaults. Below it, an unset
 * preemption timeout or threshold comes from the parent, and `allowPreemptionFrom: false` applies
 * to every descendant.
 */
export function applyQueueDefaults(tree: QueueTree, defaults: QueueDefaults = {}): QueueSpec[] {
  const queues = tree.ordered();
  for (const queue of queues) {
    const isRoot = queue.name === ROOT;
    const isLeaf = !tree.isParent(queue.name);
    queue.weight ??= 1;
    queue.schedulingPolicy ??= defaults.schedulingPolicy;

    if (!isRoot) {
      queue.maxRunningApps ??= defaults.maxRunningApps;
      if (queue.maxResources === undefined && queue.maxResourcesPercent === undefined) {
        queue.maxResources = defaults.maxResources && { ...defaults.maxResources };
        queue.maxResourcesPercent = defaults.maxResourcesPercent && { ...defaults.maxResourcesPercent };
      }
    }
    if (isLeaf) queue.maxAMShare ??= defaults.maxAMShare;

    if (isRoot) {
      queue.minSharePreemptionTimeout ??= defaults.minSharePreemptionTimeout;
      queue.fairSharePreemptionTimeout ??= defaults.fairSharePreemptionTimeout;
      queue.fairSharePreemptionThreshold ??= defaults.fairSharePreemptionThreshold;
    } else {
      const parent = tree.get(parentName(queue.name)!)!;
      queue.minSharePreemptionTimeout ??= parent.minSharePreemptionTimeout;
      queue.fairSharePreemptionTimeout ??= parent.fairSharePreemptionTimeout;
      queue.fairSharePreemptionThreshold ??= parent.fairSharePreemptionThreshold;
      if (parent.allowPreemptionFrom === false) queue.allowPreemptionFrom = false;
    }
    removeUndefined(queue);
  }
  return queues;
}

function removeUndefined(queue: QueueSpec): void {
  const fields = queue as unknown as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (fields[key] === undefined) delete fields[key];
  }
}
