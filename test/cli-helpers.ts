/**
 * Runs the `fairsched` CLI from source (through tsx) as a child process, for the CLI tests.
 */
import { spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";

export const REPO = fileURLToPath(new URL("..", import.meta.url));
const MAIN = fileURLToPath(new URL("../src/cli/main.ts", import.meta.url));

/** Runs `fairsched ...args` to completion and returns its status and output. */
export function fairsched(...args: string[]): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, ["--import", "tsx", MAIN, ...args], { cwd: REPO, encoding: "utf8" });
}

/**
 * Runs `fairsched ...args` with stdout connected to a pipe whose read side is closed right after spawning,
 * before the child can write, so its first write to stdout fails with EPIPE. Returns the exit status and stderr.
 */
export async function fairschedWithClosedStdout(...args: string[]): Promise<{ status: number | null; stderr: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", MAIN, ...args], { cwd: REPO, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout.destroy();
  let stderr = "";
  child.stderr.setEncoding("utf8");
  child.stderr.on("data", (chunk: string) => {
    stderr += chunk;
  });
  const [status] = (await once(child, "close")) as [number | null];
  return { status, stderr };
}
