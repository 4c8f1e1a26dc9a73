import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Command } from "commander";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { registerSimulate } from "../src/cli/simulate.js";
import { InputError } from "../src/errors.js";

let output: string;
let dir: string;

beforeEach(() => {
  output = "";
  dir = mkdtempSync(join(tmpdir(), "fairsched-simulate-"));
  vi.spyOn(process.stdout, "write").mockImplementation((chunk: string | Uint8Array) => {
    output += String(chunk);
    return true;
  });
});

afterEach(() => {
  vi.restoreAllMocks();
});

async function simulateCli(...args: string[]): Promise<void> {
  const program = new Command().exitOverride();
  registerSimulate(program);
  await program.parseAsync(["node", "fairsched", "simulate", "--no-progress", ...args]);
}

const SMALL = ["--trace", "synthetic:jobs=80,queues=2,seed=5", "--cluster", "v100:8,k80:8"];

describe("fairsched simulate", () => {
  it("prints the summary table", async () => {
    await simulateCli(...SMALL);
    expect(output).toMatch(/^jobs 80 \(\d+ finished, \d+ unfinished\) on 4 nodes, 16 GPUs/m);
    expect(output).toMatch(/^queue root\.vc1 /m);
    expect(output).toMatch(/^queue root\.vc2 /m);
  });

  it("writes JSON with every job", async () => {
    const file = join(dir, "out.json");
    await simulateCli(...SMALL, "--json", file);
    const report = JSON.parse(readFileSync(file, "utf8"));
    expect(report.jobs).toHaveLength(80);
    expect(report.metrics.jobs.total).toBe(80);
  });

  it("prints JSON without a file", async () => {
    await simulateCli(...SMALL, "--json");
    const report = JSON.parse(output);
    expect(report.metrics.jobs.total).toBe(80);
  });

  it("writes an HTML report", async () => {
    const file = join(dir, "report.html");
    await simulateCli(...SMALL, "--report", file);
    expect(readFileSync(file, "utf8")).toMatch(/^<!doctype html>/);
  });

  it("takes queue weights from a YARN allocation file", async () => {
    const config = join(dir, "fair-scheduler.xml");
    writeFileSync(config, `<?xml version="1.0"?>\n<allocations>\n  <queue name="vc1"><weight>3</weight></queue>\n</allocations>\n`);
    const file = join(dir, "out.json");
    await simulateCli(...SMALL, "--config", config, "--json", file);
    const queues = JSON.parse(readFileSync(file, "utf8")).queues as { name: string; weight?: number }[];
    expect(queues.find((queue) => queue.name === "root.vc1")?.weight).toBe(3);
    expect(queues.find((queue) => queue.name === "root.vc2")?.weight ?? 1).toBe(1);
  });

  it("seed changes the synthetic trace", async () => {
    const first = join(dir, "a.json");
    const second = join(dir, "b.json");
    await simulateCli(...SMALL, "--json", first);
    await simulateCli(...SMALL, "--seed", "6", "--json", second);
    const submitTimes = (file: string) => JSON.parse(readFileSync(file, "utf8")).jobs.map((job: { submitTime: number }) => job.submitTime);
    expect(submitTimes(second)).not.toEqual(submitTimes(first));
  });

  it.each([
    [["--preemption", "maybe"], /invalid --preemption value/],
    [["--policy", "lottery"], /invalid --policy value/],
    [["--max-events", "0"], /invalid --max-events value/],
    [["--seed", "x"], /invalid seed/],
  ])("rejects %j", async (args, message) => {
    const attempt = simulateCli(...SMALL, ...args);
    await expect(attempt).rejects.toBeInstanceOf(InputError);
    await expect(simulateCli(...SMALL, ...args)).rejects.toThrow(message);
  });
});
