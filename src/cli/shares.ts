/**
 * `fairsched shares SNAPSHOT [--config FILE] [--json]`: every queue's weight, steady and
 * instantaneous fair share, usage and demand, as an indented table or as JSON.
 */
import type { Command } from "commander";

import { applyQueueDefaults, loadQueueConfig, loadSnapshot, QueueTree } from "../config/index.js";
import type { QueueSpec, ResourceAmounts, Snapshot } from "../model/types.js";
import { computeShares, type QueueShareReport } from "../shares.js";
import { printWarnings } from "./warnings.js";

interface SharesOptions {
  config?: string;
  json?: boolean;
}

/** Adds the `shares` command to `program`. */
export function registerShares(program: Command): void {
  program
    .command("shares")
    .description("Compute every queue's steady and instantaneous fair share for a snapshot")
    .argument("<snapshot>", "snapshot file, YAML or JSON (native format, version 1)")
    .option(
      "--config <file>",
      "YARN fair-scheduler.xml or Spark fairscheduler.xml (format detected) whose queues replace or add to the snapshot's",
    )
    .option(
      "--json",
      'print {"queues":[{name, weight, fairShare, steadyFairShare, usage, demand, minResources, maxResources}]}; ' +
        "maxResources leaves out unlimited dimensions",
    )
    .action((path: string, options: SharesOptions) => {
      const warnings: string[] = [];
      let snapshot = loadSnapshot(path, { warnings });
      if (options.config !== undefined) snapshot = withAllocationFile(snapshot, options.config, warnings);
      printWarnings(warnings);
      const reports = computeShares(snapshot);
      process.stdout.write(options.json ? `${JSON.stringify(toJson(reports))}\n` : formatTable(reports, snapshot.resources));
    });
}

/**
 * Returns `snapshot` with the queues of the YARN or Spark file at `file`: a queue the file names
 * replaces the snapshot's queue of that name, and the file's top-level defaults fill what the
 * file's queues leave unset. Appends the file's warnings to `warnings`.
 */
function withAllocationFile(snapshot: Snapshot, file: string, warnings: string[]): Snapshot {
  const allocation = loadQueueConfig(file, { resources: snapshot.resources });
  warnings.push(...allocation.warnings);
  const byName = new Map<string, QueueSpec>();
  for (const queue of snapshot.queues) byName.set(queue.name, queue);
  for (const queue of allocation.queues) byName.set(queue.name, { ...queue });

  const tree = new QueueTree();
  for (const queue of byName.values()) tree.merge(queue);
  const queues = applyQueueDefaults(tree, allocation.queueDefaults);
  return { ...snapshot, queues };
}

/** Drops unlimited (infinite) dimensions, which JSON cannot carry. */
function finite(amounts: ResourceAmounts): ResourceAmounts {
  return Object.fromEntries(Object.entries(amounts).filter(([, value]) => Number.isFinite(value)));
}

function toJson(reports: QueueShareReport[]) {
  return {
    queues: reports.map((r) => ({
      name: r.name,
      weight: r.weight,
      fairShare: r.fairShare,
      steadyFairShare: r.steadyFairShare,
      usage: r.usage,
      demand: r.demand,
      minResources: r.minResources,
      maxResources: finite(r.maxResources),
    })),
  };
}

/** Formats a number with at most two decimals and no trailing zeros. */
function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? "inf" : String(value);
  return String(Math.round(value * 100) / 100);
}

/** Formats the reports as a table, one queue per row indented by depth, vectors as `a / b / c`. */
function formatTable(reports: QueueShareReport[], resources: string[]): string {
  const vector = (amounts: ResourceAmounts) => resources.map((d) => formatNumber(amounts[d])).join(" / ");
  const header = ["queue", "weight", "steady fair share", "fair share", "usage", "demand"];

  const ordered = depthFirst(reports);
  const rows = ordered.map((r) => [
    `${"  ".repeat(r.name.split(".").length - 1)}${r.name.slice(r.name.lastIndexOf(".") + 1)}`,
    formatNumber(r.weight),
    vector(r.steadyFairShare),
    vector(r.fairShare),
    vector(r.usage),
    vector(r.demand),
  ]);

  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]))).join("  ").trimEnd();
  return [
    `resources: ${resources.join(" / ")}`,
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    "",
  ].join("\n");
}

/** Orders the reports depth-first, each parent right before its subtree, siblings as given. */
function depthFirst(reports: QueueShareReport[]): QueueShareReport[] {
  const children = new Map<string, QueueShareReport[]>();
  for (const report of reports) {
    const parent = report.name.slice(0, Math.max(0, report.name.lastIndexOf(".")));
    const siblings = children.get(parent);
    if (siblings) siblings.push(report);
    else children.set(parent, [report]);
  }
  const ordered: QueueShareReport[] = [];
  const visit = (report: QueueShareReport) => {
    ordered.push(report);
    for (const child of children.get(report.name) ?? []) visit(child);
  };
  for (const top of children.get("") ?? []) visit(top);
  return ordered;
}
