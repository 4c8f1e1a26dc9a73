/**
 * Applies a YARN `queuePlacementPolicy` to a job, as YARN's FairScheduler places an application:
 * the rules run in order, each either places the job, passes it to the next rule, or rejects it.
 * A rule may create the queue it names unless it has `create="false"`; then a missing queue
 * passes the job on. Periods in user and group names become `_dot_`.
 */
import { InputError, type ErrorContext } from "../errors.js";
import type { JobSpec, PlacementRule } from "../model/types.js";
import { fullQueueName, ROOT } from "./queues.js";

/** Every rule name YARN documents for `queuePlacementPolicy`. */
export const PLACEMENT_RULES: readonly string[] = [
  "specified",
  "user",
  "primaryGroup",
  "secondaryGroupExistingQueue",
  "nestedUserQueue",
  "default",
  "reject",
];

/**
 * The policy used when none is configured: `specified`, then `default` (`root.default`).
 * NOTE: YARN also puts a `user` rule between the two while
 * `yarn.scheduler.fair.user-as-default-queue` is true (its default); fairsched leaves it out.
 */
export const DEFAULT_PLACEMENT_POLICY: readonly PlacementRule[] = [{ name: "specified" }, { name: "default" }];

/** The queues a policy can see and create. */
export interface PlacementQueues {
  has(name: string): boolean;
  isParent(name: string): boolean;
  /** Creates the queue and its missing parents. */
  ensure(name: string): unknown;
}

/** A rule's outcome: a queue name, or undefined to pass the job to the next rule. */
type Outcome = string | undefined;

/**
 * Returns the leaf queue the policy puts `job` in, creating it when a rule allows.
 * `job.queue` is the requested queue; none (or `default`) makes `specified` pass.
 * Throws `InputError` naming the job when a `reject` rule applies, when no rule places it,
 * or when the chosen queue is a parent queue.
 */
export function placeJob(
  job: JobSpec,
  policy: readonly PlacementRule[],
  queues: PlacementQueues,
  context: ErrorContext = {},
): string {
  const item = `job ${job.name}`;

  for (const rule of policy) {
    if (rule.name === "reject") {
      throw new InputError("queue placement policy rejects the job", {
        ...context,
        item,
        value: job.queue ?? null,
        fix: "Set the job's queue to one a rule before reject accepts, or change the queuePlacementPolicy",
      });
    }

    const queue = applyRule(rule, job, queues, context);
    if (queue === undefined) continue;

    if (queues.isParent(queue)) {
      throw new InputError(`queue ${queue} chosen by rule ${rule.name} is a parent queue`, {
        ...context,
        item,
        value: queue,
        fix: "Jobs run in leaf queues: name a leaf queue, or change the rule",
      });
    }
    queues.ensure(queue);
    return queue;
  }

  throw new InputError("no queue placement rule places the job", {
    ...context,
    item,
    value: job.queue ?? null,
    fix: 'End the queuePlacementPolicy with a rule that always places, such as <rule name="default"/>',
  });
}

/**
 * Applies one rule. With `asParent` (the rule nested in `nestedUserQueue`) it only returns a
 * parent queue that exists, as YARN nests user queues only under configured parents.
 */
function applyRule(
  rule: PlacementRule,
  job: JobSpec,
  queues: PlacementQueues,
  context: ErrorContext,
  asParent = false,
): Outcome {
  const create = rule.create ?? true;
  const offer = (queue: string): Outcome => {
    if (asParent) return queues.has(queue) && queues.isParent(queue) ? queue : undefined;
    return create || queues.has(queue) ? queue : undefined;
  };
  const groups = job.groups ?? [];

  switch (rule.name) {
    case "specified": {
      const requested = job.queue?.trim();
      if (!requested || requested === "default" || requested === `${ROOT}.default`) return undefined;
      if (requested.startsWith(".") || requested.endsWith(".")) {
        throw new InputError("requested queue name starts or ends with a period", {
          ...context,
          item: `job ${job.name}`,
          value: requested,
          fix: "Remove the leading or trailing period",
        });
      }
      return offer(fullQueueName(requested, { ...context, item: `job ${job.name}` }));
    }
    case "user":
      return offer(`${ROOT}.${cleanName(job.user)}`);
    case "primaryGroup":
      return groups.length > 0 ? offer(`${ROOT}.${cleanName(groups[0])}`) : undefined;
    case "secondaryGroupExistingQueue":
      return groups
        .slice(1)
        .map((group) => `${ROOT}.${cleanName(group)}`)
        .find((queue) => queues.has(queue) && queues.isParent(queue) === asParent);
    case "nestedUserQueue": {
      const parent = rule.parent && applyRule(rule.parent, job, queues, context, true);
      return parent === undefined ? undefined : offer(`${parent}.${cleanName(job.user)}`);
    }
    case "default":
      return offer(fullQueueName(rule.queue ?? "default", { ...context, item: "rule default" }));
    default:
      throw new InputError("unknown placement rule", {
        ...context,
        value: rule.name,
        fix: `Use one of: ${PLACEMENT_RULES.join(", ")}`,
      });
  }
}

/** Replaces periods, which separate queue levels, with `_dot_` as YARN does. */
function cleanName(name: string): string {
  return name.trim().replace(/\./g, "_dot_");
}
