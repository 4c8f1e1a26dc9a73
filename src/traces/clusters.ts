/**
 * Cluster readers: machine lists of public GPU traces, and a compact form for the synthetic
 * heterogeneous clusters of the Gavel paper. Every node gets capacity `{gpu, cpu, memory}`
 * (devices, vcores, MiB), a GPU type, and a topology path `rack-NNN/<node>`.
 *
 * None of the machine lists records racks, so racks are synthetic: nodes of the same GPU type
 * and GPU count are grouped in file order into racks of `rackSize` nodes, so a rack never mixes
 * hardware. Where a list lacks host CPU or memory, the per-GPU assumptions below fill them in,
 * and `Cluster.notes` records the values used.
 */
import { existsSync } from "node:fs";
import type { NodeSpec } from "../model/types.js";
import { InputError, invalidSpecParameter, traceFileNotFound, unknownSpecKind } from "../errors.js";
import { columnIndexes, parseNumber, readCsvTable, type CsvTable } from "./csv.js";
import { countReason, type Cluster } from "./types.js";

export interface ClusterOptions {
  /** Nodes per synthetic rack; default 8. */
  rackSize?: number;
  /** Host vcores per GPU where the list has no CPU column; default 10 (a DGX-1 has 80 for 8 GPUs). */
  cpuPerGpu?: number;
  /** Host memory in MiB per GPU where the list has no memory column; default 65536 (a DGX-1 has 512 GiB for 8 GPUs). */
  memoryPerGpu?: number;
  /** GPU type of Philly's machines, whose list gives no model; default `V100`, as Gavel simulated Philly. */
  phillyGpuType?: string;
}

/** Machine-list kinds accepted by `loadCluster`, as `KIND:PATH`. */
export const CLUSTER_KINDS = ["philly", "alibaba2023", "pai2020", "spot2026"] as const;

/** GPUs per node in the compact form when a type has no `/N` suffix. */
export const COMPACT_GPUS_PER_NODE = 4;

const DEFAULTS = { rackSize: 8, cpuPerGpu: 10, memoryPerGpu: 65536, phillyGpuType: "V100" };

/** One machine before racks are assigned; `group` keeps racks homogeneous. */
interface Machine {
  node: NodeSpec;
  group: string;
}

/**
 * Loads a cluster from `KIND:PATH` (`philly:`, `alibaba2023:`, `pai2020:`, `spot2026:`) or from
 * the compact form `v100:300,p100:300,k80:300`, which means that many GPUs of each type.
 * Compact nodes have 4 GPUs, or N GPUs with a `/N` suffix (`v100:320/8`). A remainder makes
 * one smaller node.
 */
export function loadCluster(spec: string, options: ClusterOptions = {}): Cluster {
  const settings = { ...DEFAULTS, ...options };
  if (!(Number.isInteger(settings.rackSize) && settings.rackSize > 0)) {
    throw invalidSpecParameter(spec, "rackSize", settings.rackSize, "Pass a positive whole number of nodes per rack");
  }

  const colon = spec.indexOf(":");
  const kind = colon < 0 ? "" : spec.slice(0, colon);
  const path = spec.slice(colon + 1);
  const cluster: Cluster = { nodes: [], skipped: {}, notes: [] };
  let machines: Machine[];

  if ((CLUSTER_KINDS as readonly string[]).includes(kind)) {
    if (!existsSync(path)) {
      throw traceFileNotFound(path, `${kind} machine list`, `Pass ${kind}:PATH with the path of the machine list CSV`);
    }
    const table = readCsvTable(path, `${kind} machine list`, "Pass a machine list CSV");
    if (kind === "philly") machines = readPhilly(path, table, settings, cluster);
    else if (kind === "alibaba2023") machines = readAlibaba2023(path, table, cluster);
    else if (kind === "pai2020") machines = readPai2020(path, table, cluster);
    else machines = readSpot2026(path, table, settings, cluster);
  } else if (/^[A-Za-z][\w-]*:\d+(\/\d+)?(,[A-Za-z][\w-]*:\d+(\/\d+)?)*$/.test(spec.replace(/\s+/g, ""))) {
    machines = compactMachines(spec.replace(/\s+/g, ""), settings, cluster);
  } else {
    throw unknownSpecKind(spec, "cluster", [...CLUSTER_KINDS, "TYPE:GPUS[/GPUS_PER_NODE],..."]);
  }

  rejectDuplicates(spec, machines);
  cluster.nodes = assignRacks(machines, settings.rackSize);
  cluster.notes.push(`topology is rack-NNN/<node> with synthetic racks of ${settings.rackSize} nodes of one GPU type and size`);
  return cluster;
}

