/**
 * `fairsched simulate`: replays a trace on a cluster through the scheduler and prints a summary
 * table. `--json` writes every metric and `--report` an HTML page with plots.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, extname } from "node:path";
import { Presets, SingleBar } from "cli-progress";
import type { Command } from "commander";

import { applyQueueDefaults, loadQueueConfig, loadSnapshot, QueueTree } from "../config/index.js";
import { InputError } from "../errors.js";
import type { QueueSpec, SchedulingPolicy } from "../model/types.js";
import { computeMetrics } from "../sim/metrics.js";
import { buildHtmlReport } from "../sim/report-html.js";
import { buildJsonReport, stringifyJsonReport } from "../sim/report-json.js";
import { createCoreScheduler } from "../sim/core-scheduler.js";
import type { SimulationOptions } from "../sim/options.js";
import { simulate } from "../sim/simulator.js";
import { formatDuration, formatSummary } from "../sim/summary.js";
import type { SimProgress } from "../sim/types.js";
import { loadCluster, loadTrace } from "../traces/index.js";
import { printWarnings } from "./warnings.js";

/** Trace replayed when `--trace` is not given: the seeded Philly-shaped generator. */
export const DEFAULT_TRACE = "synthetic:";
/** Cluster used when `--cluster` is not given: 48 GPUs of three types in 4-GPU nodes, about 40% busy with the default trace. */
export const DEFAULT_CLUSTER = "v100:16,p100:16,k80:16";

/** The options that shape one simulation, as commander passes them to `simulate` and `whatif`. */
export interface SimulationCliOptions {
  trace: string;
  cluster: string;
  config?: string;
  quotas?: string;
  policy?: string;
  preemption: string;
  checkpointInterval?: string;
  sampleInterval?: string;
  maxTime?: string;
  maxEvents?: string;
}

interface SimulateCliOptions extends SimulationCliOptions {
  json?: string | boolean;
  report?: string;
  seed?: string;
  progress?: boolean;
}

/**
 * Adds the options that describe one replay (trace, cluster, queues, policy, preemption, limits)
 * to `command`; `simulate` and `whatif` share them. Limits apply to each simulation.
 */
export function addReplayOptions(command: Command): Command {
  return command
    .option("--trace <spec>", "workload: gavel:PATH, alibaba2023:PATH or synthetic[:jobs=N,queues=N,seed=N,...]", DEFAULT_TRACE)
    .option("--cluster <spec>", "cluster: philly:PATH, alibaba2023:PATH, pai2020:PATH, spot2026:PATH or TYPE:GPUS[/PER_NODE],...", DEFAULT_CLUSTER)
    .option("--config <file>", "queues from a YARN or Spark allocation file (.xml, format detected) or a native YAML/JSON snapshot; they replace the trace's queues of the same name")
    .option("--quotas <spec>", "queue weights from real VC sizes: philly:PATH (philly_vc_nodes.csv) or helios:PATH")
    .option("--policy <policy>", "scheduling policy set on every queue: fair, drf or fifo (default: each queue's own, fair unless configured)")
    .option("--preemption <on|off>", "apply the scheduler's preemption plans", "off")
    .option("--checkpoint-interval <seconds>", "seconds between job checkpoints; preemption loses the work since the last one (default: none)")
    .option("--sample-interval <seconds>", "seconds between samples of utilisation and shares (default: about 1,000 samples over the trace)")
    .option("--max-time <seconds>", "stop each simulation after this much simulated time (default: 10 years)")
    .option("--max-events <count>", "stop each simulation after this many events (default: 50,000,000)");
}

/** Adds the `simulate` command to `program`. */
export function registerSimulate(program: Command): void {
  const command = program
    .command("simulate")
    .description("Replay a job trace on a cluster through the scheduler and report JCT, queueing delay, utilisation and fairness");
  addReplayOptions(command)
    .option("--seed <n>", "seed of the synthetic trace (overrides seed= in --trace)")
    .option("--json [file]", "write every metric, the sampled series and one record per job as JSON to FILE, or to stdout in place of the table")
    .option("--report <file>", "write a self-contained HTML report with plots")
    .option("--no-progress", "hide the progress bar (shown only when stderr is a terminal)")
    .action(async (options: SimulateCliOptions) => {
      await runSimulate(options);
    });
}

async function runSimulate(options: SimulateCliOptions): Promise<void> {
  const simulation = simulationOptions(options);
  const traceSpec = withSeed(options.trace, options.seed);

  const trace = await loadTrace(traceSpec, options.quotas ? { quotas: options.quotas } : {});
  const cluster = loadCluster(options.cluster);
  let queues = trace.queues;
  if (options.config !== undefined) queues = withConfig(queues, options.config);

  const firstSubmit = trace.jobs.reduce((first, job) => Math.min(first, job.submitTime), Infinity);
  const progress = startProgress(options.progress !== false, trace.jobs.length, Number.isFinite(firstSubmit) ? firstSubmit : 0);
  let result;
  try {
    result = simulate(
      { trace, cluster, queues },
      createCoreScheduler,
      simulation,
      { onProgress: progress?.update },
    );
  } finally {
    progress?.stop();
  }

  const metrics = computeMetrics(result);
  if (options.json === true) {
    process.stdout.write(`${stringifyJsonReport(buildJsonReport(result, metrics))}\n`);
  } else {
    process.stdout.write(`trace ${traceSpec}, cluster ${options.cluster}\n${formatSummary(result, metrics)}\n`);
  }
  if (typeof options.json === "string") {
    writeOutput(options.json, `${stringifyJsonReport(buildJsonReport(result, metrics))}\n`);
    process.stdout.write(`wrote ${options.json}\n`);
  }
  if (options.report !== undefined) {
    writeOutput(options.report, buildHtmlReport(result, metrics, `fairsched simulate: ${traceSpec} on ${options.cluster}`));
    if (options.json !== true) process.stdout.write(`wrote ${options.report}\n`);
  }
}

