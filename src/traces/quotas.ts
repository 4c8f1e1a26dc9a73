/**
 * Queue quotas from real clusters, so that replayed traces get the fair shares their virtual
 * clusters (VCs) had. Each VC becomes the queue `root.<vc>`; its size becomes the queue's
 * weight, its min share in GPUs, or both.
 *
 * Sources: Philly's nodes per VC (`vc,node num`), Helios' daily GPUs per VC (`date`, one column
 * per VC, `total`), and Lucid's Venus VC configuration (`<vc>,num`, nodes per VC).
 */
import type { QueueSpec } from "../model/types.js";
import { InputError, invalidSpecParameter, unknownSpecKind } from "../errors.js";
import { parseNumber, readCsvTable } from "./csv.js";
import { compareNames } from "./types.js";

/** Queue setting that a VC's size becomes: `weight`, `minShare` (minResources.gpu) or `both`. */
export type QuotaMode = "weight" | "minShare" | "both";

export interface QuotaOptions {
  /** Default `weight`: shares follow VC sizes, and idle capacity still goes to busy queues. */
  mode?: QuotaMode;
  /** GPUs per node for sources that count nodes; default 8. */
  gpusPerNode?: number;
  /** Day of a Helios daily table: `YYYY-MM-DD`, `last` (the default) or `mean` over all days. */
  day?: string;
}

/** Quota kinds accepted by `loadQuotas`, as `KIND:PATH`. */
export const QUOTA_KINDS = ["philly", "helios"] as const;

/** Loads quotas from `philly:PATH` (nodes per VC) or `helios:PATH` (daily GPUs per VC, or nodes per VC). */
export function loadQuotas(spec: string, options: QuotaOptions = {}): QueueSpec[] {
  const colon = spec.indexOf(":");
  const kind = colon < 0 ? "" : spec.slice(0, colon);
  const path = spec.slice(colon + 1);
  if (kind === "philly") return phillyQuotas(path, options);
  if (kind === "helios") return heliosQuotas(path, options);
  throw unknownSpecKind(spec, "quota", QUOTA_KINDS);
}

/**
 * Reads Philly's `vc,node num` table. Min shares are `nodes x gpusPerNode` GPUs.
 * NOTE: Philly mixes 2-GPU and 8-GPU machines, and the table does not say which a VC has.
 * So min shares from it are estimates, while weights (the default) only need the ratios.
 */
export function phillyQuotas(file: string, options: QuotaOptions = {}): QueueSpec[] {
  const table = readCsvTable(file, "philly VC sizes", "Pass Philly's nodes-per-VC table (vc,node num)");
  const sizes = table.rows.map(({ line, fields }) => ({ line, vc: fields[0], nodes: parseNumber(fields[1]) }));
  return nodeQuotas(file, sizes, options);
}

/**
 * Reads Helios quotas. A daily table (`date`, VC columns, `total`) gives GPUs per VC for the
 * chosen day; VCs with 0 GPUs on that day are left out. A two-column `<vc>,num` table gives
 * nodes per VC, each of `gpusPerNode` GPUs.
 */
export function heliosQuotas(file: string, options: QuotaOptions = {}): QueueSpec[] {
  const table = readCsvTable(file, "helios VC quotas", "Pass a Helios cluster_gpu_number or vc_config table");
  if (table.header[0] !== "date") {
    const sizes = table.rows.map(({ line, fields }) => ({ line, vc: fields[0], nodes: parseNumber(fields[1]) }));
    return nodeQuotas(file, sizes, options);
  }

  const vcColumns = table.header.map((name, index) => ({ name, index })).filter(({ name }) => name !== "date" && name !== "total");
  const day = options.day ?? "last";
  let rows = table.rows;
  if (day === "last") rows = rows.slice(-1);
  else if (day !== "mean") rows = rows.filter(({ fields }) => fields[0] === day);
  if (rows.length === 0) {
    const first = table.rows[0]?.fields[0];
    const last = table.rows.at(-1)?.fields[0];
    throw invalidSpecParameter(file, "day", day, `Pick a date from ${first} to ${last}, last or mean`);
  }

  const queues: QueueSpec[] = [];
  for (const { name, index } of vcColumns) {
    let sum = 0;
    for (const { line, fields } of rows) {
      const gpus = parseNumber(fields[index]);
      if (!(gpus >= 0)) {
        throw new InputError("invalid GPU count", { file, line, item: `VC ${name}`, value: fields[index], fix: "Write GPU counts as non-negative numbers" });
      }
      sum += gpus;
    }
    const gpus = sum / rows.length;
    if (gpus > 0) queues.push(quotaQueue(name, gpus, options.mode ?? "weight"));
  }
  return queues;
}

/** Turns nodes-per-VC rows into queues, rejecting a bad count with its line. */
function nodeQuotas(file: string, sizes: { line: number; vc: string; nodes: number }[], options: QuotaOptions): QueueSpec[] {
  const gpusPerNode = options.gpusPerNode ?? 8;
  if (!(gpusPerNode > 0)) throw invalidSpecParameter(file, "gpusPerNode", gpusPerNode, "Pass a positive number of GPUs per node");
  return sizes.map(({ line, vc, nodes }) => {
    if (!vc || !(nodes >= 0)) {
      throw new InputError("invalid VC size", { file, line, item: `VC ${vc}`, value: nodes, fix: "Write each row as <vc>,<nodes> with a non-negative node count" });
    }
    return quotaQueue(vc, nodes * gpusPerNode, options.mode ?? "weight");
  });
}

/** Builds the queue of one VC from its size in GPUs. */
function quotaQueue(vc: string, gpus: number, mode: QuotaMode): QueueSpec {
  const queue: QueueSpec = { name: `root.${vc}` };
  if (mode !== "minShare") queue.weight = gpus;
  if (mode !== "weight") queue.minResources = { gpu: Math.round(gpus) };
  return queue;
}

/**
 * Merges quotas into a trace's queues and returns new objects sorted by name. A queue in both
 * takes the quota's weight and min share. A quota queue without jobs is added, because it
 * still counts for steady fair shares. A trace queue without a quota keeps its own settings.
 */
export function applyQuotas(queues: QueueSpec[], quotas: QueueSpec[]): QueueSpec[] {
  const merged = new Map<string, QueueSpec>();
  for (const queue of queues) merged.set(queue.name, { ...queue });
  for (const quota of quotas) merged.set(quota.name, { ...merged.get(quota.name), ...quota });
  return [...merged.values()].sort((a, b) => compareNames(a.name, b.name));
}
