/**
 * Reads Spark's `fairscheduler.xml`: each `<pool name="...">` becomes the leaf queue
 * `root.<name>`. `schedulingMode` (FAIR or FIFO, default FIFO) orders the pool's jobs, and
 * `weight` (default 1) weighs the pool against its siblings. `minShare` (default 0) counts CPU
 * cores, so it becomes a minimum on `cpu`, or on `vcores` when the snapshot declares that instead.
 */
import { readFileSync } from "node:fs";

import { combineErrors, duplicateName, InputError, unknownElement, type ErrorContext } from "../errors.js";
import type { QueueSpec } from "../model/types.js";
import { DEFAULT_RESOURCES } from "../model/types.js";
import { ROOT } from "./queues.js";
import { readXml, type XmlElement } from "./xml.js";
import { cpuDimension } from "./yarn-resources.js";

export interface SparkOptions {
  /** Snapshot dimensions; decides whether `minShare` goes to `cpu` or `vcores`. */
  resources?: readonly string[];
}

const POOL_ELEMENTS = ["schedulingMode", "weight", "minShare"];

/** Reads and parses the Spark pool file at `path`. */
export function loadSparkPools(path: string, options: SparkOptions = {}): QueueSpec[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new InputError(`cannot read Spark pool file: ${(cause as Error).message}`, {
      file: path,
      fix: "Check the path; a path in a snapshot's config is relative to the snapshot",
    });
  }
  return parseSparkPools(text, path, options);
}

/** Parses Spark pool XML into queues under `root`, `root` first; throws one `InputError` listing every problem. */
export function parseSparkPools(text: string, file: string, options: SparkOptions = {}): QueueSpec[] {
  const document = readXml(text, file);
  const errors = [...document.errors];
  const queues: QueueSpec[] = [{ name: ROOT }];
  const cpu = cpuDimension(options.resources ?? DEFAULT_RESOURCES);

  const root = document.root;
  if (root && root.name !== "allocations") {
    errors.push(
      new InputError(`root element is <${root.name}>`, {
        file,
        line: root.line,
        value: root.name,
        fix: "Make <allocations> the root element of the Spark pool file",
      }),
    );
  } else if (root) {
    const names = new Set<string>();
    for (const element of root.children) {
      try {
        if (element.name !== "pool") throw unknownElement(element.name, "allocations", ["pool"], { file, line: element.line });
        const pool = readPool(element, file, cpu);
        if (names.has(pool.name)) throw duplicateName("pool", pool.name, { file, line: element.line });
        names.add(pool.name);
        queues.push(pool);
      } catch (error) {
        if (!(error instanceof InputError)) throw error;
        errors.push(error);
      }
    }
  }

  const syntaxLines = new Set(document.errors.map((error) => error.line));
  const reported = errors.filter((error, index) => index < document.errors.length || !syntaxLines.has(error.line));
  if (reported.length > 0) throw combineErrors(reported);
  return queues;
}

function readPool(element: XmlElement, file: string, cpu: string): QueueSpec {
  const rawName = element.attributes.name?.trim() ?? "";
  if (rawName === "" || rawName.includes(".")) {
    throw new InputError(rawName === "" ? "pool without a name" : "pool name contains a period", {
      file,
      line: element.line,
      item: "<pool>",
      value: element.attributes.name ?? "",
      fix: 'Give the pool a name="..." without periods, which separate queue levels in fairsched',
    });
  }

  const name = `${ROOT}.${rawName}`;
  const item = `pool ${rawName}`;
  const queue: QueueSpec = { name, weight: 1, schedulingPolicy: "fifo" };

  for (const field of element.children) {
    const context: ErrorContext = { file, line: field.line, item };
    switch (field.name) {
      case "schedulingMode": {
        const mode = field.text.toUpperCase();
        if (mode !== "FAIR" && mode !== "FIFO") {
          throw new InputError("invalid <schedulingMode>", { ...context, value: field.text, fix: "Write FAIR or FIFO" });
        }
        queue.schedulingPolicy = mode === "FAIR" ? "fair" : "fifo";
        break;
      }
      case "weight":
        queue.weight = wholeNumber(field, context, "1");
        break;
      case "minShare": {
        const cores = wholeNumber(field, context, "2");
        if (cores > 0) queue.minResources = { [cpu]: cores };
        break;
      }
      default:
        throw unknownElement(field.name, "pool", POOL_ELEMENTS, context);
    }
  }
  return queue;
}

/** Reads a whole number ≥ 0, as Spark parses `weight` and `minShare` with `toInt`. */
function wholeNumber(field: XmlElement, context: ErrorContext, example: string): number {
  if (!/^\d+$/.test(field.text)) {
    throw new InputError(`invalid <${field.name}>: a whole number ≥ 0`, {
      ...context,
      value: field.text,
      fix: `Write a whole number ≥ 0, for example <${field.name}>${example}</${field.name}>`,
    });
  }
  return Number(field.text);
}
