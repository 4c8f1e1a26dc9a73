// The `fairsched shares` command: the table, `--config` with a YARN allocation file, errors.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, test } from "vitest";

const REPO = fileURLToPath(new URL("..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "fairsched-shares-cli-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SNAPSHOT = join(dir, "snapshot.yaml");
writeFileSync(
  SNAPSHOT,
  `version: 1
resources: [gpu, cpu, memory]
nodes:
  - name: n
    capacity: { gpu: 8, cpu: 64, memory: 512000 }
    count: 2
queues:
  - name: root.a
  - name: root.b
jobs:
  - name: j1
    queue: root.a
    user: u
    submitTime: 0
    tasks: [{ request: { gpu: 1, cpu: 4, memory: 1000 }, count: 4 }]
`,
);

const ALLOCATION = join(dir, "fair-scheduler.xml");
writeFileSync(
  ALLOCATION,
  `<?xml version="1.0"?>
<allocations>
  <queue name="a"><weight>3</weight></queue>
  <queue name="c"><maxResources>2 vcores, 1000 mb</maxResources></queue>
</allocations>
`,
);

function shares(...args: string[]) {
  return spawnSync(process.execPath, ["--import", "tsx", join(REPO, "src/cli/main.ts"), "shares", ...args], {
    cwd: REPO,
    encoding: "utf8",
  });
}

interface QueueJson {
  name: string;
  weight: number;
  fairShare: Record<string, number>;
  steadyFairShare: Record<string, number>;
  demand: Record<string, number>;
  maxResources: Record<string, number>;
}

describe("shares table", () => {
  const run = shares(SNAPSHOT);
  const lines = run.stdout.split("\n");

  test("exits with status 0", () => {
    expect(run.status).toBe(0);
  });

  test("names the resources", () => {
    expect(lines[0]).toBe("resources: gpu / cpu / memory");
  });

  test("indents children under root", () => {
    expect(lines.some((line) => line.startsWith("  a "))).toBe(true);
  });

  test("shows steady and instantaneous shares", () => {
    const b = lines.find((line) => line.startsWith("  b "))!;
    expect(b).toMatch(/8 \/ 64 \/ 512000\s+0 \/ 0 \/ 0/);
  });
});

describe("shares --config", () => {
  const run = shares(SNAPSHOT, "--config", ALLOCATION, "--json");
  const queues = run.status === 0 ? (JSON.parse(run.stdout) as { queues: QueueJson[] }).queues : [];
  const queue = (name: string) => queues.find((q) => q.name === name);

  test("exits with status 0", () => {
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
  });

  test("replaces a snapshot queue's weight", () => {
    expect(queue("root.a")?.weight).toBe(3);
  });

  test("adds the file's queues", () => {
    expect(queue("root.c")?.maxResources).toEqual({ cpu: 2, memory: 1000 });
  });

  test("keeps the snapshot's other queues", () => {
    expect(queue("root.b")?.steadyFairShare.gpu).toBeCloseTo(16 / 5, 9);
  });

  test("caps a queue at its max", () => {
    expect(queue("root.c")?.steadyFairShare.cpu).toBe(2);
  });
});

describe("shares errors", () => {
  test("missing snapshot exits with status 2", () => {
    const run = shares(join(dir, "missing.yaml"));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("missing.yaml");
  });

  test("missing allocation file exits with status 2", () => {
    const run = shares(SNAPSHOT, "--config", join(dir, "missing.xml"));
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("missing.xml");
  });
});
