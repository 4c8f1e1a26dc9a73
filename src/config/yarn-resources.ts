/**
 * Parses YARN resource strings, as `minResources`, `maxResources`, `maxChildResources`,
 * `maxContainerAllocation` and `queueMaxResourcesDefault` take them in `fair-scheduler.xml`:
 *
 * - old form: `"10000 mb, 4 vcores"`, `"1024mb,1vcores"`; fairsched also takes `"2 gpus"` here;
 * - new form: `"vcores=2, memory-mb=4096, yarn.io/gpu=1"` and `"vcores=50%, memory-mb=25%"`;
 * - percentages: `"50%"` for every dimension, `"20% cpu, 50% memory"` and
 *   `"cpu-percent 20%, memory-percent 50%"`.
 *
 * YARN names map to snapshot dimensions: `memory-mb` and `mb` to `memory` (MiB), `yarn.io/gpu`
 * and `gpus` to `gpu`, and `vcores` to `vcores` when the snapshot declares a `vcores` dimension
 * and to `cpu` otherwise. Any other name in the new form is kept as written.
 */
import { InputError, undeclaredDimension, type ErrorContext } from "../errors.js";
import type { ResourceAmounts } from "../model/types.js";

/** Amounts or percentages (0..100) per snapshot dimension; exactly one of the two is set. */
export interface YarnResourceValue {
  amounts?: ResourceAmounts;
  percent?: ResourceAmounts;
}

const EXAMPLES = `"4096 mb, 4 vcores", "vcores=4, memory-mb=4096, yarn.io/gpu=1" or "50%"`;
const NUMBER = String.raw`(\d+(?:\.\d+)?)`;
const SINGLE_PERCENT = new RegExp(String.raw`^${NUMBER}\s*%$`);
const OLD_AMOUNT = new RegExp(String.raw`^${NUMBER}\s*(mb|vcores?|gpus?)$`);
const OLD_PERCENT = new RegExp(String.raw`^${NUMBER}\s*%\s*(cpu|vcores|memory|gpu)$`);
const NAMED_PERCENT = new RegExp(String.raw`^(cpu|vcores|memory|gpu)-percent\s*${NUMBER}\s*%$`);

/** Returns the snapshot dimension that YARN's vcores map to. */
export function cpuDimension(resources: readonly string[]): string {
  return resources.includes("vcores") && !resources.includes("cpu") ? "vcores" : "cpu";
}

/** Parses one resource string; `context` names the element for errors. */
export function parseYarnResources(
  text: string,
  resources: readonly string[],
  context: ErrorContext,
): YarnResourceValue {
  const value = text.trim();
  const invalid = (problem: string): InputError =>
    new InputError(problem, { ...context, value: text, fix: `Write it as ${EXAMPLES}` });

  if (value === "") throw invalid("empty resource value");

  const single = SINGLE_PERCENT.exec(value);
  if (single) {
    const percent: ResourceAmounts = {};
    for (const dimension of resources) percent[dimension] = Number(single[1]);
    return { percent };
  }

  const result = value.includes("=") ? parseNewForm(value, resources, invalid) : parseOldForm(value, resources, invalid);
  for (const dimension of Object.keys(result.amounts ?? result.percent ?? {})) {
    if (!resources.includes(dimension)) throw undeclaredDimension(dimension, resources, { ...context });
  }
  return result;
}

function mapName(name: string, resources: readonly string[]): string {
  switch (name) {
    case "memory-mb":
    case "memory":
    case "mb":
      return "memory";
    case "vcores":
    case "vcore":
    case "cpu":
      return cpuDimension(resources);
    case "yarn.io/gpu":
    case "gpu":
    case "gpus":
      return "gpu";
    default:
      return name;
  }
}

/** Parses `name=value` pairs; all values are amounts or all are percentages. */
function parseNewForm(
  value: string,
  resources: readonly string[],
  invalid: (problem: string) => InputError,
): YarnResourceValue {
  const amounts: ResourceAmounts = {};
  const percent: ResourceAmounts = {};

  for (const part of value.split(",")) {
    const match = new RegExp(String.raw`^\s*([^=\s]+)\s*=\s*${NUMBER}\s*(%?)\s*$`).exec(part);
    if (!match) throw invalid(`invalid resource entry "${part.trim()}"`);

    const dimension = mapName(match[1], resources);
    const target = match[3] === "%" ? percent : amounts;
    if (dimension in amounts || dimension in percent) throw invalid(`resource ${match[1]} appears twice`);
    target[dimension] = Number(match[2]);
  }

  const hasAmounts = Object.keys(amounts).length > 0;
  const hasPercent = Object.keys(percent).length > 0;
  if (hasAmounts && hasPercent) throw invalid("resource value mixes amounts and percentages");
  return hasPercent ? { percent } : { amounts };
}

/** Parses the comma-separated old form; YARN requires both memory and vcores in it. */
function parseOldForm(
  value: string,
  resources: readonly string[],
  invalid: (problem: string) => InputError,
): YarnResourceValue {
  const amounts: ResourceAmounts = {};
  const percent: ResourceAmounts = {};

  for (const part of value.toLowerCase().split(",")) {
    const token = part.trim();
    const amount = OLD_AMOUNT.exec(token);
    const percentFirst = OLD_PERCENT.exec(token);
    const percentNamed = NAMED_PERCENT.exec(token);

    let target: ResourceAmounts;
    let dimension: string;
    let number: string;
    if (amount) {
      [target, dimension, number] = [amounts, mapName(amount[2], resources), amount[1]];
    } else if (percentFirst) {
      [target, dimension, number] = [percent, mapName(percentFirst[2], resources), percentFirst[1]];
    } else if (percentNamed) {
      [target, dimension, number] = [percent, mapName(percentNamed[1], resources), percentNamed[2]];
    } else {
      throw invalid(`invalid resource entry "${token}"`);
    }
    if (dimension in amounts || dimension in percent) throw invalid(`resource ${dimension} appears twice`);
    target[dimension] = Number(number);
  }

  const hasAmounts = Object.keys(amounts).length > 0;
  const hasPercent = Object.keys(percent).length > 0;
  if (hasAmounts && hasPercent) throw invalid("resource value mixes amounts and percentages");

  const found = hasPercent ? percent : amounts;
  for (const required of ["memory", cpuDimension(resources)]) {
    if (!(required in found)) {
      throw invalid(`missing ${required === "memory" ? "memory (mb)" : "vcores"}; the old form needs both memory and vcores`);
    }
  }
  return hasPercent ? { percent } : { amounts };
}
