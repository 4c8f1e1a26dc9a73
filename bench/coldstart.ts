/**
 * Cold start of the serverless decision function: a fresh Node process imports the compiled
 * library, compiles and instantiates the WebAssembly core, and makes its first `decide()` on a
 * 1,000-node snapshot. Each run is a new child process running the compiled JavaScript in
 * `dist/` (run `npm run build` first), so no module, JIT or file cache of this process helps.
 *
 * Phases, in milliseconds, measured inside the child with `performance.now()` (whose origin is
 * the process start):
 *   boot        process start until the child's first statement (Node itself)
 *   import      `import()` of dist/pass.js (the `fairsched/decide` entry) and its dependencies
 *   compile     `WebAssembly.Module` of the release .wasm (compileCore)
 *   instantiate one instance on a fresh memory
 *   parse       JSON.parse of the snapshot request body
 *   decide      the first decide(snapshot): state load, fair shares, one pass, preemption plan
 *   secondDecide a second decide() on a fresh parse of the same body, once the code is warm
 *
 * Also records the size of the release .wasm, raw and gzip-compressed. Writes
 * `bench/results/coldstart.json`.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { gzipSync } from "node:zlib";

const HERE = fileURLToPath(import.meta.url);
const REPO = resolve(dirname(HERE), "..");
const RESULTS = join(REPO, "bench/results");
const RUNS = 7;
const NODES = 1000;

interface Phases {
  boot: number;
  import: number;
  compile: number;
  instantiate: number;
  parse: number;
  decide: number;
  secondDecide: number;
  placements: number;
}

/** Builds the request body: 1,000 8-GPU nodes, 20 leaf queues, 400 jobs, half of them running. */
export function coldStartSnapshot(nodes = NODES): string {
  const types = ["A100", "H100", "V100"];
  const snapshot = {
    version: 1,
    time: 1000,
    resources: ["gpu", "cpu", "memory"],
    nodes: Array.from({ length: nodes }, (_, n) => ({
      name: `node-${n}`,
      capacity: { gpu: 8, cpu: 96, memory: 1_048_576 },
      gpuType: types[Math.floor(n / 32) % types.length],
      topology: `zone-1/rack-${Math.floor(n / 32)}/nvl-${Math.floor(n / 4)}`,
    })),
    queues: Array.from({ length: 20 }, (_, q) => ({ name: `root.team${q % 4}.q${q}`, weight: 1 + (q % 3) })),
    jobs: Array.from({ length: 400 }, (_, j) => {
      const gpus = [1, 2, 4, 8][j % 4];
      const count = j % 10 === 0 ? 4 : 1 + (j % 3);
      const running = j % 2 === 0;
      return {
        name: `job-${j}`,
        queue: `root.team${j % 4}.q${j % 20}`,
        user: `u${j % 17}`,
        submitTime: j,
        gang: count > 1 && j % 10 === 0,
        tasks: [{ request: { gpu: gpus, cpu: gpus * 8, memory: gpus * 65_536 }, count: running ? 0 : count }],
        allocations: running
          ? [{ node: `node-${(j * 7) % nodes}`, request: { gpu: gpus, cpu: gpus * 8, memory: gpus * 65_536 }, count: 1, startTime: j }]
          : [],
      };
    }),
  };
  return JSON.stringify(snapshot);
}

/**
 * Returns the child's program: plain JavaScript for `node --input-type=module -e`, so that no
 * loader (tsx) sits between Node and the compiled library. The child prints its phases as JSON.
 */
function childSource(body: string): string {
  const dist = pathToFileURL(join(REPO, "dist")).href;
  return `
const boot = performance.now();
let t = performance.now();
const scheduler = await import(${JSON.stringify(`${dist}/pass.js`)});
const wasm = await import(${JSON.stringify(`${dist}/core/wasm.js`)});
const importMs = performance.now() - t;
t = performance.now();
const module = wasm.compileCore("release");
const compile = performance.now() - t;
t = performance.now();
wasm.instantiateCore(wasm.createMemory(65536), module);
const instantiate = performance.now() - t;
const { readFileSync } = await import("node:fs");
const text = readFileSync(${JSON.stringify(body)}, "utf8");
t = performance.now();
const snapshot = JSON.parse(text);
const parse = performance.now() - t;
t = performance.now();
const decision = scheduler.decide(snapshot);
const decide = performance.now() - t;
t = performance.now();
scheduler.decide(JSON.parse(text));
const secondDecide = performance.now() - t;
process.stdout.write(JSON.stringify({ boot, import: importMs, compile, instantiate, parse, decide, secondDecide, placements: decision.placements.length }));
`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

export async function run(): Promise<void> {
  if (!existsSync(join(REPO, "dist/pass.js"))) {
    throw new Error("dist/pass.js not found: run `npm run build` before this benchmark, which measures the compiled library");
  }
  mkdirSync(RESULTS, { recursive: true });
  const body = join(mkdtempSync(join(tmpdir(), "fairsched-coldstart-")), "snapshot.json");
  writeFileSync(body, coldStartSnapshot());

  const source = childSource(body);
  const runs: Phases[] = [];
  for (let i = 0; i < RUNS; i++) {
    const result = spawnSync(process.execPath, ["--input-type=module", "-e", source], { cwd: REPO, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`cold-start child failed: ${result.stderr}`);
    runs.push(JSON.parse(result.stdout) as Phases);
  }

  const keys = ["boot", "import", "compile", "instantiate", "parse", "decide", "secondDecide"] as const;
  const medians = Object.fromEntries(keys.map((k) => [k, median(runs.map((r) => r[k]))])) as Record<(typeof keys)[number], number>;
  const toDecision = median(runs.map((r) => r.import + r.compile + r.instantiate + r.parse + r.decide));
  const wasm = readFileSync(join(REPO, "build/fairsched.wasm"));

  const lines = [
    `cold start, ${NODES}-node snapshot, median of ${RUNS} fresh processes (ms):`,
    ...keys.map((k) => `  ${k.padEnd(12)} ${medians[k].toFixed(2)}`),
    `  import..decide ${toDecision.toFixed(2)} (target < 50)`,
    `  placements   ${runs[0].placements}`,
    `release .wasm: ${wasm.length} bytes, ${gzipSync(wasm).length} gzip`,
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
  writeFileSync(
    join(RESULTS, "coldstart.json"),
    `${JSON.stringify(
      {
        machine: { cpu: cpus()[0]?.model, cores: cpus().length, node: process.version },
        nodes: NODES,
        runs,
        medianMs: { ...medians, importToDecision: toDecision },
        wasmBytes: wasm.length,
        wasmGzipBytes: gzipSync(wasm).length,
        wasmFileBytes: statSync(join(REPO, "build/fairsched.wasm")).size,
      },
      null,
      2,
    )}\n`,
  );
}

