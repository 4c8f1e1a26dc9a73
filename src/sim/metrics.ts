/**
 * Summary metrics of a simulation run, computed from its raw record.
 *
 * Definitions (times in seconds):
 * - JCT (job completion time) = finish time - submit time, over finished jobs.
 * - Queueing delay = time the job first ran - submit time (a gang runs once all members are
 *   placed), over jobs that ever ran.
 * - Percentiles are nearest-rank: the value at position ceil(q x n) of the sorted values, so the
 *   median of an even count is the lower middle value.
 * - Makespan = last finish time - first event time.
 * - GPU utilisation = GPUs in use / GPUs present; its average is the ratio of both integrals
 *   over the run, so idle gaps count.
 * - Share vs fair share: each leaf queue's GPU usage and instantaneous fair share, sampled at a
 *   fixed interval. A queue is active in a sample when its usage or demand is above 0.
 * - Jain's fairness index over active queues in one sample: J = (sum x)^2 / (n x sum x^2) with
 *   x_i = min(usage_i, fairShare_i) / min(demand_i, fairShare_i), the fraction of its entitlement
 *   (fair share capped by demand) that queue i received. J is 1 when every active queue got the
 *   same fraction and 1/n when one queue got everything; a queue using more than its fair share
 *   of idle capacity is not penalised. `jainIndex` averages J over samples with an active queue
 *   whose entitlement is above 0; `jainIndexOfTotals` applies J to the per-queue sums over time.
 *   NOTE: a job that can never fit (a gang larger than the cluster) keeps its queue's demand up,
 *   so that queue counts as unserved for as long as the job waits, which lowers J.
 * - Finish-time fairness (Themis' rho) = JCT / T_isolated, where T_isolated approximates the JCT
 *   with 1/N of the cluster: N = jobs active when it arrived (itself included), C = cluster GPUs
 *   then, g = the job's GPUs, and T_isolated = runTime x max(1, g / (C / N)) with runTime the
 *   uninterrupted run time on the GPU type it ran on. rho <= 1 means the job did no worse than
 *   with its 1/N slice; Themis minimises the maximum rho.
 * - Preemption cost: job stops, tasks stopped, and GPU-hours of work thrown away (GPUs x time
 *   since the run's last checkpoint, or since its start).
 */
import type { JobOutcome, SimulationResult } from "./types.js";

export interface Distribution {
  count: number;
  mean: number;
  median: number;
  p99: number;
  max: number;
}

export interface GroupMetrics {
  jobs: number;
  finished: number;
  /** Job completion time, seconds. */
  jct: Distribution;
  /** Queueing delay, seconds. */
  queueingDelay: Distribution;
}

export interface QueueMetrics extends GroupMetrics {
  name: string;
  weight: number;
  /** Mean GPU usage over samples in which the queue was active. */
  meanUsage: number;
  /** Mean instantaneous fair share (GPUs) over samples in which the queue was active. */
  meanFairShare: number;
  /** Mean steady fair share (GPUs) over all samples. */
  steadyFairShare: number;
  /** Fraction of its entitlement received, summed over time: sum min(usage, fairShare) / sum min(demand, fairShare). */
  entitlementReceived: number;
  /** Samples in which the queue was active. */
  activeSamples: number;
}

export interface Metrics {
  jobs: { total: number; finished: number; unfinished: number; unfinishedByReason: Record<string, number> };
  jct: Distribution;
  queueingDelay: Distribution;
  byQueue: QueueMetrics[];
  /** By GPUs of the job: `0` (no GPU), `1`, `2-4`, `5-8`, `>8`; empty groups left out. */
  bySize: (GroupMetrics & { size: string })[];
  /** By the GPU type of the nodes a job's last run used (`mixed` for several). */
  byGpuType: (GroupMetrics & { gpuType: string })[];
  /** Seconds. */
  makespan: number;
  utilisation: { average: number; max: number; series: number[] };
  fairness: { jainIndex: number; jainIndexOfTotals: number; samples: number };
  finishTimeFairness: Distribution & { fractionAboveOne: number };
  preemption: { jobStops: number; jobsPreempted: number; tasksStopped: number; lostGpuHours: number };
}

/** Size buckets by GPUs per job, in display order. */
export const SIZE_BUCKETS: readonly { label: string; min: number; max: number }[] = [
  { label: "0", min: 0, max: 0 },
  { label: "1", min: 1, max: 1 },
  { label: "2-4", min: 2, max: 4 },
  { label: "5-8", min: 5, max: 8 },
  { label: ">8", min: 9, max: Infinity },
];

