import { join } from "node:path";

import { describe, expect, test } from "vitest";

import { parseAllocationFile, parseYarnResources } from "../../src/config/index.js";
import { inputError, SHARED, sharedText } from "./helpers.js";

const CONFIGS = join(SHARED, "configs");

describe("shared YARN configs", () => {
  test("docs example queues", (context) => {
    const text = sharedText(join(CONFIGS, "yarn-fair-scheduler-docs.xml"));
    if (text === undefined) return context.skip();
    const file = parseAllocationFile(text, "docs.xml");
    expect(file.queues.map((queue) => queue.name)).toEqual([
      "root.sample_queue",
      "root.sample_queue.sample_sub_queue",
      "root.sample_queue.sample_reservable_queue",
      "root.secondary_group_queue",
    ]);
    expect(file.queues[0].minResources).toEqual({ memory: 10000, cpu: 0 });
    expect(file.queues[1].aclSubmitApps).toBe("charlie");
    expect(file.queues[2].reservation).toBe(true);
    expect(file.queues[3].maxChildResources).toEqual({ memory: 4096, cpu: 4 });
    expect(file.users.sample_user.maxRunningApps).toBe(30);
    expect(file.userMaxAppsDefault).toBe(5);
    expect(file.queueDefaults.maxAMShare).toBe(0.5);
    expect(file.placementPolicy?.[2]).toEqual({
      name: "nestedUserQueue",
      parent: { name: "secondaryGroupExistingQueue", create: false },
    });
  });

  test("devwatt weights and policy", (context) => {
    const text = sharedText(join(CONFIGS, "yarn-fair-scheduler-devwatt-cluster.xml"));
    if (text === undefined) return context.skip();
    const file = parseAllocationFile(text, "devwatt.xml");
    expect(file.queues.map((queue) => queue.weight)).toEqual([20, 80]);
    expect(file.queueDefaults.schedulingPolicy).toBe("fair");
    expect(file.placementPolicy).toEqual([{ name: "specified" }, { name: "default" }]);
  });

  test("pseudo-dist strict rejects defaultSchedulingMode", (context) => {
    const text = sharedText(join(CONFIGS, "yarn-fair-scheduler-hadoop2-pseudo-dist.xml"));
    if (text === undefined) return context.skip();
    const error = inputError(() => parseAllocationFile(text, "pseudo.xml", { unknownElements: "reject" }));
    expect(error.line).toBe(3);
    expect(error.message).toContain("defaultSchedulingMode");
  });

  test("pseudo-dist warns by default", (context) => {
    const text = sharedText(join(CONFIGS, "yarn-fair-scheduler-hadoop2-pseudo-dist.xml"));
    if (text === undefined) return context.skip();
    const file = parseAllocationFile(text, "pseudo.xml");
    expect(file.warnings).toEqual(["pseudo.xml:3: unknown element <defaultSchedulingMode> inside <allocations> is ignored, as YARN ignores it"]);
  });

  test("pseudo-dist loads with warn", (context) => {
    const text = sharedText(join(CONFIGS, "yarn-fair-scheduler-hadoop2-pseudo-dist.xml"));
    if (text === undefined) return context.skip();
    const file = parseAllocationFile(text, "pseudo.xml", { unknownElements: "warn" });
    expect(file.warnings).toHaveLength(1);
    expect(file.queues.find((queue) => queue.name === "root.fifo.one")?.schedulingPolicy).toBe("fifo");
    expect(file.queues.find((queue) => queue.name === "root.limited")?.maxResources).toEqual({ memory: 4096, cpu: 4 });
  });
});

describe("malformed allocation file", () => {
  const path = join(SHARED, "cases", "invalid", "malformed-allocation.xml");

  test("reports weight and unclosed element", (context) => {
    const text = sharedText(path);
    if (text === undefined) return context.skip();
    const error = inputError(() => parseAllocationFile(text, path));
    expect(error.message).toContain(`${path}:8: queue root.search`);
    expect(error.message).toContain('<weight>: a number ≥ 0 (got "abc")');
    expect(error.message).toContain(`${path}:10: <allocations>`);
    expect(error.line).toBe(8);
  });
});

