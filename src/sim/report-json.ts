/**
 * The `--json` output of `fairsched simulate`: every metric, the conservation counters, the
 * sampled series and one record per job. Keys keep a fixed order, so equal runs give equal bytes.
 */
import type { Metrics } from "./metrics.js";
import type { SimulationResult } from "./types.js";

export const JSON_REPORT_VERSION = 1;

/** Builds the JSON document of a run; times in seconds, GPU time in GPU-seconds unless named hours. */
export function buildJsonReport(result: SimulationResult, metrics: Metrics): Record<string, unknown> {
  return {
    version: JSON_REPORT_VERSION,
    settings: result.settings,
    cluster: { nodes: result.nodes, gpus: result.clusterGpus, gpusByType: result.gpusByType, notes: result.clusterNotes },
    inputs: { notes: result.traceNotes, skipped: result.traceSkipped, adjusted: result.traceAdjusted },
    queues: result.queueSpecs,
    run: {
      startTime: result.startTime,
      endTime: result.endTime,
      events: result.events,
      passes: result.passes,
      stopReason: result.stopReason,
    },
    metrics,
    conservation: result.conservation,
    samples: result.samples,
    jobs: result.jobs,
  };
}

/** Serialises the report; non-finite numbers (which JSON lacks) become null. */
export function stringifyJsonReport(report: Record<string, unknown>): string {
  return JSON.stringify(report, (_key, value) => (typeof value === "number" && !Number.isFinite(value) ? null : value));
}
