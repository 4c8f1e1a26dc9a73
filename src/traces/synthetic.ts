/**
 * The built-in default workload: a seeded generator whose job sizes, run times and arrival rate
 * follow Philly. It reads no file; the tables below were derived once by
 * `scripts/derive-synthetic-quantiles.ts` and copied here. The same options give the same trace.
 */
import { invalidSpecParameter } from "../errors.js";
import { sortJobs, type Trace, type TraceJob } from "./types.js";

/**
 * Fraction of jobs by GPU count, from the 15,264 jobs of Gavel's Philly-derived traces
 * (seed 0, all 15 virtual clusters). The 15 jobs of odd sizes (7, 12, 20, 24) are counted at
 * the next power of two.
 */
export const SIZE_MIX: readonly (readonly [gpus: number, fraction: number])[] = [
  [1, 0.68658],
  [2, 0.03033],
  [4, 0.13391],
  [8, 0.12566],
  [16, 0.0171],
  [32, 0.00635],
  [64, 0.00007],
];

/**
 * Run-time quantiles (level, seconds) of the 83,152 Philly jobs with a positive run time
 * (2 zero run times left out), by linear interpolation between order statistics. Run time
 * does not depend on job size here, because the run-time list has no GPU counts.
 */
export const RUNTIME_QUANTILES: readonly (readonly [level: number, seconds: number])[] = [
  [0, 1],
  [0.01, 17],
  [0.05, 48],
  [0.1, 61],
  [0.2, 76],
  [0.3, 229],
  [0.4, 630],
  [0.5, 1186],
  [0.6, 1871],
  [0.7, 2590],
  [0.8, 4700],
  [0.9, 12860],
  [0.95, 49951],
  [0.99, 287285],
  [0.999, 1361027],
  [1, 4628239],
];

/** Mean time between job arrivals over the whole cluster in the Gavel traces above, in seconds. */
export const MEAN_INTERARRIVAL = 708.7;

/**
 * Speed relative to a V100: the median over the 26 one-GPU job types of Gavel's simulated
 * throughput matrix of throughput(type) / throughput(V100).
 */
export const RELATIVE_SPEED: Readonly<Record<string, number>> = { K80: 0.2469, P100: 0.813, V100: 1 };

export interface SyntheticOptions {
  /** Number of jobs; default 1000. */
  jobs?: number;
  /** Number of queues `root.vc1 .. root.vcQ`, chosen uniformly per job; default 4. */
  queues?: number;
  /** Users per queue, `vcQ-u1 ..`, chosen uniformly per job; default 4. */
  users?: number;
  /** PRNG seed, an unsigned 32-bit integer; default 1. */
  seed?: number;
  /** Mean seconds between arrivals (Poisson arrivals); default MEAN_INTERARRIVAL. */
  interarrival?: number;
  /** Vcores per GPU task; default 4. */
  cpu?: number;
  /** MiB per GPU task; default 32768. */
  memory?: number;
}

const DEFAULTS: Required<SyntheticOptions> = {
  jobs: 1000,
  queues: 4,
  users: 4,
  seed: 1,
  interarrival: MEAN_INTERARRIVAL,
  cpu: 4,
  memory: 32768,
};

/** Returns a mulberry32 generator: uniform numbers in [0, 1) from a 32-bit state. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let mixed = state;
    mixed = Math.imul(mixed ^ (mixed >>> 15), mixed | 1);
    mixed ^= mixed + Math.imul(mixed ^ (mixed >>> 7), mixed | 61);
    return ((mixed ^ (mixed >>> 14)) >>> 0) / 4294967296;
  };
}

/** Maps a uniform number to a run time by log-linear interpolation between RUNTIME_QUANTILES. */
export function runtimeAt(uniform: number): number {
  for (let i = 1; i < RUNTIME_QUANTILES.length; i++) {
    const [upperLevel, upperSeconds] = RUNTIME_QUANTILES[i];
    if (uniform > upperLevel) continue;
    const [lowerLevel, lowerSeconds] = RUNTIME_QUANTILES[i - 1];
    const fraction = (uniform - lowerLevel) / (upperLevel - lowerLevel);
    return Math.exp(Math.log(lowerSeconds) + fraction * (Math.log(upperSeconds) - Math.log(lowerSeconds)));
  }
  return RUNTIME_QUANTILES[RUNTIME_QUANTILES.length - 1][1];
}