describe("entities", () => {
  const billionLaughs = `<?xml version="1.0"?>
<!DOCTYPE lolz [
  <!ENTITY lol "lol">
  <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
]>
<allocations><queue name="a"><aclSubmitApps>&lol2;</aclSubmitApps></queue></allocations>`;
  const external = `<?xml version="1.0"?>
<!DOCTYPE allocations [ <!ENTITY secret SYSTEM "file:///etc/passwd"> ]>
<allocations><queue name="a"><aclSubmitApps>&secret;</aclSubmitApps></queue></allocations>`;

  test("billion laughs rejected", () => {
    const error = inputError(() => parseAllocationFile(billionLaughs, "bomb.xml"));
    expect(error.line).toBe(3);
    expect(error.message).toContain("is not expanded");
  });

  test("external entity not resolved", () => {
    const error = inputError(() => parseAllocationFile(external, "xxe.xml"));
    expect(error.message).toContain('external entity "secret" is not resolved');
  });

  test("predefined entities decoded", () => {
    const xml = `<allocations><queue name="a"><aclSubmitApps>a&amp;b</aclSubmitApps></queue></allocations>`;
    expect(parseAllocationFile(xml, "x.xml").queues[0].aclSubmitApps).toBe("a&b");
  });
});

describe("resource strings", () => {
  const gcm = ["gpu", "cpu", "memory"];
  const table: [string, readonly string[], object][] = [
    ["10000 mb, 4 vcores", gcm, { amounts: { memory: 10000, cpu: 4 } }],
    ["1024mb,1vcores", gcm, { amounts: { memory: 1024, cpu: 1 } }],
    ["1024 mb, 2 vcores, 1 gpus", gcm, { amounts: { memory: 1024, cpu: 2, gpu: 1 } }],
    ["1024 mb, 2 vcores", ["memory", "vcores"], { amounts: { memory: 1024, vcores: 2 } }],
    ["vcores=2, memory-mb=4096, yarn.io/gpu=1", gcm, { amounts: { cpu: 2, memory: 4096, gpu: 1 } }],
    ["vcores=50%, memory-mb=25%", gcm, { percent: { cpu: 50, memory: 25 } }],
    ["50.0%", gcm, { percent: { gpu: 50, cpu: 50, memory: 50 } }],
    ["20% cpu, 50% memory", gcm, { percent: { cpu: 20, memory: 50 } }],
    ["cpu-percent 20%, memory-percent 50%", gcm, { percent: { cpu: 20, memory: 50 } }],
  ];

  test.each(table)("%s", (text, resources, expected) => {
    expect(parseYarnResources(text, resources, {})).toEqual(expected);
  });

  const bad: [string, string][] = [
    ["1024 mb", "missing vcores"],
    ["lots", "invalid resource entry"],
    ["vcores=2, memory-mb=10%", "mixes amounts and percentages"],
    ["vcores=-1, memory-mb=1", "invalid resource entry"],
    ["yarn.io/fpga=1, vcores=1", 'dimension "yarn.io/fpga" is not declared'],
  ];

  test.each(bad)("%s rejected", (text, fragment) => {
    expect(inputError(() => parseYarnResources(text, gcm, {})).message).toContain(fragment);
  });
});

