/**
 * Reads YARN's FairScheduler allocation file (`fair-scheduler.xml`): queues (or `pool`s) with
 * every documented property, user limits, the top-level defaults, `queuePlacementPolicy` and the
 * `reservation-*` elements, with the Hadoop 2 names `schedulingMode`,
 * `defaultQueueSchedulingMode` and top-level `fairSharePreemptionTimeout` accepted as aliases.
 *
 * Differences from YARN, which logs a warning and carries on for any unknown element: by default
 * an unknown element inside `<queue>` or `<user>` is rejected, so a misspelt queue setting is
 * never ignored. One at the top level only adds a warning. A value YARN clamps (`maxAMShare`
 * above 1, `fairSharePreemptionThreshold` outside 0..1) is clamped with a warning in `warnings`.
 * Timeouts stay in seconds, as written.
 */
import { readFileSync } from "node:fs";

import { combineErrors, duplicateName, InputError, minAboveMax, unknownElement, type ErrorContext } from "../errors.js";
import type {
  PlacementRule,
  QueueDefaults,
  QueueSpec,
  ResourceAmounts,
  SchedulingPolicy,
  UserLimits,
} from "../model/types.js";
import { DEFAULT_RESOURCES } from "../model/types.js";
import { PLACEMENT_RULES } from "./placement.js";
import { ROOT } from "./queues.js";
import { readXml, type XmlElement } from "./xml.js";
import { parseYarnResources, type YarnResourceValue } from "./yarn-resources.js";

export interface YarnOptions {
  /** Snapshot dimensions the resource strings map to; default `[gpu, cpu, memory]`. */
  resources?: readonly string[];
  /**
   * Handling of unknown elements: `warn-top-level` (default) skips one directly inside
   * `<allocations>` with a warning and rejects one inside `<queue>` or `<user>`. `reject` fails
   * on every unknown element, and `warn` skips every one with a warning, as YARN does.
   */
  unknownElements?: "warn-top-level" | "reject" | "warn";
}

/** The settings an allocation file configures. */
export interface AllocationFile {
  /** Queues as written, parents before children, `root` included only when the file names it. */
  queues: QueueSpec[];
  placementPolicy?: PlacementRule[];
  users: Record<string, UserLimits>;
  userMaxAppsDefault?: number;
  /** Top-level defaults, not yet applied to `queues` (see `applyQueueDefaults`). */
  queueDefaults: QueueDefaults;
  /** Class names from `reservation-agent`, `reservation-policy` and `reservation-planner`. */
  reservation: { agent?: string; policy?: string; planner?: string };
  /** Problems that did not stop the load, each with file and line. */
  warnings: string[];
}

/** Elements a `<queue>` (or `<pool>`) may contain. */
export const QUEUE_ELEMENTS = [
  "minResources",
  "maxResources",
  "maxChildResources",
  "maxContainerAllocation",
  "maxRunningApps",
  "maxAMShare",
  "weight",
  "schedulingPolicy",
  "schedulingMode",
  "aclSubmitApps",
  "aclAdministerApps",
  "aclAdministerReservations",
  "aclListReservations",
  "aclSubmitReservations",
  "minSharePreemptionTimeout",
  "fairSharePreemptionTimeout",
  "fairSharePreemptionThreshold",
  "allowPreemptionFrom",
  "reservation",
  "queue",
  "pool",
];

/** Elements `<allocations>` may contain. */
export const TOP_LEVEL_ELEMENTS = [
  "queue",
  "pool",
  "user",
  "userMaxAppsDefault",
  "queueMaxAppsDefault",
  "queueMaxResourcesDefault",
  "queueMaxAMShareDefault",
  "defaultQueueSchedulingPolicy",
  "defaultQueueSchedulingMode",
  "defaultMinSharePreemptionTimeout",
  "defaultFairSharePreemptionTimeout",
  "fairSharePreemptionTimeout",
  "defaultFairSharePreemptionThreshold",
  "queuePlacementPolicy",
  "reservation-agent",
  "reservation-policy",
  "reservation-planner",
];