/** Returns a node's capacity, checking that each amount is a finite non-negative number. */
function capacityOf(file: string, line: number, name: string, gpu: number, cpu: number, memory: number): NodeSpec["capacity"] {
  for (const [dimension, amount] of [["gpu", gpu], ["cpu", cpu], ["memory", memory]] as const) {
    if (!(Number.isFinite(amount) && amount >= 0)) {
      throw new InputError(`invalid ${dimension} capacity`, {
        file,
        line,
        item: `node ${name}`,
        value: amount,
        fix: "Write capacities as non-negative numbers",
      });
    }
  }
  return { gpu, cpu, memory };
}

/** Reads Philly's `machineId, number of GPUs, single GPU mem` list (no host CPU or memory). */
function readPhilly(file: string, table: CsvTable, settings: typeof DEFAULTS, cluster: Cluster): Machine[] {
  const column = columnIndexes(file, table.header, ["machineId", "number of GPUs", "single GPU mem"], "Pass Philly's cluster machine list");
  const machines: Machine[] = [];
  for (const { line, fields } of table.rows) {
    const name = fields[column.machineId];
    const gpus = parseNumber(fields[column["number of GPUs"]]);
    const gpuMemory = fields[column["single GPU mem"]];
    if (gpus === 0) {
      countReason(cluster.skipped, "machine without GPUs");
      continue;
    }
    const capacity = capacityOf(file, line, name, gpus, gpus * settings.cpuPerGpu, gpus * settings.memoryPerGpu);
    machines.push({
      node: { name, capacity, gpuType: settings.phillyGpuType, labels: { gpuMemory } },
      group: `${gpus}x${gpuMemory}`,
    });
  }
  cluster.notes.push(
    `the list gives no GPU model: every GPU is ${settings.phillyGpuType}; the per-GPU memory is kept as label gpuMemory`,
    `the list gives no host CPU or memory: assumed ${settings.cpuPerGpu} vcores and ${settings.memoryPerGpu} MiB per GPU`,
  );
  return machines;
}

/** Reads an openb node list: `sn, cpu_milli, memory_mib, gpu, model` (empty model = CPU-only). */
function readAlibaba2023(file: string, table: CsvTable, cluster: Cluster): Machine[] {
  const column = columnIndexes(file, table.header, ["sn", "cpu_milli", "memory_mib", "gpu", "model"], "Pass an openb node list");
  const machines = table.rows.map(({ line, fields }) => {
    const name = fields[column.sn];
    const gpus = parseNumber(fields[column.gpu]);
    const model = fields[column.model];
    const capacity = capacityOf(file, line, name, gpus, parseNumber(fields[column.cpu_milli]) / 1000, parseNumber(fields[column.memory_mib]));
    return { node: { name, capacity, ...(model ? { gpuType: model } : {}) }, group: `${model || "cpu"}x${gpus}` };
  });
  cluster.notes.push("cpu is in vcores (cpu_milli / 1000); nodes with an empty model are CPU-only and have no gpuType");
  return machines;
}

/** Reads PAI 2020's `machine, gpu_type, cap_cpu, cap_mem (GB), cap_gpu`; `CPU` means no GPUs. */
function readPai2020(file: string, table: CsvTable, cluster: Cluster): Machine[] {
  const column = columnIndexes(file, table.header, ["machine", "gpu_type", "cap_cpu", "cap_mem", "cap_gpu"], "Pass PAI's machine spec table");
  const machines = table.rows.map(({ line, fields }) => {
    const name = fields[column.machine];
    const gpuType = fields[column.gpu_type];
    const gpus = parseNumber(fields[column.cap_gpu]);
    const capacity = capacityOf(file, line, name, gpus, parseNumber(fields[column.cap_cpu]), parseNumber(fields[column.cap_mem]) * 1024);
    const node: NodeSpec = { name, capacity, ...(gpuType !== "CPU" && gpus > 0 ? { gpuType } : {}) };
    return { node, group: `${gpuType}x${gpus}` };
  });
  cluster.notes.push("memory is cap_mem GB x 1024 MiB; type MISC groups older GPUs (K40m, K80, M60); type CPU nodes have no gpuType");
  return machines;
}