/** Computes every summary metric of a run. */
export function computeMetrics(result: SimulationResult): Metrics {
  const jobs = result.jobs;
  const finished = jobs.filter((job) => job.finishTime !== null);

  const unfinishedByReason: Record<string, number> = {};
  for (const job of jobs) {
    if (job.unfinishedReason !== undefined) unfinishedByReason[job.unfinishedReason] = (unfinishedByReason[job.unfinishedReason] ?? 0) + 1;
  }

  const lastFinish = finished.reduce((latest, job) => Math.max(latest, job.finishTime!), -Infinity);
  const makespan = (Number.isFinite(lastFinish) ? lastFinish : result.endTime) - result.startTime;

  return {
    jobs: { total: jobs.length, finished: finished.length, unfinished: jobs.length - finished.length, unfinishedByReason: sortKeys(unfinishedByReason) },
    jct: distribution(finished.map(jct)),
    queueingDelay: distribution(jobs.filter(started).map(queueingDelay)),
    byQueue: queueMetrics(result),
    bySize: SIZE_BUCKETS.map((bucket) => ({
      size: bucket.label,
      ...groupMetrics(jobs.filter((job) => job.gpus >= bucket.min && job.gpus <= bucket.max)),
    })).filter((group) => group.jobs > 0),
    byGpuType: [...new Set(jobs.map((job) => job.gpuType).filter((type): type is string => type !== null))]
      .sort()
      .map((gpuType) => ({ gpuType, ...groupMetrics(jobs.filter((job) => job.gpuType === gpuType)) })),
    makespan,
    utilisation: {
      average: result.capacityGpuSeconds > 0 ? result.conservation.gpuSecondsIntegral / result.capacityGpuSeconds : 0,
      max: result.conservation.maxUtilisation,
      series: result.samples.usedGpus.map((used, i) => (result.samples.capacityGpus[i] > 0 ? used / result.samples.capacityGpus[i] : 0)),
    },
    fairness: jainFairness(result),
    finishTimeFairness: finishTimeFairness(finished),
    preemption: {
      jobStops: sum(jobs.map((job) => job.preemptions)),
      jobsPreempted: jobs.filter((job) => job.preemptions > 0).length,
      tasksStopped: sum(jobs.map((job) => job.preemptedTasks)),
      lostGpuHours: sum(jobs.map((job) => job.lostGpuSeconds)) / 3600,
    },
  };
}

/** Returns count, mean, nearest-rank median and p99, and max of `values` (all 0 when empty). */
export function distribution(values: number[]): Distribution {
  if (values.length === 0) return { count: 0, mean: 0, median: 0, p99: 0, max: 0 };
  const sorted = Float64Array.from(values).sort();
  return {
    count: sorted.length,
    mean: sum(values) / values.length,
    median: nearestRank(sorted, 0.5),
    p99: nearestRank(sorted, 0.99),
    max: sorted[sorted.length - 1],
  };
}

/** Returns the nearest-rank `q` quantile of ascending `sorted`. */
export function nearestRank(sorted: ArrayLike<number>, q: number): number {
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(sorted.length, rank) - 1];
}

/** Returns Jain's index (sum x)^2 / (n sum x^2) of `values`, or NaN when all are 0 or none are given. */
export function jainIndex(values: number[]): number {
  let total = 0;
  let squares = 0;
  for (const value of values) {
    total += value;
    squares += value * value;
  }
  return squares > 0 ? (total * total) / (values.length * squares) : Number.NaN;
}

/** Returns the empirical CDF of `values` as ascending points `[value, fraction <= value]`. */
export function cdfPoints(values: number[], maxPoints = 200): [number, number][] {
  if (values.length === 0) return [];
  const sorted = Float64Array.from(values).sort();
  const points: [number, number][] = [];
  const step = Math.max(1, Math.floor(sorted.length / maxPoints));
  for (let i = step - 1; i < sorted.length; i += step) points.push([sorted[i], (i + 1) / sorted.length]);
  if (points[points.length - 1][1] !== 1) points.push([sorted[sorted.length - 1], 1]);
  return points;
}

export function jct(job: JobOutcome): number {
  return job.finishTime! - job.submitTime;
}

export function queueingDelay(job: JobOutcome): number {
  return job.startTime! - job.submitTime;
}