describe("elements", () => {
  const wrap = (body: string): string => `<?xml version="1.0"?>\n<allocations>\n${body}\n</allocations>`;

  test("every queue element", () => {
    const file = parseAllocationFile(
      wrap(`<queue name="a">
  <minResources>vcores=1, memory-mb=1024</minResources>
  <maxResources>vcores=8, memory-mb=8192</maxResources>
  <maxContainerAllocation>vcores=2, memory-mb=2048</maxContainerAllocation>
  <maxRunningApps>7</maxRunningApps>
  <maxAMShare>0.3</maxAMShare>
  <weight>2.5</weight>
  <schedulingPolicy>DRF</schedulingPolicy>
  <aclSubmitApps> admins</aclSubmitApps>
  <aclAdministerApps>alice</aclAdministerApps>
  <aclAdministerReservations>bob</aclAdministerReservations>
  <aclListReservations>carol</aclListReservations>
  <aclSubmitReservations>dave</aclSubmitReservations>
  <minSharePreemptionTimeout>30</minSharePreemptionTimeout>
  <fairSharePreemptionTimeout>60</fairSharePreemptionTimeout>
  <fairSharePreemptionThreshold>0.4</fairSharePreemptionThreshold>
  <allowPreemptionFrom>false</allowPreemptionFrom>
  <reservation/>
</queue>`),
      "all.xml",
    );
    expect(file.queues[0]).toEqual({
      name: "root.a",
      minResources: { cpu: 1, memory: 1024 },
      maxResources: { cpu: 8, memory: 8192 },
      maxContainerAllocation: { cpu: 2, memory: 2048 },
      maxRunningApps: 7,
      maxAMShare: 0.3,
      weight: 2.5,
      schedulingPolicy: "drf",
      aclSubmitApps: " admins",
      aclAdministerApps: "alice",
      aclAdministerReservations: "bob",
      aclListReservations: "carol",
      aclSubmitReservations: "dave",
      minSharePreemptionTimeout: 30,
      fairSharePreemptionTimeout: 60,
      fairSharePreemptionThreshold: 0.4,
      allowPreemptionFrom: false,
      reservation: true,
    });
  });

  test("top-level defaults", () => {
    const file = parseAllocationFile(
      wrap(`<queueMaxAppsDefault>4</queueMaxAppsDefault>
<queueMaxResourcesDefault>50%</queueMaxResourcesDefault>
<defaultMinSharePreemptionTimeout>10</defaultMinSharePreemptionTimeout>
<defaultFairSharePreemptionTimeout>20</defaultFairSharePreemptionTimeout>
<defaultFairSharePreemptionThreshold>0.7</defaultFairSharePreemptionThreshold>
<reservation-agent>Agent</reservation-agent>
<reservation-policy>Policy</reservation-policy>
<reservation-planner>Planner</reservation-planner>`),
      "defaults.xml",
    );
    expect(file.queueDefaults).toEqual({
      maxRunningApps: 4,
      maxResourcesPercent: { gpu: 50, cpu: 50, memory: 50 },
      minSharePreemptionTimeout: 10,
      fairSharePreemptionTimeout: 20,
      fairSharePreemptionThreshold: 0.7,
    });
    expect(file.reservation).toEqual({ agent: "Agent", policy: "Policy", planner: "Planner" });
  });

  const bad: [string, string, string][] = [
    ["unknown element", `<queue name="a"><wieght>2</wieght></queue>`, "unknown element <wieght> inside <queue>"],
    ["negative weight", `<queue name="a"><weight>-1</weight></queue>`, '(got "-1")'],
    ["period in name", `<queue name="a.b"/>`, "queue name contains a period"],
    ["duplicate queue", `<queue name="a"/><queue name="a"/>`, "duplicate queue name"],
    ["min above max", `<queue name="a"><minResources>2048 mb, 1 vcores</minResources><maxResources>1024 mb, 1 vcores</maxResources></queue>`, "minResources.memory 2048 is above maxResources.memory 1024"],
    ["unknown rule", `<queuePlacementPolicy><rule name="group"/></queuePlacementPolicy>`, 'unknown placement rule (got "group")'],
    ["bad policy", `<queue name="a"><schedulingPolicy>lottery</schedulingPolicy></queue>`, "fair, fifo or drf"],
    ["reservation on parent", `<queue name="a"><reservation/><queue name="b"/></queue>`, "<reservation> is set on a parent queue"],
  ];

  test.each(bad)("%s rejected", (_name, body, fragment) => {
    expect(inputError(() => parseAllocationFile(wrap(body), "bad.xml")).message).toContain(fragment);
  });

  test("error names the line", () => {
    expect(inputError(() => parseAllocationFile(wrap(`<queue name="a">\n<weight>x</weight></queue>`), "bad.xml")).line).toBe(4);
  });
});
