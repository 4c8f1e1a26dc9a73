/**
 * Settings of one simulation run, their defaults and their validation.
 */
import { InputError } from "../errors.js";
import type { SchedulingPolicy } from "../model/types.js";

export interface SimulationOptions {
  /** Scheduling policy set on every queue (`fair`, `drf`, `fifo`); unset keeps each queue's own. */
  policy?: SchedulingPolicy;
  /** Applies the scheduler's preemption plans; off strips preemption timeouts from all queues. */
  preemption: boolean;
  /** Seconds a queue stays below its fair-share threshold before it may preempt, for queues that set none. */
  preemptionTimeout: number;
  /** Fraction of fair share below which a queue counts as starved, for queues that set none (YARN's default 0.5). */
  preemptionThreshold: number;
  /** Seconds between checkpoints of every job; 0 means none, so preemption loses all work since the start. */
  checkpointInterval: number;
  /** Seconds between samples of utilisation and shares; 0 picks about 1,000 samples up to the last uncontended finish. */
  sampleInterval: number;
  /** Simulated seconds after which the run stops, reporting running and pending jobs as unfinished. */
  maxTime: number;
  /** Events after which the run stops, a guard against a run that never ends. */
  maxEvents: number;
  /** Scheduling passes at one timestamp: the first, plus the ones that follow applied preemptions. */
  maxPassesPerBatch: number;
}

export const DEFAULT_OPTIONS: Readonly<SimulationOptions> = {
  preemption: false,
  preemptionTimeout: 60,
  preemptionThreshold: 0.5,
  checkpointInterval: 0,
  sampleInterval: 0,
  maxTime: 10 * 365 * 86400,
  maxEvents: 50_000_000,
  maxPassesPerBatch: 2,
};

/** Target sample count when `sampleInterval` is 0. */
export const DEFAULT_SAMPLE_COUNT = 1000;

/** Merges `partial` over the defaults and rejects values that cannot work. */
export function resolveOptions(partial: Partial<SimulationOptions> = {}): SimulationOptions {
  const options: SimulationOptions = { ...DEFAULT_OPTIONS };
  for (const [key, value] of Object.entries(partial)) {
    if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  }

  if (options.policy !== undefined && !["fair", "drf", "fifo"].includes(options.policy)) {
    throw invalidOption("policy", options.policy, "Use fair, drf or fifo");
  }
  const nonNegative: (keyof SimulationOptions)[] = ["preemptionTimeout", "checkpointInterval", "sampleInterval"];
  for (const key of nonNegative) {
    const value = options[key] as number;
    if (!(Number.isFinite(value) && value >= 0)) throw invalidOption(key, value, "Pass a non-negative number of seconds");
  }
  if (!(options.preemptionThreshold >= 0 && options.preemptionThreshold <= 1)) {
    throw invalidOption("preemptionThreshold", options.preemptionThreshold, "Pass a fraction between 0 and 1");
  }
  if (!(options.maxTime > 0)) throw invalidOption("maxTime", options.maxTime, "Pass a positive number of seconds");
  for (const key of ["maxEvents", "maxPassesPerBatch"] as const) {
    if (!(Number.isInteger(options[key]) && options[key] > 0)) {
      throw invalidOption(key, options[key], "Pass a positive whole number");
    }
  }
  return options;
}

/** Picks a sample interval in whole minutes giving about DEFAULT_SAMPLE_COUNT samples over `span` seconds. */
export function defaultSampleInterval(span: number): number {
  const minutes = Math.max(1, Math.ceil(span / DEFAULT_SAMPLE_COUNT / 60));
  return minutes * 60;
}

function invalidOption(name: string, value: unknown, fix: string): InputError {
  return new InputError("invalid simulation option", { item: name, value, fix });
}