/** Reads and parses the allocation file at `path`. */
export function loadAllocationFile(path: string, options: YarnOptions = {}): AllocationFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new InputError(`cannot read allocation file: ${(cause as Error).message}`, {
      file: path,
      fix: "Check the path; a path in a snapshot's config is relative to the snapshot",
    });
  }
  return parseAllocationFile(text, path, options);
}

/** Parses allocation-file text; `file` names it in errors. Throws one `InputError` listing every problem. */
export function parseAllocationFile(text: string, file: string, options: YarnOptions = {}): AllocationFile {
  const document = readXml(text, file);
  const reader = new AllocationReader(file, options);
  if (document.root) reader.read(document.root);

  const syntaxLines = new Set(document.errors.map((error) => error.line));
  const errors = [...document.errors, ...reader.errors.filter((error) => !syntaxLines.has(error.line))];
  if (errors.length > 0) throw combineErrors(errors);
  return reader.result;
}

/** Walks the element tree, collecting results and every error it meets. */
class AllocationReader {
  readonly errors: InputError[] = [];
  readonly result: AllocationFile = { queues: [], users: {}, queueDefaults: {}, reservation: {}, warnings: [] };
  private readonly resources: readonly string[];
  private readonly queueNames = new Set<string>();

  constructor(
    private readonly file: string,
    private readonly options: YarnOptions,
  ) {
    this.resources = options.resources ?? DEFAULT_RESOURCES;
  }

  read(root: XmlElement): void {
    if (root.name !== "allocations") {
      this.errors.push(
        new InputError(`root element is <${root.name}>`, {
          file: this.file,
          line: root.line,
          value: root.name,
          fix: "Make <allocations> the root element of the allocation file",
        }),
      );
      return;
    }

    const queueElements = root.children.filter((child) => child.name === "queue" || child.name === "pool");
    const rootElement = queueElements.find((element) => element.attributes.name?.trim() === ROOT);
    if (rootElement && queueElements.length > 1) {
      this.errors.push(
        new InputError("queue root is configured next to other top-level queues", {
          file: this.file,
          line: rootElement.line,
          item: "queue root",
          fix: "Put every other queue inside the <queue name=\"root\"> element",
        }),
      );
    }

    for (const element of root.children) this.attempt(() => this.readTopLevel(element));
  }

  private attempt(step: () => void): void {
    try {
      step();
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      this.errors.push(error);
    }
  }

  private context(element: XmlElement, item?: string): ErrorContext {
    return { file: this.file, line: element.line, item };
  }

  private unknown(element: XmlElement, parent: string, allowed: readonly string[], item?: string): void {
    const mode = this.options.unknownElements ?? "warn-top-level";
    if (mode === "warn" || (mode === "warn-top-level" && parent === "allocations")) {
      const where = `${this.file}:${element.line}: ${item ? `${item}: ` : ""}`;
      this.result.warnings.push(`${where}unknown element <${element.name}> inside <${parent}> is ignored, as YARN ignores it`);
      return;
    }
    this.errors.push(unknownElement(element.name, parent, allowed, this.context(element, item)));
  }

