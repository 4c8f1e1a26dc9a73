/**
 * `fairsched schedule SNAPSHOT [--json] [--locality-threshold F]`: one scheduling pass over a
 * snapshot, printed as a readable summary or as JSON (placements, preemptions, pending jobs).
 */
import type { Command } from "commander";

import { loadSnapshot } from "../config/index.js";
import { InputError } from "../errors.js";
import { printWarnings } from "./warnings.js";
import type { Decision } from "../decision.js";
import type { ResourceAmounts } from "../model/types.js";
import { decide } from "../scheduler.js";

interface ScheduleOptions {
  json?: boolean;
  localityThreshold?: string;
}

/** Adds the `schedule` command to `program`. */
export function registerSchedule(program: Command): void {
  program
    .command("schedule")
    .description("Run one scheduling pass on a snapshot: placements, preemptions and why each pending job waits")
    .argument("<snapshot>", "snapshot file, YAML or JSON (native format, version 1)")
    .option(
      "--json",
      'print {"placements":[{job, node, request, task, gpuType?}], "preemptions":[{job, node, task, reason, forJob?, forQueue?}], "pending":[{job, reason}], "queues":[{name, belowMinShareSince, belowFairShareSince}] (seconds or null), "reservations":[...]}; request maps each resource to its amount, gpuType is absent on nodes without GPUs; pass the queue clocks back in the next snapshot',
    )
    .option(
      "--locality-threshold <fraction>",
      "offers a job with locality skips per level, as a fraction of schedulable nodes (0 disables waiting)",
      "0",
    )
    .action((path: string, options: ScheduleOptions) => {
      const threshold = Number(options.localityThreshold);
      if (!Number.isFinite(threshold) || threshold < 0 || threshold > 1) {
        throw new InputError("invalid --locality-threshold", {
          value: options.localityThreshold,
          fix: "Give a fraction of the schedulable nodes from 0 to 1, for example 0.1",
        });
      }
      const warnings: string[] = [];
      const snapshot = loadSnapshot(path, { warnings });
      printWarnings(warnings);
      const decision = decide(snapshot, { localityThreshold: threshold });
      process.stdout.write(options.json ? `${JSON.stringify(toJson(decision))}\n` : formatSummary(decision, snapshot.resources));
    });
}

function toJson(decision: Decision) {
  return {
    placements: decision.placements.map((p) => ({
      job: p.job,
      node: p.node,
      request: p.request,
      task: p.task,
      ...(p.gpuType ? { gpuType: p.gpuType } : {}),
    })),
    preemptions: decision.preemptions,
    pending: decision.pending,
    queues: decision.queues ?? [],
    reservations: decision.reservations ?? [],
  };
}

function formatRequest(request: ResourceAmounts, resources: string[]): string {
  return resources
    .filter((d) => (request[d] ?? 0) !== 0)
    .map((d) => `${d} ${request[d]}`)
    .join(", ");
}

/**
 * Formats `[place, detail]` pairs as `place: N x (detail)` lines, one per distinct pair, in the
 * order each first appears.
 */
function groupLines(pairs: [string, string][]): string[] {
  const counts = new Map<string, { place: string; detail: string; count: number }>();
  for (const [place, detail] of pairs) {
    const key = `${place}\u0000${detail}`;
    const group = counts.get(key);
    if (group) group.count++;
    else counts.set(key, { place, detail, count: 1 });
  }
  return [...counts.values()].map((g) => `  ${g.place}: ${g.count} x (${g.detail})`);
}

/**
 * Formats the decision: placements grouped by job, node and request, then preemptions grouped
 * by job, node and reason, then pending jobs.
 */
function formatSummary(decision: Decision, resources: string[]): string {
  const lines: string[] = [];

  lines.push(`placed ${decision.placements.length} task(s)`);
  lines.push(...groupLines(decision.placements.map((p) => [`${p.job} -> ${p.node}`, formatRequest(p.request, resources)])));

  // NOTE: a Preemption carries no lost work (seconds since the last checkpoint), so none is shown.
  if (decision.preemptions.length > 0) {
    lines.push(`preempt ${decision.preemptions.length} task(s)`);
    lines.push(...groupLines(decision.preemptions.map((p) => [`${p.job} on ${p.node}`, p.reason])));
  }
  lines.push(`pending ${decision.pending.length} job(s)`);
  for (const p of decision.pending) lines.push(`  ${p.job}: ${p.reason}`);
  lines.push("");
  return lines.join("\n");
}
