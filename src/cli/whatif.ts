/**
 * `fairsched whatif`: runs a sweep of scenarios (`--vary KEY=V1,V2,...`, their cartesian
 * product) in parallel worker threads over one shared copy of the trace and cluster, and prints
 * a comparison table with the best value per metric marked.
 */
import { availableParallelism } from "node:os";
import { Presets, SingleBar } from "cli-progress";
import type { Command } from "commander";

import { loadCluster, loadTrace } from "../traces/index.js";
import { comparisonJson, formatComparison } from "../whatif/compare.js";
import { buildWhatIfReport } from "../whatif/report-html.js";
import { expandScenarios, parseVaryOptions, validateAxes } from "../whatif/scenarios.js";
import { shareCluster, shareTrace } from "../whatif/shared-trace.js";
import { defaultSchedulerModule, runSweep, type ScenarioResult } from "../whatif/sweep.js";
import {
  addReplayOptions,
  parseCount,
  parseSeconds,
  simulationOptions,
  withConfig,
  writeOutput,
  type SimulationCliOptions,
} from "./simulate.js";

interface WhatIfCliOptions extends SimulationCliOptions {
  vary: string[];
  workers?: string;
  timeLimit?: string;
  jobLimit?: string;
  json?: string;
  report?: string;
  progress?: boolean;
}

/** Exit status after Ctrl-C, as shells report a process ended by SIGINT. */
const EXIT_INTERRUPTED = 130;
/** Exit status when a scenario failed or timed out; the table and outputs are still written. */
const EXIT_SCENARIO_FAILED = 1;

const EXIT_STATUS_HELP = `
Exit status:
  0    every scenario finished
  1    a scenario failed or timed out (the table, --json and --report still list every scenario)
  2    invalid input
  130  interrupted by Ctrl-C (the table lists the scenarios that finished)`;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

/** Adds the `whatif` command to `program`. */
export function registerWhatIf(program: Command): void {
  const command = program
    .command("whatif")
    .description("Simulate every combination of --vary values in parallel worker threads and compare the scenarios");
  addReplayOptions(command)
    .option(
      "--vary <key=values>",
      "vary KEY over comma-separated values; repeat for more keys. Keys: weight:QUEUE, min:QUEUE:DIM, max:QUEUE:DIM, policy, preemption, cluster (node count scale), gpus:TYPE (total GPUs)",
      collect,
      [],
    )
    .option("--workers <count>", "worker threads (default: the machine's available parallelism)")
    .option("--time-limit <seconds>", "stop a scenario after this many wall-clock seconds and report it as timed out (default: no limit)")
    .option("--job-limit <count>", "replay only the first COUNT jobs of the trace in every scenario")
    .option("--json <file>", "write every scenario's settings, status and metrics as JSON")
    .option("--report <file>", "write a self-contained HTML report plotting each metric against each varied key")
    .option("--no-progress", "hide the progress bar (shown only when stderr is a terminal)")
    .addHelpText("after", EXIT_STATUS_HELP)
    .action(async (options: WhatIfCliOptions) => {
      await runWhatIf(options);
    });
}

async function runWhatIf(options: WhatIfCliOptions): Promise<void> {
  // 1. Parse every option before loading anything, so a typo fails fast.
  const axes = parseVaryOptions(options.vary);
  const scenarios = expandScenarios(axes);
  const simulation = simulationOptions(options);
  const workers = parseCount("--workers", options.workers) ?? availableParallelism();
  const timeLimit = parseSeconds("--time-limit", options.timeLimit) ?? 0;
  const jobLimit = parseCount("--job-limit", options.jobLimit);

  // 2. Load the inputs once and check the varied names against them.
  const trace = await loadTrace(options.trace, options.quotas ? { quotas: options.quotas } : {});
  const cluster = loadCluster(options.cluster);
  let queues = trace.queues;
  if (options.config !== undefined) queues = withConfig(queues, options.config);
  validateAxes(axes, { queues, nodes: cluster.nodes });

  // 3. Share them and run the sweep; Ctrl-C stops it and keeps what finished.
  const controller = new AbortController();
  const onInterrupt = () => controller.abort();
  process.once("SIGINT", onInterrupt);
  const progress = startProgress(options.progress !== false, scenarios.length);
  let results: ScenarioResult[];
  try {
    results = await runSweep({
      trace: shareTrace(trace),
      cluster: shareCluster(cluster),
      base: {
        queues,
        options: simulation,
        jobLimit,
        schedulerModule: defaultSchedulerModule(),
      },
      scenarios,
      workers,
      timeLimit,
      signal: controller.signal,
      onSettled: (_, settled) => progress?.update(settled),
    });
  } finally {
    progress?.stop();
    process.removeListener("SIGINT", onInterrupt);
  }

  // 4. Report.
  const jobs = jobLimit === undefined ? trace.jobs.length : Math.min(jobLimit, trace.jobs.length);
  const finished = results.filter((r) => r.status === "ok").length;
  process.stdout.write(
    `trace ${options.trace} (${jobs} jobs), cluster ${options.cluster}, ${scenarios.length} scenarios on ${Math.min(workers, scenarios.length)} workers\n`,
  );
  process.stdout.write(`${formatComparison(results, axes)}\n`);
  if (finished < results.length) process.stdout.write(`${finished} of ${results.length} scenarios finished\n`);
  if (options.json !== undefined) {
    writeOutput(options.json, `${JSON.stringify(comparisonJson(results, axes), null, 2)}\n`);
    process.stdout.write(`wrote ${options.json}\n`);
  }
  if (options.report !== undefined) {
    writeOutput(options.report, buildWhatIfReport(results, axes, `fairsched whatif: ${options.trace} on ${options.cluster}`));
    process.stdout.write(`wrote ${options.report}\n`);
  }
  if (controller.signal.aborted) {
    process.stderr.write("fairsched: interrupted; the table lists the scenarios that finished before Ctrl-C\n");
    process.exitCode = EXIT_INTERRUPTED;
  } else if (finished < results.length) {
    process.stderr.write(`fairsched: ${results.length - finished} of ${results.length} scenarios failed or timed out\n`);
    process.exitCode = EXIT_SCENARIO_FAILED;
  }
}

/** Starts a progress bar of finished scenarios on stderr when it is a terminal. */
function startProgress(enabled: boolean, total: number): { update: (settled: number) => void; stop: () => void } | undefined {
  if (!enabled || !process.stderr.isTTY) return undefined;
  const bar = new SingleBar(
    { stream: process.stderr, format: "what-if [{bar}] {value}/{total} scenarios | {duration_formatted}", hideCursor: true },
    Presets.shades_classic,
  );
  bar.start(total, 0);
  return { update: (settled) => bar.update(settled), stop: () => bar.stop() };
}
