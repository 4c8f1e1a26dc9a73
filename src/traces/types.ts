/**
 * Workloads and clusters read from GPU-cluster traces (Gavel's Philly-derived traces, Alibaba
 * openb 2023, the synthetic generator) and from machine lists. Plain data, no behaviour.
 *
 * Units: times in seconds, memory in MiB, cpu in vcores (fractions allowed), gpu in devices.
 */
import type { NodeSpec, QueueSpec, ResourceAmounts } from "../model/types.js";

/** One job of a trace: `taskCount` identical tasks, each asking for `request`. */
export interface TraceJob {
  name: string;
  /** Full dotted queue name, for example `root.vc1`. */
  queue: string;
  user: string;
  /** Model or workload class where the trace names one, for example `ResNet-50 (batch size 64)`. */
  jobType?: string;
  /** Submission time in seconds from the start of the trace. */
  submitTime: number;
  taskCount: number;
  /** Request of one task: `gpu` (devices), `cpu` (vcores) and `memory` (MiB). */
  request: ResourceAmounts;
  /** True when more than one task must start together (all-or-nothing placement). */
  gang: boolean;
  /** Acceptable GPU types; missing means any type. */
  gpuTypes?: string[];
  /** Run time in seconds on the trace's reference GPU type, once all tasks run. */
  duration: number;
  /** Run time in seconds per GPU type, where the trace gives one. */
  durationByGpuType?: Record<string, number>;
  /** True when the trace asked for a fraction of a GPU and the request was rounded up to one. */
  fractionalGpu?: boolean;
}

/** A workload: jobs, the queues they use, and an account of what was not read as-is. */
export interface Trace {
  /** Jobs sorted by `submitTime`, then by `name`. */
  jobs: TraceJob[];
  /** One entry per queue that a job names, parents left implicit. */
  queues: QueueSpec[];
  /** Rows left out, by reason. */
  skipped: Record<string, number>;
  /** Rows kept after a documented change (a fallback or rounding), by change. */
  adjusted: Record<string, number>;
  /** Facts a reader of the results needs: assumptions, reference GPU type, missing fields. */
  notes: string[];
}

/** A cluster read from a machine list or from the compact `TYPE:GPUS,...` form. */
export interface Cluster {
  nodes: NodeSpec[];
  /** Rows left out, by reason. */
  skipped: Record<string, number>;
  notes: string[];
}

/** Adds one to `counts[reason]`. */
export function countReason(counts: Record<string, number>, reason: string, amount = 1): void {
  counts[reason] = (counts[reason] ?? 0) + amount;
}

/** Compares two strings by code point, so the order does not depend on the locale. */
export function compareNames(a: string, b: string): number {
  if (a < b) return -1;
  if (a > b) return 1;
  return 0;
}

/** Sorts jobs in place by submit time, then name, the order every `Trace` keeps. */
export function sortJobs(jobs: TraceJob[]): TraceJob[] {
  return jobs.sort((a, b) => a.submitTime - b.submitTime || compareNames(a.name, b.name));
}