  private readTopLevel(element: XmlElement): void {
    const defaults = this.result.queueDefaults;
    switch (element.name) {
      case "queue":
      case "pool":
        this.readQueue(element, undefined);
        return;
      case "user":
        this.readUser(element);
        return;
      case "userMaxAppsDefault":
        this.result.userMaxAppsDefault = this.count(element);
        return;
      case "queueMaxAppsDefault":
        defaults.maxRunningApps = this.count(element);
        return;
      case "queueMaxResourcesDefault": {
        const value = this.resourceValue(element);
        defaults.maxResources = value.amounts;
        defaults.maxResourcesPercent = value.percent;
        return;
      }
      case "queueMaxAMShareDefault":
        defaults.maxAMShare = this.amShare(element);
        return;
      case "defaultQueueSchedulingPolicy":
      case "defaultQueueSchedulingMode":
        defaults.schedulingPolicy = this.policy(element);
        return;
      case "defaultMinSharePreemptionTimeout":
        defaults.minSharePreemptionTimeout = this.count(element);
        return;
      case "defaultFairSharePreemptionTimeout":
      case "fairSharePreemptionTimeout":
        defaults.fairSharePreemptionTimeout = this.count(element);
        return;
      case "defaultFairSharePreemptionThreshold":
        defaults.fairSharePreemptionThreshold = this.threshold(element);
        return;
      case "queuePlacementPolicy":
        this.result.placementPolicy = element.children.map((rule) => this.readRule(rule, false));
        return;
      case "reservation-agent":
        this.result.reservation.agent = element.text;
        return;
      case "reservation-policy":
        this.result.reservation.policy = element.text;
        return;
      case "reservation-planner":
        this.result.reservation.planner = element.text;
        return;
      default:
        this.unknown(element, "allocations", TOP_LEVEL_ELEMENTS);
    }
  }

  private readUser(element: XmlElement): void {
    const name = element.attributes.name?.trim();
    if (!name) throw new InputError("user without a name", { ...this.context(element, "<user>"), fix: 'Add name="USER"' });

    const item = `user ${name}`;
    const limits: UserLimits = {};
    for (const child of element.children) {
      if (child.name === "maxRunningApps") limits.maxRunningApps = this.count(child, item);
      else this.unknown(child, "user", ["maxRunningApps"], item);
    }
    this.result.users[name] = limits;
  }

  /** Reads one queue and its descendants; `parent` is undefined at the top level. */
  private readQueue(element: XmlElement, parent: string | undefined): void {
    const rawName = element.attributes.name?.trim() ?? "";
    if (rawName === "" || rawName.includes(".")) {
      throw new InputError(rawName === "" ? "queue without a name" : "queue name contains a period", {
        ...this.context(element, `<${element.name}>`),
        value: element.attributes.name ?? "",
        fix: 'Give the queue a name="..." without periods; nest <queue> elements for a hierarchy',
      });
    }

    let name = `${parent ?? ROOT}.${rawName}`;
    if (parent === undefined && rawName === ROOT) name = ROOT;
    const item = `queue ${name}`;
    if (this.queueNames.has(name)) throw duplicateName("queue", name, this.context(element, item));
    this.queueNames.add(name);

    const spec: QueueSpec = { name };
    const type = element.attributes.type;
    if (type !== undefined) {
      if (type !== "parent" && type !== "leaf") {
        throw new InputError("invalid queue type", {
          ...this.context(element, item),
          value: type,
          fix: 'Use type="parent" or leave the attribute out',
        });
      }
      spec.type = type;
    }
    this.result.queues.push(spec);

    const seen = new Set<string>();
    let hasChildren = false;
    for (const child of element.children) {
      if (child.name === "queue" || child.name === "pool") {
        hasChildren = true;
        this.attempt(() => this.readQueue(child, name));
        continue;
      }
      if (seen.has(child.name)) {
        this.errors.push(
          new InputError(`<${child.name}> appears twice`, {
            ...this.context(child, item),
            value: child.text,
            fix: `Keep one <${child.name}> in the queue`,
          }),
        );
        continue;
      }
      seen.add(child.name);
      this.attempt(() => this.readQueueField(child, spec, item));
    }

    this.attempt(() => this.checkQueue(element, spec, item, hasChildren || spec.type === "parent"));
  }

