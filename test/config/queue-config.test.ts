import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

import { afterAll, describe, expect, test } from "vitest";

import { detectConfigFormat, parseQueueConfig, parseSnapshot } from "../../src/config/index.js";
import { sharedFileAvailable } from "../shared-data.js";
import { inputError, SHARED } from "./helpers.js";

const REPO = fileURLToPath(new URL("../..", import.meta.url));
const CONFIGS = join(SHARED, "configs");

describe("detectConfigFormat", () => {
  test.each([
    ["spark pool with minShare", `<allocations><pool name="p"><minShare>2</minShare></pool></allocations>`, "spark"],
    ["spark pool with mode and weight", `<allocations><pool name="p"><schedulingMode>FAIR</schedulingMode><weight>2</weight></pool></allocations>`, "spark"],
    ["empty spark pool", `<allocations><pool name="p"></pool></allocations>`, "spark"],
    ["yarn queue", `<allocations><queue name="q"><weight>2</weight></queue></allocations>`, "yarn"],
    ["yarn pool alias", `<allocations><pool name="q"><minResources>1 vcores</minResources></pool></allocations>`, "yarn"],
    ["yarn nested pool", `<allocations><pool name="q"><pool name="r"/></pool></allocations>`, "yarn"],
    ["yarn top-level element", `<allocations><pool name="q"/><userMaxAppsDefault>3</userMaxAppsDefault></allocations>`, "yarn"],
    ["empty allocations", `<allocations/>`, "yarn"],
    ["other root", `<pools><pool name="p"/></pools>`, "yarn"],
  ])("%s", (_name, xml, format) => {
    expect(detectConfigFormat(xml, "f.xml")).toBe(format);
  });

  test("mixed formats rejected", () => {
    const xml = `<allocations>\n<pool name="p">\n<minShare>2</minShare>\n</pool>\n<queue name="q">\n<maxRunningApps>3</maxRunningApps>\n</queue>\n</allocations>`;
    const error = inputError(() => detectConfigFormat(xml, "mixed.xml"));
    expect(error.message).toContain("mixes Spark and YARN elements");
    expect(error.item).toBe("<queue> at line 5 and <minShare> at line 3");
    expect(error.line).toBe(5);
  });
});

describe("parseQueueConfig", () => {
  test("spark pools as queues", () => {
    const config = parseQueueConfig(`<allocations><pool name="p"><minShare>2</minShare></pool></allocations>`, "p.xml");
    expect(config.format).toBe("spark");
    expect(config.queues).toEqual([{ name: "root" }, { name: "root.p", weight: 1, schedulingPolicy: "fifo", minResources: { cpu: 2 } }]);
  });

  test("format option skips detection", () => {
    const xml = `<allocations><pool name="p"><schedulingMode>fair</schedulingMode></pool></allocations>`;
    const config = parseQueueConfig(xml, "p.xml", { format: "yarn" });
    expect(config.format).toBe("yarn");
    expect(config.queues).toEqual([{ name: "root.p", schedulingPolicy: "fair" }]);
  });

  test("top-level unknown element warns", () => {
    const xml = `<allocations>\n<defaultSchedulingMode>fair</defaultSchedulingMode>\n<queue name="q"/>\n</allocations>`;
    const config = parseQueueConfig(xml, "w.xml");
    expect(config.warnings).toEqual(["w.xml:2: unknown element <defaultSchedulingMode> inside <allocations> is ignored, as YARN ignores it"]);
    expect(config.queues).toEqual([{ name: "root.q" }]);
  });

  test("unknown queue element rejected", () => {
    const xml = `<allocations>\n<queue name="q">\n<wieght>2</wieght>\n</queue>\n</allocations>`;
    const error = inputError(() => parseQueueConfig(xml, "w.xml"));
    expect(error.message).toContain("unknown element <wieght> inside <queue>");
    expect(error.line).toBe(3);
  });
});

describe("snapshot config", () => {
  const scratch = mkdtempSync(join(tmpdir(), "fairsched-config-"));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const snapshot = (configFormat?: string) =>
    `version: 1\nconfig: pools.xml\n${configFormat ? `configFormat: ${configFormat}\n` : ""}nodes: []\njobs: []\n`;
  writeFileSync(join(scratch, "pools.xml"), `<allocations>\n<pool name="p"><weight>2</weight></pool>\n</allocations>`);
  const queueP = (configFormat?: string) => parseSnapshot(snapshot(configFormat), "s.yaml", scratch).queues.find((q) => q.name === "root.p");

  // Spark sets a pool's scheduling mode to FIFO when it is missing. YARN leaves the policy unset, so fair applies.
  test("spark detected without configFormat", () => {
    expect(queueP()?.schedulingPolicy).toBe("fifo");
  });

  test("configFormat yarn honoured", () => {
    expect(queueP("yarn")?.schedulingPolicy).toBeUndefined();
  });

  test("config warnings collected", () => {
    writeFileSync(join(scratch, "queues.xml"), `<allocations>\n<queue name="q"/>\n<bogus/>\n</allocations>`);
    const warnings: string[] = [];
    parseSnapshot("version: 1\nconfig: queues.xml\n", "s.yaml", scratch, { warnings });
    expect(warnings).toEqual([`${join(scratch, "queues.xml")}:3: unknown element <bogus> inside <allocations> is ignored, as YARN ignores it`]);
  });
});

describe("shares --config with shared files", () => {
  const files = [
    "spark-fairscheduler-core-test.xml",
    "spark-fairscheduler-template.xml",
    "yarn-fair-scheduler-devwatt-cluster.xml",
    "yarn-fair-scheduler-docs.xml",
    "yarn-fair-scheduler-hadoop2-pseudo-dist.xml",
  ];
  const expectedQueue: Record<string, string> = {
    "spark-fairscheduler-core-test.xml": "root.3",
    "spark-fairscheduler-template.xml": "root.production",
    "yarn-fair-scheduler-devwatt-cluster.xml": "root.hive",
    "yarn-fair-scheduler-docs.xml": "root.sample_queue.sample_sub_queue",
    "yarn-fair-scheduler-hadoop2-pseudo-dist.xml": "root.fifo.two",
  };

  const run = (file: string) =>
    spawnSync(process.execPath, ["--import", "tsx", "src/cli/main.ts", "shares", "examples/gpu-cluster.yaml", "--config", join(CONFIGS, file), "--json"], {
      cwd: REPO,
      encoding: "utf8",
    });

  test.each(files)("%s", (file) => {
    if (!sharedFileAvailable(join(CONFIGS, file))) return;
    const result = run(file);
    expect(result.stderr).not.toContain("error");
    expect(result.status).toBe(0);
    const names = (JSON.parse(result.stdout) as { queues: { name: string }[] }).queues.map((q) => q.name);
    expect(names).toContain(expectedQueue[file]);
  });

  test("pseudo-dist warning on stderr", (context) => {
    const file = "yarn-fair-scheduler-hadoop2-pseudo-dist.xml";
    if (!sharedFileAvailable(join(CONFIGS, file))) return context.skip();
    expect(run(file).stderr).toBe(
      `fairsched: warning: ${join(CONFIGS, file)}:3: unknown element <defaultSchedulingMode> inside <allocations> is ignored, as YARN ignores it\n`,
    );
  });
});
