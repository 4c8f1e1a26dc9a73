#!/usr/bin/env node
/**
 * The `fairsched` command line. Each subcommand lives in its own file and registers itself
 * here; this file only wires them together and turns errors into exit codes:
 * 0 success (also `--help`, `--version`, and a reader that closed stdout early),
 * 1 an unexpected failure (a bug: the stack is printed), 2 invalid input or usage.
 * `whatif` also exits 1 when a scenario fails or times out, and 130 after Ctrl-C.
 */
import { readFileSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { InputError } from "../errors.js";
import { registerShares } from "./shares.js";
import { registerSchedule } from "./schedule.js";
import { registerSimulate } from "./simulate.js";
import { registerWhatIf } from "./whatif.js";

/** Exit status for invalid input and usage errors, as most Unix tools use for bad usage. */
const EXIT_USAGE = 2;

/** Returns the version in the package's package.json, read at run time from `src/` and `dist/` alike. */
function packageVersion(): string {
  const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
  return (JSON.parse(text) as { version: string }).version;
}

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("fairsched")
    .description("Fair-share scheduler core for GPU clusters: shares, scheduling passes, trace replay and what-if studies")
    .version(packageVersion(), "-V, --version", "print the version and exit")
    .exitOverride()
    .configureOutput({ outputError: (text, write) => write(`fairsched: ${text.replace(/^error: /, "")}`) })
    .showHelpAfterError("Run fairsched --help for usage");
  registerShares(program);
  registerSchedule(program);
  registerSimulate(program);
  registerWhatIf(program);
  for (const command of program.commands) command.showHelpAfterError(`Run fairsched ${command.name()} --help for usage`);
  return program;
}

/**
 * Ends the process quietly with status 0 when the reader of stdout goes away (`fairsched ... |
 * head`), as `git log | head` does. Node ignores SIGPIPE, so the closed pipe shows up as an
 * EPIPE error on stdout; nothing written after it can reach anyone.
 */
function exitOnClosedStdout(): void {
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code === "EPIPE") process.exit(0);
    throw error;
  });
}

async function main(argv: string[]): Promise<void> {
  exitOnClosedStdout();
  const program = buildProgram();
  await program.parseAsync(argv);
}

main(process.argv).catch((error: unknown) => {
  // Commander has already printed its message (and the hint) for usage errors.
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? 0 : EXIT_USAGE;
    return;
  }
  if (error instanceof InputError) {
    process.stderr.write(`fairsched: ${error.message}\n`);
    process.exitCode = EXIT_USAGE;
    return;
  }
  process.stderr.write(`fairsched: unexpected failure: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
});