  private readQueueField(field: XmlElement, spec: QueueSpec, item: string): void {
    switch (field.name) {
      case "minResources": {
        const value = this.resourceValue(field, item);
        spec.minResources = value.amounts;
        spec.minResourcesPercent = value.percent;
        break;
      }
      case "maxResources": {
        const value = this.resourceValue(field, item);
        spec.maxResources = value.amounts;
        spec.maxResourcesPercent = value.percent;
        break;
      }
      case "maxChildResources": {
        const value = this.resourceValue(field, item);
        spec.maxChildResources = value.amounts;
        spec.maxChildResourcesPercent = value.percent;
        break;
      }
      case "maxContainerAllocation": {
        const value = this.resourceValue(field, item);
        spec.maxContainerAllocation = value.amounts;
        spec.maxContainerAllocationPercent = value.percent;
        break;
      }
      case "maxRunningApps":
        spec.maxRunningApps = this.count(field, item);
        break;
      case "maxAMShare":
        spec.maxAMShare = this.amShare(field, item);
        break;
      case "weight":
        spec.weight = this.weight(field, item);
        break;
      case "schedulingPolicy":
      case "schedulingMode":
        spec.schedulingPolicy = this.policy(field, item);
        break;
      case "aclSubmitApps":
      case "aclAdministerApps":
      case "aclAdministerReservations":
      case "aclListReservations":
      case "aclSubmitReservations":
        // The raw text: a leading space means "no users, only these groups".
        spec[field.name] = field.rawText;
        break;
      case "minSharePreemptionTimeout":
      case "fairSharePreemptionTimeout":
        spec[field.name] = this.count(field, item);
        break;
      case "fairSharePreemptionThreshold":
        spec.fairSharePreemptionThreshold = this.threshold(field, item);
        break;
      case "allowPreemptionFrom":
        spec.allowPreemptionFrom = this.boolean(field, item);
        break;
      case "reservation":
        spec.reservation = true;
        break;
      default:
        this.unknown(field, "queue", QUEUE_ELEMENTS, item);
    }
    clearUndefined(spec);
  }

  /**
   * Rejects `reservation` on a parent queue and a min share above the max share. Warns about
   * `maxAMShare` on a parent, which limits only leaf queues: YARN's AllocationFileQueueParser
   * rejects it, but the FairScheduler documentation's own example sets it there.
   */
  private checkQueue(element: XmlElement, spec: QueueSpec, item: string, isParent: boolean): void {
    if (isParent && spec.reservation) {
      throw new InputError("<reservation> is set on a parent queue", {
        ...this.context(element, item),
        fix: `Move <reservation> to a leaf queue under ${spec.name}`,
      });
    }
    if (isParent && spec.maxAMShare !== undefined) {
      this.result.warnings.push(`${this.file}:${element.line}: ${item}: maxAMShare has no effect on a parent queue`);
    }
    checkMinAboveMax(spec.name, spec.minResources, spec.maxResources, this.context(element));
    checkMinAboveMax(spec.name, spec.minResourcesPercent, spec.maxResourcesPercent, this.context(element));
  }

  /** Reads one placement rule; `nested` marks the rule inside `nestedUserQueue`. */
  private readRule(element: XmlElement, nested: boolean): PlacementRule {
    const item = "queuePlacementPolicy";
    if (element.name !== "rule") {
      throw unknownElement(element.name, nested ? "rule" : "queuePlacementPolicy", ["rule"], this.context(element, item));
    }

    const name = element.attributes.name ?? "";
    if (!PLACEMENT_RULES.includes(name)) {
      throw new InputError("unknown placement rule", {
        ...this.context(element, item),
        value: name,
        fix: `Use one of: ${PLACEMENT_RULES.join(", ")}`,
      });
    }
    for (const attribute of Object.keys(element.attributes)) {
      if (!["name", "create", "queue"].includes(attribute)) {
        throw new InputError(`unknown attribute ${attribute} on rule ${name}`, {
          ...this.context(element, item),
          value: element.attributes[attribute],
          fix: "Use only the attributes name, create and queue",
        });
      }
    }

    const rule: PlacementRule = { name };
    const create = element.attributes.create;
    if (create !== undefined) rule.create = this.booleanText(create, element, `rule ${name} create`);
    if (element.attributes.queue !== undefined) rule.queue = element.attributes.queue.trim();

    if (name === "nestedUserQueue") {
      if (element.children.length !== 1) {
        throw new InputError("nestedUserQueue needs exactly one nested rule", {
          ...this.context(element, item),
          value: element.children.length,
          fix: 'Put one <rule> inside it, for example <rule name="primaryGroup" create="false"/>',
        });
      }
      rule.parent = this.readRule(element.children[0], true);
    } else if (element.children.length > 0) {
      throw new InputError(`rule ${name} takes no nested rule`, {
        ...this.context(element.children[0], item),
        fix: "Nest rules only inside nestedUserQueue",
      });
    }
    return rule;
  }