/** Parses the options that shape a simulation into `SimulationOptions`; unset ones stay undefined. */
export function simulationOptions(options: SimulationCliOptions): Partial<SimulationOptions> {
  const preemption = parseOnOff(options.preemption);
  return {
    policy: parsePolicy(options.policy),
    preemption,
    checkpointInterval: parseSeconds("--checkpoint-interval", options.checkpointInterval),
    sampleInterval: parseSeconds("--sample-interval", options.sampleInterval),
    maxTime: parseSeconds("--max-time", options.maxTime),
    maxEvents: parseCount("--max-events", options.maxEvents),
  };
}

/**
 * Returns `queues` with the queues of a configuration file: a YARN or Spark allocation file
 * (`.xml`, format detected) or a native snapshot (YAML or JSON). The file's queues replace those
 * of the same name, and its defaults fill what they leave unset. Prints its warnings on stderr.
 */
export function withConfig(queues: QueueSpec[], file: string): QueueSpec[] {
  const byName = new Map<string, QueueSpec>();
  for (const queue of queues) byName.set(queue.name, { ...queue });
  let defaults;
  const warnings: string[] = [];
  if (extname(file).toLowerCase() === ".xml") {
    const config = loadQueueConfig(file);
    for (const queue of config.queues) byName.set(queue.name, { ...queue });
    defaults = config.queueDefaults;
    warnings.push(...config.warnings);
  } else {
    for (const queue of loadSnapshot(file, { warnings }).queues) byName.set(queue.name, { ...queue });
  }
  printWarnings(warnings);
  const tree = new QueueTree();
  for (const queue of byName.values()) tree.merge(queue);
  return applyQueueDefaults(tree, defaults);
}

/** Adds or replaces `seed=` in a synthetic trace spec; other kinds take no seed. */
function withSeed(spec: string, seed: string | undefined): string {
  if (seed === undefined) return spec;
  if (!/^\d+$/.test(seed)) throw new InputError("invalid seed", { item: "--seed", value: seed, fix: "Pass a whole number from 0 to 4294967295" });
  if (!spec.startsWith("synthetic")) {
    throw new InputError("--seed applies only to synthetic traces", { item: "--trace", value: spec, fix: "Drop --seed, or use --trace synthetic:..." });
  }
  const params = spec.slice("synthetic".length).replace(/^:/, "").split(",").filter((pair) => pair.trim() !== "" && !pair.trim().startsWith("seed="));
  params.push(`seed=${seed}`);
  return `synthetic:${params.join(",")}`;
}

/** Parses `--preemption`: `on` or `off`. */
export function parseOnOff(value: string): boolean {
  if (value === "on") return true;
  if (value === "off") return false;
  throw new InputError("invalid --preemption value", { item: "--preemption", value, fix: "Write on or off" });
}

/** Parses `--policy`: fair, drf or fifo; undefined when the option is not given. */
export function parsePolicy(value: string | undefined): SchedulingPolicy | undefined {
  if (value === undefined) return undefined;
  if (value === "fair" || value === "drf" || value === "fifo") return value;
  throw new InputError("invalid --policy value", { item: "--policy", value, fix: "Write fair, drf or fifo" });
}

/** Parses a non-negative number of seconds given to `option`; undefined when the option is not given. */
export function parseSeconds(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  if (!(Number.isFinite(seconds) && seconds >= 0)) throw new InputError(`invalid ${option} value`, { item: option, value, fix: "Pass a non-negative number of seconds" });
  return seconds;
}

/** Parses a positive whole number given to `option`; undefined when the option is not given. */
export function parseCount(option: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const count = Number(value);
  if (!(Number.isInteger(count) && count > 0)) throw new InputError(`invalid ${option} value`, { item: option, value, fix: "Pass a positive whole number" });
  return count;
}

/** Writes `text` to `file`, creating its folder. */
export function writeOutput(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, text);
}

/** Starts a progress bar on stderr when it is a terminal; returns undefined otherwise. `start` is the trace's first time, seconds. */
function startProgress(
  enabled: boolean,
  jobsTotal: number,
  start: number,
): { update: (progress: SimProgress) => void; stop: () => void } | undefined {
  if (!enabled || !process.stderr.isTTY) return undefined;
  const bar = new SingleBar(
    { stream: process.stderr, format: "simulating [{bar}] {value}/{total} jobs done | simulated time {simTime}", hideCursor: true },
    Presets.shades_classic,
  );
  bar.start(jobsTotal, 0, { simTime: formatDuration(0) });
  return {
    update: (progress) => {
      bar.update(progress.jobsDone, { simTime: formatDuration(progress.time - start) });
    },
    stop: () => bar.stop(),
  };
}
