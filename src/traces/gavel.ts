/**
 * Reader for Gavel's job traces (Narayanan et al., OSDI'20): tab-separated text with no header,
 * one job per line. Two layouts exist:
 *
 * - 7 fields (the Philly-derived per-virtual-cluster traces): job_type, command, num_steps_arg,
 *   needs_data_dir, total_steps, arrival_time (s), scale_factor (GPUs).
 * - 10 fields (the testbed traces): job_type, command, working_directory, num_steps_arg,
 *   needs_data_dir, total_steps, scale_factor, priority_weight, SLO, arrival_time (s).
 *
 * Run time is `total_steps / throughput`, where the throughput (training steps per second of
 * the whole job) comes from Gavel's throughput matrix, a gzipped JSON object
 * `{worker_type: {"('<job_type>', <scale_factor>)": {"null": steps_per_second, ...}}}`.
 */
import { readFileSync, readdirSync, statSync, createReadStream, existsSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { createInterface } from "node:readline";
import { gunzipSync } from "node:zlib";
import { InputError, parseFailed, traceFileNotFound } from "../errors.js";
import { countReason, sortJobs, type Trace, type TraceJob } from "./types.js";

/** GPU type whose run time becomes `TraceJob.duration`: Gavel simulated Philly on V100s. */
export const GAVEL_REFERENCE_GPU_TYPE = "V100";

/** File name of the throughput matrix that the reader looks for next to the traces. */
export const GAVEL_THROUGHPUT_FILE = "simulation_throughputs.json.gz";

export interface GavelOptions {
  /** Throughput matrix (`.json` or `.json.gz`); by default the nearest `simulation_throughputs.json.gz` above the trace. */
  throughputs?: string;
}

/**
 * Isolated throughput in steps per second, by job type, then scale factor (GPUs), then GPU
 * type in upper case (`K80`, `P100`, `V100`). A 0 means the job does not fit on that type.
 */
export type ThroughputTable = Map<string, Map<number, Map<string, number>>>;

/** Reason counted in `Trace.adjusted` for jobs whose throughput came from a smaller scale factor. */
export const THROUGHPUT_FALLBACK =
  "throughput missing for (job type, GPUs): nearest smaller listed GPU count, scaled linearly";

const THROUGHPUT_KEY = /^\('(.+)', (\d+)\)$/;

/** Reads the throughput matrix, keeping the consolidated worker types (`k80`, `p100`, `v100`). */
export function readGavelThroughputs(file: string): ThroughputTable {
  if (!existsSync(file)) {
    throw traceFileNotFound(file, "throughput matrix", "Pass the path of Gavel's simulation_throughputs.json.gz");
  }
  const bytes = readFileSync(file);
  let matrix: Record<string, Record<string, { null?: number }>>;
  try {
    matrix = JSON.parse((file.endsWith(".gz") ? gunzipSync(bytes) : bytes).toString("utf8"));
  } catch (error) {
    throw parseFailed(file, "JSON", error);
  }

  const table: ThroughputTable = new Map();
  for (const [workerType, entries] of Object.entries(matrix)) {
    // The `_unconsolidated` variants describe spreading a job over several servers of the same
    // GPU type, not another GPU type, so they are not read.
    if (workerType.endsWith("_unconsolidated")) continue;
    const gpuType = workerType.toUpperCase();
    for (const [key, entry] of Object.entries(entries)) {
      const match = THROUGHPUT_KEY.exec(key);
      const stepsPerSecond = entry?.null;
      if (!match || typeof stepsPerSecond !== "number") {
        throw new InputError("invalid throughput entry", {
          file,
          item: `${workerType} ${key}`,
          value: entry,
          fix: `Write entries as "('<job type>', <GPUs>)": {"null": <steps per second>}`,
        });
      }
      const jobType = match[1];
      const scaleFactor = Number(match[2]);
      let byScale = table.get(jobType);
      if (!byScale) table.set(jobType, (byScale = new Map()));
      let byGpuType = byScale.get(scaleFactor);
      if (!byGpuType) byScale.set(scaleFactor, (byGpuType = new Map()));
      byGpuType.set(gpuType, stepsPerSecond);
    }
  }
  return table;
}

/** Collects every GPU type that appears in the table, sorted. */
function gpuTypesOf(table: ThroughputTable): string[] {
  const types = new Set<string>();
  for (const byScale of table.values()) for (const byGpuType of byScale.values()) for (const type of byGpuType.keys()) types.add(type);
  return [...types].sort();
}

/**
 * Looks up the throughput (steps/s) of `jobType` on `scaleFactor` GPUs of `gpuType`, and
 * reports whether the fallback was used. The fallback applies when the pair is not listed. It
 * takes the nearest smaller listed scale factor's throughput times `scaleFactor / listed`,
 * which assumes perfect scaling and so underestimates run time. The throughput is 0 when the
 * job does not fit on that type.
 */
export function lookupThroughput(
  table: ThroughputTable,
  jobType: string,
  scaleFactor: number,
  gpuType: string,
): { stepsPerSecond: number; fallback: boolean } {
  const byScale = table.get(jobType);
  if (!byScale) return { stepsPerSecond: 0, fallback: false };

  const exact = byScale.get(scaleFactor)?.get(gpuType);
  if (exact !== undefined) return { stepsPerSecond: exact, fallback: false };

  let nearest = 0;
  for (const [listed, byGpuType] of byScale) {
    if (listed < scaleFactor && listed > nearest && byGpuType.has(gpuType)) nearest = listed;
  }
  if (nearest === 0) return { stepsPerSecond: 0, fallback: true };
  const listedThroughput = byScale.get(nearest)!.get(gpuType)!;
  return { stepsPerSecond: (listedThroughput * scaleFactor) / nearest, fallback: true };
}

/** Finds `simulation_throughputs.json.gz` in the trace's folder or up to four folders above it. */
function findThroughputFile(tracePath: string): string | undefined {
  let folder = statSync(tracePath).isDirectory() ? resolve(tracePath) : dirname(resolve(tracePath));
  for (let level = 0; level <= 4; level++) {
    const candidate = join(folder, GAVEL_THROUGHPUT_FILE);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(folder);
    if (parent === folder) break;
    folder = parent;
  }
  return undefined;
}

/**
 * Reads a Gavel trace file, or every `*.trace` file of a directory, into a Trace. Each file is
 * one queue, `root.<file name without .trace>` (for the Philly-derived traces, the virtual
 * cluster id). A job of `scale_factor` N becomes N one-GPU tasks, a gang when N > 1.
 */
export async function readGavelTrace(path: string, options: GavelOptions = {}): Promise<Trace> {
  if (!existsSync(path)) {
    throw traceFileNotFound(path, "gavel trace", "Pass a .trace file or a directory of .trace files");
  }
  const files = statSync(path).isDirectory()
    ? readdirSync(path)
        .filter((name) => name.endsWith(".trace"))
        .sort()
        .map((name) => join(path, name))
    : [path];
  if (files.length === 0) {
    throw new InputError("no .trace files in directory", { file: path, item: "gavel trace", fix: "Pass a directory that contains Gavel .trace files" });
  }

  const throughputFile = options.throughputs ?? findThroughputFile(path);
  if (!throughputFile) {
    throw traceFileNotFound(
      join(dirname(resolve(path)), GAVEL_THROUGHPUT_FILE),
      "throughput matrix",
      "Pass the throughput matrix with the throughputs option",
    );
  }
  const table = readGavelThroughputs(throughputFile);
  const gpuTypes = gpuTypesOf(table);
  if (!gpuTypes.includes(GAVEL_REFERENCE_GPU_TYPE)) {
    throw new InputError(`throughput matrix has no ${GAVEL_REFERENCE_GPU_TYPE.toLowerCase()} worker type`, {
      file: throughputFile,
      value: gpuTypes,
      fix: "Use Gavel's throughput matrix, which lists k80, p100 and v100",
    });
  }

  const trace: Trace = { jobs: [], queues: [], skipped: {}, adjusted: {}, notes: [] };
  for (const file of files) {
    const queueName = basename(file).replace(/\.trace$/, "");
    trace.queues.push({ name: `root.${queueName}`, weight: 1 });
    await readGavelFile(file, queueName, table, gpuTypes, trace);
  }

  sortJobs(trace.jobs);
  trace.notes.push(
    `duration is the run time on ${GAVEL_REFERENCE_GPU_TYPE}; durationByGpuType covers ${gpuTypes.join(", ")}, from total_steps / throughput in ${throughputFile}`,
    "gpuTypes lists the GPU types with a non-zero throughput for the job; a 0 in the matrix means the job does not fit on that type",
    "the traces have no users, CPU or memory requests: user is the queue's virtual cluster and cpu and memory are 0",
    "arrival times and GPU counts appear to follow Philly's jobs per virtual cluster, but job types and steps were sampled by Gavel, so run times are Philly-shaped, not Philly's",
  );
  return trace;
}

/** Appends the usable jobs of one trace file to `trace`, counting every row it leaves out. */
async function readGavelFile(
  file: string,
  queueName: string,
  table: ThroughputTable,
  gpuTypes: string[],
  trace: Trace,
): Promise<void> {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (line.trim() === "") continue;

    const fields = line.split("\t");
    let totalSteps: number;
    let arrivalTime: number;
    let scaleFactor: number;
    if (fields.length === 7) {
      totalSteps = Number(fields[4]);
      arrivalTime = Number(fields[5]);
      scaleFactor = Number(fields[6]);
    } else if (fields.length === 10) {
      totalSteps = Number(fields[5]);
      scaleFactor = Number(fields[6]);
      arrivalTime = Number(fields[9]);
    } else {
      countReason(trace.skipped, "wrong number of fields (expected 7 or 10)");
      continue;
    }
    const jobType = fields[0].trim();

    if (!(totalSteps > 0) || !Number.isFinite(totalSteps)) {
      countReason(trace.skipped, "total_steps not a positive number");
      continue;
    }
    if (!(arrivalTime >= 0) || !Number.isFinite(arrivalTime)) {
      countReason(trace.skipped, "arrival_time not a non-negative number");
      continue;
    }
    if (!Number.isInteger(scaleFactor) || scaleFactor < 1) {
      countReason(trace.skipped, "scale_factor not a positive integer");
      continue;
    }
    if (!table.has(jobType)) {
      countReason(trace.skipped, "job type not in throughput matrix");
      continue;
    }

    const durationByGpuType: Record<string, number> = {};
    let usedFallback = false;
    for (const gpuType of gpuTypes) {
      const { stepsPerSecond, fallback } = lookupThroughput(table, jobType, scaleFactor, gpuType);
      usedFallback ||= fallback;
      if (stepsPerSecond > 0) durationByGpuType[gpuType] = totalSteps / stepsPerSecond;
    }
    const duration = durationByGpuType[GAVEL_REFERENCE_GPU_TYPE];
    if (duration === undefined) {
      countReason(trace.skipped, `no throughput on ${GAVEL_REFERENCE_GPU_TYPE}`);
      continue;
    }
    if (usedFallback) countReason(trace.adjusted, THROUGHPUT_FALLBACK);

    const job: TraceJob = {
      name: `${queueName}-${lineNumber}`,
      queue: `root.${queueName}`,
      user: queueName,
      jobType,
      submitTime: arrivalTime,
      taskCount: scaleFactor,
      request: { gpu: 1, cpu: 0, memory: 0 },
      gang: scaleFactor > 1,
      gpuTypes: Object.keys(durationByGpuType),
      duration,
      durationByGpuType,
    };
    trace.jobs.push(job);
  }
}