  private resourceValue(element: XmlElement, item?: string): YarnResourceValue {
    return parseYarnResources(element.text, this.resources, this.context(element, item));
  }

  private invalid(element: XmlElement, item: string | undefined, expected: string, example: string): InputError {
    return new InputError(`invalid <${element.name}>: ${expected}`, {
      ...this.context(element, item),
      value: element.text,
      fix: `Write ${expected}, for example <${element.name}>${example}</${element.name}>`,
    });
  }

  /** Reads a non-negative integer (app counts, timeouts in seconds). */
  private count(element: XmlElement, item?: string): number {
    if (!/^\d+$/.test(element.text)) throw this.invalid(element, item, "a whole number ≥ 0", "10");
    return Number(element.text);
  }

  private weight(element: XmlElement, item: string): number {
    const value = Number(element.text);
    if (element.text === "" || !Number.isFinite(value) || value < 0) {
      throw this.invalid(element, item, "a number ≥ 0", "2.0");
    }
    return value;
  }

  /** Reads `maxAMShare`: -1 disables the check, values above 1 are clamped to 1 as YARN does. */
  private amShare(element: XmlElement, item?: string): number {
    const value = Number(element.text);
    if (element.text === "" || !Number.isFinite(value) || (value < 0 && value !== -1)) {
      throw this.invalid(element, item, "a fraction from 0 to 1, or -1 to disable the check", "0.5");
    }
    if (value > 1) {
      this.result.warnings.push(`${this.file}:${element.line}: ${item ?? "allocations"}: maxAMShare ${value} clamped to 1`);
      return 1;
    }
    return value;
  }

  /** Reads a preemption threshold, clamped to 0..1 as YARN does. */
  private threshold(element: XmlElement, item?: string): number {
    const value = Number(element.text);
    if (element.text === "" || !Number.isFinite(value)) throw this.invalid(element, item, "a fraction from 0 to 1", "0.5");
    const clamped = Math.min(Math.max(value, 0), 1);
    if (clamped !== value) {
      this.result.warnings.push(`${this.file}:${element.line}: ${item ?? "allocations"}: <${element.name}> ${value} clamped to ${clamped}`);
    }
    return clamped;
  }

  private policy(element: XmlElement, item?: string): SchedulingPolicy {
    const value = element.text.toLowerCase();
    if (value !== "fair" && value !== "fifo" && value !== "drf") {
      throw this.invalid(element, item, "fair, fifo or drf", "drf");
    }
    return value;
  }

  private boolean(element: XmlElement, item: string): boolean {
    return this.booleanText(element.text, element, `${item} <${element.name}>`);
  }

  private booleanText(text: string, element: XmlElement, what: string): boolean {
    const value = text.trim().toLowerCase();
    if (value !== "true" && value !== "false") {
      throw new InputError(`invalid boolean for ${what}`, {
        ...this.context(element),
        value: text,
        fix: "Write true or false",
      });
    }
    return value === "true";
  }
}

/** Throws when a min share exceeds the max share in a dimension both set. */
export function checkMinAboveMax(
  queue: string,
  min: ResourceAmounts | undefined,
  max: ResourceAmounts | undefined,
  context: ErrorContext,
): void {
  if (!min || !max) return;
  for (const [dimension, minimum] of Object.entries(min)) {
    const maximum = max[dimension];
    if (maximum !== undefined && minimum > maximum) throw minAboveMax(queue, dimension, minimum, maximum, context);
  }
}

function clearUndefined(spec: QueueSpec): void {
  const fields = spec as unknown as Record<string, unknown>;
  for (const key of Object.keys(fields)) {
    if (fields[key] === undefined) delete fields[key];
  }
}