/** Reads the spot trace's `gpu_model, gpu_capacity_num, cpu_num, node_name` (no host memory). */
function readSpot2026(file: string, table: CsvTable, settings: typeof DEFAULTS, cluster: Cluster): Machine[] {
  const column = columnIndexes(file, table.header, ["gpu_model", "gpu_capacity_num", "cpu_num", "node_name"], "Pass the spot trace's node list");
  const machines = table.rows.map(({ line, fields }) => {
    // Node names in this list are bare integers, so they get a prefix to read as node names.
    const name = `node-${fields[column.node_name]}`;
    const gpuType = fields[column.gpu_model];
    const gpus = parseNumber(fields[column.gpu_capacity_num]);
    const capacity = capacityOf(file, line, name, gpus, parseNumber(fields[column.cpu_num]), gpus * settings.memoryPerGpu);
    return { node: { name, capacity, gpuType }, group: `${gpuType}x${gpus}` };
  });
  cluster.notes.push(`the list gives no host memory: assumed ${settings.memoryPerGpu} MiB per GPU`);
  return machines;
}

/** Builds the nodes of the compact form `TYPE:GPUS[/GPUS_PER_NODE],...`; types are upper-cased. */
function compactMachines(spec: string, settings: typeof DEFAULTS, cluster: Cluster): Machine[] {
  const machines: Machine[] = [];
  for (const part of spec.split(",")) {
    const [type, amounts] = part.split(":");
    const [totalText, perNodeText] = amounts.split("/");
    const gpuType = type.toUpperCase();
    const total = Number(totalText);
    const perNode = perNodeText === undefined ? COMPACT_GPUS_PER_NODE : Number(perNodeText);
    if (perNode < 1) throw invalidSpecParameter(spec, `${type} GPUs per node`, perNodeText, "Write TYPE:GPUS/N with N at least 1");
    if (total < 1) throw invalidSpecParameter(spec, `${type} GPUs`, totalText, "Give each GPU type at least 1 GPU, or leave the type out");
    if (machines.some((machine) => machine.node.gpuType === gpuType)) {
      throw invalidSpecParameter(spec, "GPU type", type, "List each GPU type once");
    }

    const nodeCount = Math.ceil(total / perNode);
    const digits = String(Math.max(nodeCount - 1, 0)).length;
    for (let index = 0; index < nodeCount; index++) {
      const gpus = Math.min(perNode, total - index * perNode);
      machines.push({
        node: {
          name: `${type.toLowerCase()}-${String(index).padStart(digits, "0")}`,
          capacity: { gpu: gpus, cpu: gpus * settings.cpuPerGpu, memory: gpus * settings.memoryPerGpu },
          gpuType,
        },
        group: `${gpuType}x${gpus}`,
      });
    }
  }
  cluster.notes.push(
    `nodes of ${COMPACT_GPUS_PER_NODE} GPUs unless a type gives /N; assumed ${settings.cpuPerGpu} vcores and ${settings.memoryPerGpu} MiB per GPU`,
  );
  return machines;
}

/** Throws on a node name that appears twice, as every reader of the model does. */
function rejectDuplicates(spec: string, machines: Machine[]): void {
  const seen = new Set<string>();
  for (const { node } of machines) {
    if (seen.has(node.name)) {
      throw new InputError("duplicate node", { file: spec, item: `node ${node.name}`, value: node.name, fix: "Give each node a unique name" });
    }
    seen.add(node.name);
  }
}

/**
 * Assigns synthetic racks: machines of one group fill racks of `rackSize` in input order,
 * groups in order of first appearance, racks numbered across groups.
 */
function assignRacks(machines: Machine[], rackSize: number): NodeSpec[] {
  const groups = new Map<string, NodeSpec[]>();
  for (const { node, group } of machines) {
    const members = groups.get(group) ?? [];
    members.push(node);
    groups.set(group, members);
  }

  const rackCount = [...groups.values()].reduce((sum, members) => sum + Math.ceil(members.length / rackSize), 0);
  const digits = Math.max(3, String(rackCount - 1).length);
  let rack = 0;
  for (const members of groups.values()) {
    members.forEach((node, index) => {
      if (index > 0 && index % rackSize === 0) rack += 1;
      node.topology = `rack-${String(rack).padStart(digits, "0")}/${node.name}`;
    });
    rack += 1;
  }
  // Nodes keep the order of the input, not the grouped order.
  return machines.map((machine) => machine.node);
}
