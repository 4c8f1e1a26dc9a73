import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { describe, expect, test } from "vitest";

import { loadSnapshot, parseSnapshot } from "../../src/config/index.js";
import { inputError } from "./helpers.js";

const NODE = `nodes:\n  - name: n\n    capacity: { gpu: 8, cpu: 64, memory: 1024 }\n`;
const JOB = `jobs:\n  - name: j1\n    user: u1\n    submitTime: 0\n    tasks: [{ request: { gpu: 1 }, count: 1 }]\n`;

describe("defaults", () => {
  const snapshot = parseSnapshot(`version: 1\n${NODE}queues:\n  - name: root.a.b\n${JOB}`, "s.yaml");

  test("resources default", () => expect(snapshot.resources).toEqual(["gpu", "cpu", "memory"]));
  test("parents created first", () =>
    expect(snapshot.queues.map((queue) => queue.name)).toEqual(["root", "root.a", "root.a.b", "root.default"]));
  test("weight defaults to 1", () => expect(snapshot.queues.every((queue) => queue.weight === 1)).toBe(true));
  test("job placed in root.default", () => expect(snapshot.jobs[0].queue).toBe("root.default"));
  test("time defaults to 0", () => expect(snapshot.time).toBe(0));
});

test("count expands nodes", () => {
  const snapshot = parseSnapshot(`version: 1\nnodes:\n  - { name: g, count: 3, capacity: { gpu: 8 } }\n`, "s.yaml");
  expect(snapshot.nodes.map((node) => node.name)).toEqual(["g-0", "g-1", "g-2"]);
});

test("preemption settings inherited", () => {
  const snapshot = parseSnapshot(
    `version: 1\nqueues:\n  - { name: root.p, fairSharePreemptionTimeout: 5, allowPreemptionFrom: false }\n  - { name: root.p.c, allowPreemptionFrom: true }\n`,
    "s.yaml",
  );
  const child = snapshot.queues.find((queue) => queue.name === "root.p.c")!;
  expect(child.fairSharePreemptionTimeout).toBe(5);
  expect(child.allowPreemptionFrom).toBe(false);
});

describe("rejected", () => {
  const table: [string, string, string[]][] = [
    ["version 2", "version: 2\n", ["version must be 1", "(got 2)"]],
    ["missing version", "time: 0\n", ["missing version"]],
    ["NaN weight", "version: 1\nqueues:\n  - { name: root.a, weight: .nan }\n", ["queue root.a", "weight", '"NaN"']],
    ["string weight", "version: 1\nqueues:\n  - { name: root.a, weight: heavy }\n", ["queue root.a", '"heavy"']],
    ["negative capacity", "version: 1\nnodes:\n  - { name: n1, capacity: { cpu: -4 } }\n", ["node n1", "capacity.cpu", "-4"]],
    ["duplicate after count", "version: 1\nnodes:\n  - { name: g, count: 2, capacity: {} }\n  - { name: g-1, capacity: {} }\n", ["node g-1", "duplicate"]],
    ["duplicate queue", "version: 1\nqueues:\n  - name: root.a\n  - name: a\n", ["queue root.a", "duplicate"]],
    ["queue name with a space", "version: 1\nqueues:\n  - name: root.infer ence\n", ["root.infer ence", "white space"]],
    ["undeclared capacity", "version: 1\nresources: [gpu]\nnodes:\n  - { name: n1, capacity: { tpu: 4 } }\n", ["node n1", '"tpu"']],
    ["undeclared limit", "version: 1\nresources: [gpu]\nqueues:\n  - { name: root.a, maxResources: { cpu: 4 } }\n", ["queue root.a", '"cpu"']],
    ["min above max", "version: 1\nqueues:\n  - { name: root.a, minResources: { cpu: 9 }, maxResources: { cpu: 4 } }\n", ["queue root.a", "minResources.cpu"]],
    ["unknown key", "version: 1\nqueues:\n  - { name: root.a, wieght: 2 }\n", ["queue root.a", "unknown key wieght"]],
    ["unknown allocation node", `version: 1\n${NODE}jobs:\n  - { name: j1, user: u, submitTime: 0, tasks: [], allocations: [{ node: x, request: {} }] }\n`, ["job j1", "node x"]],
    ["job in parent queue", `version: 1\nqueues:\n  - name: root.a.b\njobs:\n  - { name: j1, queue: root.a, user: u, submitTime: 0, tasks: [] }\n`, ["job j1", "parent queue"]],
    ["malformed YAML", "version: 1\nnodes: [\n", ["invalid YAML"]],
  ];

  test.each(table)("%s", (_name, text, fragments) => {
    const message = inputError(() => parseSnapshot(text, "s.yaml")).message;
    for (const fragment of fragments) expect(message).toContain(fragment);
  });

  test("line of a YAML syntax error", () => {
    expect(inputError(() => parseSnapshot("version: 1\nnodes: [\n  - name: a\n", "s.yaml")).line).toBe(3);
  });

  test("line of bad weight", () => {
    expect(inputError(() => parseSnapshot("version: 1\nqueues:\n  - name: root.a\n    weight: -1\n", "s.yaml")).line).toBe(4);
  });
});

describe("config file", () => {
  const dir = mkdtempSync(join(tmpdir(), "fairsched-config-"));
  writeFileSync(
    join(dir, "fair-scheduler.xml"),
    `<allocations>
  <queue name="research" type="parent"><weight>3</weight><maxChildResources>vcores=4, memory-mb=512</maxChildResources></queue>
  <queue name="ads"><weight>2</weight></queue>
  <queueMaxAppsDefault>9</queueMaxAppsDefault>
  <queuePlacementPolicy>
    <rule name="specified" create="false"/>
    <rule name="nestedUserQueue"><rule name="default" queue="research"/></rule>
  </queuePlacementPolicy>
</allocations>`,
  );
  writeFileSync(
    join(dir, "snapshot.yaml"),
    `version: 1\nconfig: fair-scheduler.xml\nqueues:\n  - { name: root.ads, weight: 5 }\n${JOB}`,
  );
  const snapshot = loadSnapshot(join(dir, "snapshot.yaml"));
  const queue = (name: string) => snapshot.queues.find((spec) => spec.name === name);

  test("snapshot overrides weight", () => expect(queue("root.ads")?.weight).toBe(5));
  test("file weight kept", () => expect(queue("root.research")?.weight).toBe(3));
  test("queueMaxAppsDefault applied", () => expect(queue("root.ads")?.maxRunningApps).toBe(9));
  test("nested user queue created", () => expect(snapshot.jobs[0].queue).toBe("root.research.u1"));
  test("maxChildResources applied", () => expect(queue("root.research.u1")?.maxResources).toEqual({ cpu: 4, memory: 512 }));
  test("policy passes unknown queue", () => {
    writeFileSync(join(dir, "unknown.yaml"), `version: 1\nconfig: fair-scheduler.xml\n${JOB.replace("user: u1", "user: u2\n    queue: root.nowhere")}`);
    expect(loadSnapshot(join(dir, "unknown.yaml")).jobs[0].queue).toBe("root.research.u2");
  });
  test("missing config named", () => {
    writeFileSync(join(dir, "missing.yaml"), "version: 1\nconfig: nope.xml\n");
    expect(inputError(() => loadSnapshot(join(dir, "missing.yaml"))).message).toContain("nope.xml");
  });
});