/** Maps a uniform number to a GPU count by the cumulative SIZE_MIX. */
function sizeAt(uniform: number): number {
  let cumulative = 0;
  for (const [gpus, fraction] of SIZE_MIX) {
    cumulative += fraction;
    if (uniform < cumulative) return gpus;
  }
  return SIZE_MIX[SIZE_MIX.length - 1][0];
}

/**
 * Generates a synthetic trace. Each job has N one-GPU tasks (a gang when N > 1), a Poisson
 * arrival, a run time on V100 (whole seconds, at least 1) and run times on K80 and P100 scaled
 * by RELATIVE_SPEED.
 */
export function generateSyntheticTrace(options: SyntheticOptions = {}): Trace {
  const settings = { ...DEFAULTS, ...options };
  validate(settings);
  const random = mulberry32(settings.seed);

  const jobs: TraceJob[] = [];
  const digits = String(settings.jobs).length;
  let clock = 0;
  for (let index = 1; index <= settings.jobs; index++) {
    // Draw in a fixed order so that one seed always gives the same job.
    clock += -Math.log(1 - random()) * settings.interarrival;
    const queue = 1 + Math.floor(random() * settings.queues);
    const user = 1 + Math.floor(random() * settings.users);
    const gpus = sizeAt(random());
    const duration = Math.max(1, Math.round(runtimeAt(random())));

    const durationByGpuType: Record<string, number> = {};
    for (const [type, speed] of Object.entries(RELATIVE_SPEED)) durationByGpuType[type] = Math.round(duration / speed);

    jobs.push({
      name: `job-${String(index).padStart(digits, "0")}`,
      queue: `root.vc${queue}`,
      user: `vc${queue}-u${user}`,
      submitTime: Math.round(clock),
      taskCount: gpus,
      request: { gpu: 1, cpu: settings.cpu, memory: settings.memory },
      gang: gpus > 1,
      duration,
      durationByGpuType,
    });
  }

  const queues = Array.from({ length: settings.queues }, (_, i) => ({ name: `root.vc${i + 1}`, weight: 1 }));
  return {
    jobs: sortJobs(jobs),
    queues,
    skipped: {},
    adjusted: {},
    notes: [
      `synthetic: ${settings.jobs} jobs, ${settings.queues} queues, seed ${settings.seed}, mean inter-arrival ${settings.interarrival} s`,
      "job sizes follow Gavel's Philly-derived traces and run times follow Philly's job log; duration is on V100",
    ],
  };
}

/** Parses `jobs=2000,queues=4,seed=1` (any subset of SyntheticOptions keys) into options. */
export function parseSyntheticParams(params: string, spec = `synthetic:${params}`): SyntheticOptions {
  const options: SyntheticOptions = {};
  for (const pair of params.split(",").map((text) => text.trim()).filter(Boolean)) {
    const [key, text] = pair.split("=");
    if (!Object.hasOwn(DEFAULTS, key) || text === undefined || text.trim() === "") {
      throw invalidSpecParameter(spec, key, pair, `Write KEY=NUMBER with KEY one of ${Object.keys(DEFAULTS).join(", ")}`);
    }
    options[key as keyof SyntheticOptions] = Number(text);
  }
  validate({ ...DEFAULTS, ...options }, spec);
  return options;
}

/** Rejects counts that are not whole and positive, and negative or non-finite amounts. */
function validate(settings: Required<SyntheticOptions>, spec = "synthetic"): void {
  for (const key of ["jobs", "queues", "users"] as const) {
    if (!Number.isInteger(settings[key]) || settings[key] < 1) {
      throw invalidSpecParameter(spec, key, settings[key], `Set ${key} to a whole number of at least 1`);
    }
  }
  if (!Number.isInteger(settings.seed) || settings.seed < 0 || settings.seed > 0xffffffff) {
    throw invalidSpecParameter(spec, "seed", settings.seed, "Set seed to a whole number from 0 to 4294967295");
  }
  if (!(settings.interarrival > 0 && Number.isFinite(settings.interarrival))) {
    throw invalidSpecParameter(spec, "interarrival", settings.interarrival, "Set interarrival to a positive number of seconds");
  }
  for (const key of ["cpu", "memory"] as const) {
    if (!(settings[key] >= 0 && Number.isFinite(settings[key]))) {
      throw invalidSpecParameter(spec, key, settings[key], `Set ${key} to a non-negative number`);
    }
  }
}
