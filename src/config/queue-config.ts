/**
 * Reads a queue configuration file in either format fairsched accepts: YARN's
 * `fair-scheduler.xml` or Spark's `fairscheduler.xml`. The format comes from the document itself,
 * because both use `<allocations>` as the root and YARN accepts `<pool>` as an alias of `<queue>`:
 * the elements inside the pools decide.
 */
import { readFileSync } from "node:fs";

import { InputError } from "../errors.js";
import type { PlacementRule, QueueDefaults, QueueSpec, UserLimits } from "../model/types.js";
import { parseSparkPools } from "./spark.js";
import { readXml, type XmlElement } from "./xml.js";
import { parseAllocationFile, QUEUE_ELEMENTS, TOP_LEVEL_ELEMENTS, type YarnOptions } from "./yarn.js";

export type ConfigFormat = "yarn" | "spark";

export interface QueueConfigOptions {
  /** Snapshot dimensions that resource amounts map to; default `[gpu, cpu, memory]`. */
  resources?: readonly string[];
  /** Reads the file in this format and skips detection (a snapshot's `configFormat`). */
  format?: ConfigFormat;
  /** Passed to the YARN reader; see `YarnOptions.unknownElements`. */
  unknownElements?: YarnOptions["unknownElements"];
}

/** The queues and settings of a configuration file, in either format. */
export interface QueueConfig {
  format: ConfigFormat;
  /** Queues as written, parents before children. A Spark file always includes `root`. */
  queues: QueueSpec[];
  /** Top-level defaults, not yet applied to `queues`. Always empty for a Spark file. */
  queueDefaults: QueueDefaults;
  placementPolicy?: PlacementRule[];
  users: Record<string, UserLimits>;
  userMaxAppsDefault?: number;
  /** Problems that did not stop the load, each starting with `FILE:LINE:`. */
  warnings: string[];
}

/** Elements of a Spark pool that YARN does not know. */
const SPARK_ONLY_ELEMENTS = ["minShare"];

/** Elements of a Spark pool that YARN also reads (`schedulingMode` as a Hadoop 2 alias). */
const SHARED_POOL_ELEMENTS = ["schedulingMode", "weight"];

/** Reads the configuration file at `path` and detects its format unless `options.format` is set. */
export function loadQueueConfig(path: string, options: QueueConfigOptions = {}): QueueConfig {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new InputError(`cannot read queue configuration file: ${(cause as Error).message}`, {
      file: path,
      fix: "Check the path; a path in a snapshot's config is relative to the snapshot",
    });
  }
  return parseQueueConfig(text, path, options);
}

/** Parses configuration text in either format; `file` names it in errors and warnings. */
export function parseQueueConfig(text: string, file: string, options: QueueConfigOptions = {}): QueueConfig {
  const format = options.format ?? detectConfigFormat(text, file);

  if (format === "spark") {
    const queues = parseSparkPools(text, file, { resources: options.resources });
    return { format, queues, queueDefaults: {}, users: {}, warnings: [] };
  }

  const allocation = parseAllocationFile(text, file, {
    resources: options.resources,
    unknownElements: options.unknownElements,
  });
  const config: QueueConfig = {
    format,
    queues: allocation.queues,
    queueDefaults: allocation.queueDefaults,
    users: allocation.users,
    warnings: allocation.warnings,
  };
  if (allocation.placementPolicy) config.placementPolicy = allocation.placementPolicy;
  if (allocation.userMaxAppsDefault !== undefined) config.userMaxAppsDefault = allocation.userMaxAppsDefault;
  return config;
}

/**
 * Returns the format of a configuration document:
 *
 * 1. A document without an `<allocations>` root, or with XML errors, is YARN's, so the YARN
 *    reader reports the problem.
 *
 * 2. A `<queue>` element, a YARN top-level element other than `<pool>`, a nested pool, or a YARN
 *    queue setting inside a `<pool>` (`minResources`, `maxRunningApps`, ...) marks YARN.
 *
 * 3. `<minShare>` inside a `<pool>` marks Spark.
 *
 * 4. A document with marks of both is rejected, naming one element of each. A document with
 *    Spark marks, or with only `<pool>` elements holding `schedulingMode` and `weight`, is Spark's,
 *    as Spark reads no other element. Anything else, an empty `<allocations>` included, is YARN's.
 *
 * Unknown elements mark neither format, so a typo is reported by the reader the rest selects.
 */
export function detectConfigFormat(text: string, file: string): ConfigFormat {
  const document = readXml(text, file);
  const root = document.root;
  if (document.errors.length > 0 || root === undefined || root.name !== "allocations") return "yarn";

  let yarnMark: XmlElement | undefined;
  let sparkMark: XmlElement | undefined;
  let pools = 0;

  for (const element of root.children) {
    if (element.name === "pool") {
      pools++;
      for (const child of element.children) {
        if (SPARK_ONLY_ELEMENTS.includes(child.name)) sparkMark ??= child;
        else if (!SHARED_POOL_ELEMENTS.includes(child.name) && QUEUE_ELEMENTS.includes(child.name)) yarnMark ??= child;
      }
    } else if (TOP_LEVEL_ELEMENTS.includes(element.name)) {
      yarnMark ??= element;
    }
  }

  if (yarnMark && sparkMark) {
    throw new InputError("the file mixes Spark and YARN elements", {
      file,
      line: Math.max(yarnMark.line, sparkMark.line),
      item: `<${yarnMark.name}> at line ${yarnMark.line} and <${sparkMark.name}> at line ${sparkMark.line}`,
      fix:
        "Keep one format: a Spark fairscheduler.xml has only <pool> elements with schedulingMode, weight and minShare, " +
        "and a YARN fair-scheduler.xml writes a minimum as <minResources> instead of <minShare>",
    });
  }
  if (sparkMark || (pools > 0 && !yarnMark)) return "spark";
  return "yarn";
}
