/**
 * Lists the shared cases of one kind and runs the CLI on them as the acceptance script does:
 * each case's snapshot alone in a JSON file, one `fairsched <command> FILE --json` process per
 * case, started on first use.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll } from "vitest";

import { sharedFileAvailable, sharedPath } from "./shared-data.js";

const REPO = fileURLToPath(new URL("..", import.meta.url));

/** The YAML cases of one folder under `cases/` in the shared folder. */
export interface SharedCases {
  /** Absolute path of the folder. */
  dir: string;
  /** False when the folder is missing outside CI, so the caller skips its tests. */
  present: boolean;
  /** File names of the cases in sorted order, or none when the folder is missing. */
  files: string[];
}

/**
 * Lists the cases in `cases/<kind>` of the shared folder. Under CI=true a missing folder
 * throws (through `sharedFileAvailable`), so the test file fails instead of skipping.
 */
export function sharedCases(kind: string): SharedCases {
  const dir = sharedPath(`cases/${kind}`);
  const present = sharedFileAvailable(dir);
  const files = present ? readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort() : [];
  return { dir, present, files };
}

/** Returns the text of case `file` in `cases`. */
export function caseText(cases: SharedCases, file: string): string {
  return readFileSync(join(cases.dir, file), "utf8");
}

/**
 * Creates a scratch folder, removed after the enclosing `describe`, and returns a function that
 * gives each case a lazy CLI run. Call it inside a `describe` block.
 *
 * @param command the CLI subcommand, for example `schedule` or `shares`
 * @param prefix the scratch folder's name prefix, for example `fairsched-shares-`
 */
export function cliRunner(command: string, prefix: string): (file: string, snapshot: unknown) => () => SpawnSyncReturns<string> {
  const scratch = mkdtempSync(join(tmpdir(), prefix));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  return (file, snapshot) => {
    let run: SpawnSyncReturns<string> | undefined;
    return () => {
      if (run) return run;
      const path = join(scratch, file.replace(/\.yaml$/, ".json"));
      writeFileSync(path, JSON.stringify(snapshot));
      run = spawnSync(process.execPath, ["--import", "tsx", join(REPO, "src/cli/main.ts"), command, path, "--json"], {
        cwd: REPO,
        encoding: "utf8",
      });
      return run;
    };
  };
}
