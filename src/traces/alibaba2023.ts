/**
 * Reader for the pod lists of Alibaba's GPU-sharing trace 2023 ("openb", Weng et al.,
 * USENIX ATC'23). Each CSV row is one pod, and one pod becomes one job of one task. Columns:
 * - `name`, `cpu_milli` (millicores), `memory_mib`, `num_gpu`;
 * - `gpu_milli`: thousandths of one GPU for a pod that shares a GPU, 1000 for whole GPUs;
 * - `gpu_spec`: acceptable GPU types joined by `|`, empty for any;
 * - `qos`, `pod_phase`;
 * - `creation_time`, `scheduled_time`, `deletion_time`: seconds from the trace start.
 */
import { InputError } from "../errors.js";
import { columnIndexes, parseNumber, requireReadableFile, streamCsvRows } from "./csv.js";
import { countReason, sortJobs, type Trace } from "./types.js";

const REQUIRED_COLUMNS = [
  "name",
  "cpu_milli",
  "memory_mib",
  "num_gpu",
  "gpu_milli",
  "qos",
  "creation_time",
  "scheduled_time",
  "deletion_time",
] as const;

/** Reason counted in `Trace.adjusted` for pods that share a GPU (`gpu_milli` < 1000). */
export const FRACTIONAL_GPU_ROUNDED = "fractional GPU (gpu_milli < 1000) rounded up to 1 GPU";

/** Reason counted in `Trace.adjusted` for pods still running when the trace ends. */
export const RUNNING_AT_TRACE_END = "pod still running at trace end: duration is a lower bound";

/**
 * Reads an openb pod list into a Trace with one queue per QoS class (`root.LS`, `root.BE`,
 * `root.Burstable`, `root.Guaranteed`). Submit time is `creation_time`; duration is
 * `deletion_time - scheduled_time`, so pods never scheduled are skipped. CPU becomes vcores
 * (`cpu_milli / 1000`). Streams the file row by row.
 */
export async function readAlibaba2023Pods(file: string): Promise<Trace> {
  requireReadableFile(file, "alibaba2023 pod list", "Pass an openb pod list CSV");

  const trace: Trace = { jobs: [], queues: [], skipped: {}, adjusted: {}, notes: [] };
  const queueNames = new Set<string>();
  let column: Record<(typeof REQUIRED_COLUMNS)[number], number> | undefined;
  let specColumn = -1;
  let phaseColumn = -1;
  let cpuOnlyPods = 0;

  for await (const { fields } of streamCsvRows(file)) {
    if (!column) {
      column = columnIndexes(
        file,
        fields,
        REQUIRED_COLUMNS,
        "Use a pod list that has creation, scheduling and deletion times (the multigpu variants have none)",
      );
      specColumn = fields.indexOf("gpu_spec");
      phaseColumn = fields.indexOf("pod_phase");
      continue;
    }

    const name = fields[column.name];
    const cpuMilli = parseNumber(fields[column.cpu_milli]);
    const memoryMib = parseNumber(fields[column.memory_mib]);
    const gpuCount = parseNumber(fields[column.num_gpu]);
    const gpuMilli = parseNumber(fields[column.gpu_milli]);
    const qos = fields[column.qos];
    const creationTime = parseNumber(fields[column.creation_time]);
    const scheduledTime = parseNumber(fields[column.scheduled_time]);
    const deletionTime = parseNumber(fields[column.deletion_time]);

    if (!name) {
      countReason(trace.skipped, "missing name");
      continue;
    }
    if (!(cpuMilli >= 0) || !(memoryMib >= 0) || !Number.isInteger(gpuCount) || gpuCount < 0) {
      countReason(trace.skipped, "invalid cpu_milli, memory_mib or num_gpu");
      continue;
    }
    if (gpuCount > 0 && !(gpuMilli > 0 && gpuMilli <= 1000)) {
      countReason(trace.skipped, "invalid gpu_milli for a GPU pod");
      continue;
    }
    if (!qos) {
      countReason(trace.skipped, "missing qos");
      continue;
    }
    if (!(creationTime >= 0)) {
      countReason(trace.skipped, "missing or invalid creation_time");
      continue;
    }
    if (Number.isNaN(deletionTime)) {
      countReason(trace.skipped, "no deletion_time");
      continue;
    }
    if (Number.isNaN(scheduledTime)) {
      countReason(trace.skipped, "never scheduled (no scheduled_time)");
      continue;
    }
    const duration = deletionTime - scheduledTime;
    if (!(duration > 0)) {
      countReason(trace.skipped, "deletion_time not after scheduled_time");
      continue;
    }

    const fractional = gpuCount > 0 && gpuMilli < 1000;
    if (fractional) countReason(trace.adjusted, FRACTIONAL_GPU_ROUNDED);
    if (phaseColumn >= 0 && fields[phaseColumn] === "Running") countReason(trace.adjusted, RUNNING_AT_TRACE_END);
    if (gpuCount === 0) cpuOnlyPods += 1;

    const gpuSpec = specColumn >= 0 ? fields[specColumn] : "";
    const queue = `root.${qos}`;
    queueNames.add(queue);
    trace.jobs.push({
      name,
      queue,
      user: qos,
      submitTime: creationTime,
      taskCount: 1,
      request: { gpu: gpuCount, cpu: cpuMilli / 1000, memory: memoryMib },
      gang: false,
      ...(gpuSpec ? { gpuTypes: gpuSpec.split("|").map((type) => type.trim()).filter(Boolean) } : {}),
      duration,
      ...(fractional ? { fractionalGpu: true } : {}),
    });
  }

  if (!column) {
    throw new InputError("empty CSV file: no header row", { file, item: "alibaba2023 pod list", fix: "Pass an openb pod list CSV with its header" });
  }

  sortJobs(trace.jobs);
  trace.queues = [...queueNames].sort().map((name) => ({ name, weight: 1 }));
  trace.notes.push(
    "the trace has no users or tenants: there is one queue per QoS class, and user is the QoS class",
    "submitTime is creation_time and duration is deletion_time - scheduled_time; the wait between creation and scheduling came from Alibaba's scheduler and is not replayed",
    `cpu is in vcores (cpu_milli / 1000); ${cpuOnlyPods} pods request no GPU`,
  );
  return trace;
}
