/**
 * Entry point of the trace readers: `loadTrace("KIND:PATH")` for workloads, `loadCluster` for
 * machine lists, `loadQuotas` for real VC quotas.
 */
import { existsSync } from "node:fs";
import { traceFileNotFound, unknownSpecKind } from "../errors.js";
import { readAlibaba2023Pods } from "./alibaba2023.js";
import { readGavelTrace } from "./gavel.js";
import { applyQuotas, loadQuotas, type QuotaOptions } from "./quotas.js";
import { generateSyntheticTrace, parseSyntheticParams } from "./synthetic.js";
import type { Trace } from "./types.js";

export * from "./types.js";
export * from "./gavel.js";
export * from "./alibaba2023.js";
export * from "./clusters.js";
export * from "./quotas.js";
export * from "./synthetic.js";

/** Workload kinds accepted by `loadTrace`. */
export const TRACE_KINDS = ["gavel", "alibaba2023", "synthetic"] as const;

export interface LoadTraceOptions {
  /** Gavel throughput matrix; by default the nearest `simulation_throughputs.json.gz` above the trace. */
  throughputs?: string;
  /** Quota spec (`philly:PATH` or `helios:PATH`) whose weights and min shares replace the trace's. */
  quotas?: string;
  quotaOptions?: QuotaOptions;
}

/**
 * Loads a workload from `gavel:PATH` (a .trace file or a directory of them),
 * `alibaba2023:PATH` (an openb pod list) or `synthetic[:KEY=VALUE,...]`
 * (for example `synthetic:jobs=2000,queues=4,seed=1`).
 */
export async function loadTrace(spec: string, options: LoadTraceOptions = {}): Promise<Trace> {
  const colon = spec.indexOf(":");
  const kind = colon < 0 ? spec : spec.slice(0, colon);
  const rest = colon < 0 ? "" : spec.slice(colon + 1);

  let trace: Trace;
  if (kind === "synthetic") {
    trace = generateSyntheticTrace(parseSyntheticParams(rest, spec));
  } else if (kind === "gavel" || kind === "alibaba2023") {
    if (!rest || !existsSync(rest)) {
      const expected = kind === "gavel" ? "a Gavel .trace file or a directory of them" : "an openb pod list CSV";
      throw traceFileNotFound(rest || "<empty path>", `${kind} trace`, `Write ${kind}:PATH with PATH ${expected}`);
    }
    trace = kind === "gavel" ? await readGavelTrace(rest, { throughputs: options.throughputs }) : await readAlibaba2023Pods(rest);
  } else {
    throw unknownSpecKind(spec, "trace", [...TRACE_KINDS]);
  }

  if (options.quotas) {
    trace.queues = applyQuotas(trace.queues, loadQuotas(options.quotas, options.quotaOptions));
    trace.notes.push(`queue weights and min shares from ${options.quotas}`);
  }
  return trace;
}