function started(job: JobOutcome): boolean {
  return job.startTime !== null;
}

function groupMetrics(jobs: JobOutcome[]): GroupMetrics {
  const finished = jobs.filter((job) => job.finishTime !== null);
  return {
    jobs: jobs.length,
    finished: finished.length,
    jct: distribution(finished.map(jct)),
    queueingDelay: distribution(jobs.filter(started).map(queueingDelay)),
  };
}

function queueMetrics(result: SimulationResult): QueueMetrics[] {
  const jobsByQueue = new Map<string, JobOutcome[]>();
  for (const job of result.jobs) {
    const list = jobsByQueue.get(job.queue);
    if (list) list.push(job);
    else jobsByQueue.set(job.queue, [job]);
  }

  return result.queues.map(({ name, weight }) => {
    const series = result.samples.queues.find((queue) => queue.name === name);
    let activeSamples = 0;
    let usage = 0;
    let fairShare = 0;
    let steady = 0;
    let received = 0;
    let entitled = 0;
    const count = series?.usage.length ?? 0;
    for (let i = 0; i < count; i++) {
      steady += series!.steadyFairShare[i];
      if (!(series!.usage[i] > 0 || series!.demand[i] > 0)) continue;
      activeSamples += 1;
      usage += series!.usage[i];
      fairShare += series!.fairShare[i];
      received += Math.min(series!.usage[i], series!.fairShare[i]);
      entitled += Math.min(series!.demand[i], series!.fairShare[i]);
    }
    return {
      name,
      weight,
      ...groupMetrics(jobsByQueue.get(name) ?? []),
      meanUsage: activeSamples > 0 ? usage / activeSamples : 0,
      meanFairShare: activeSamples > 0 ? fairShare / activeSamples : 0,
      steadyFairShare: count > 0 ? steady / count : 0,
      entitlementReceived: entitled > 0 ? received / entitled : 1,
      activeSamples,
    };
  });
}

function jainFairness(result: SimulationResult): Metrics["fairness"] {
  const queues = result.samples.queues;
  const received = queues.map(() => 0);
  const entitled = queues.map(() => 0);
  let total = 0;
  let samples = 0;
  for (let i = 0; i < result.samples.time.length; i++) {
    const ratios: number[] = [];
    queues.forEach((queue, q) => {
      const entitlement = Math.min(queue.demand[i], queue.fairShare[i]);
      if (!(entitlement > 0)) return;
      const got = Math.min(queue.usage[i], queue.fairShare[i]);
      ratios.push(got / entitlement);
      received[q] += got;
      entitled[q] += entitlement;
    });
    const index = jainIndex(ratios);
    if (Number.isNaN(index)) continue;
    total += index;
    samples += 1;
  }
  const totals = received.map((got, q) => got / entitled[q]).filter((ratio) => Number.isFinite(ratio));
  const ofTotals = jainIndex(totals);
  return { jainIndex: samples > 0 ? total / samples : 1, jainIndexOfTotals: Number.isNaN(ofTotals) ? 1 : ofTotals, samples };
}

/** Slack for rho above 1, so that floating-point noise in run times does not count as unfair. */
const RHO_TOLERANCE = 1e-9;

function finishTimeFairness(finished: JobOutcome[]): Metrics["finishTimeFairness"] {
  const rhos: number[] = [];
  for (const job of finished) {
    const rho = finishTimeFairnessOf(job);
    if (rho !== undefined) rhos.push(rho);
  }
  const above = rhos.filter((rho) => rho > 1 + RHO_TOLERANCE).length;
  return { ...distribution(rhos), fractionAboveOne: rhos.length > 0 ? above / rhos.length : 0 };
}

/** Returns Themis' rho of a finished job under the 1/N approximation above, or undefined without a run time. */
export function finishTimeFairnessOf(job: JobOutcome): number | undefined {
  if (job.finishTime === null || job.runTime === null || !(job.runTime > 0)) return undefined;
  const slice = job.clusterGpusAtSubmit / Math.max(1, job.activeJobsAtSubmit);
  const slowdown = job.gpus > 0 && slice > 0 ? Math.max(1, job.gpus / slice) : 1;
  return jct(job) / (job.runTime * slowdown);
}

function sum(values: number[]): number {
  let total = 0;
  for (const value of values) total += value;
  return total;
}

function sortKeys(record: Record<string, number>): Record<string, number> {
  const entries = Object.entries(record);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries);
}
