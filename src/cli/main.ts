#!/usr/bin/env node
/**
 * The `fairsched` command line. Each subcommand lives in its own file and registers itself
 * here; this file only wires them together and turns errors into exit codes:
 * 0 success, 1 an unexpected failure (a bug: the stack is printed), 2 invalid input.
 */
import { Command } from "commander";
import { InputError } from "../errors.js";
import { registerShares } from "./shares.js";
import { registerSchedule } from "./schedule.js";
import { registerSimulate } from "./simulate.js";
import { registerWhatIf } from "./whatif.js";

export function buildProgram(): Command {
  const program = new Command();
  program
    .name("fairsched")
    .description("Fair-share scheduler core for GPU clusters: shares, scheduling passes, trace replay and what-if studies")
    .showHelpAfterError();
  registerShares(program);
  registerSchedule(program);
  registerSimulate(program);
  registerWhatIf(program);
  return program;
}

async function main(argv: string[]): Promise<void> {
  const program = buildProgram();
  await program.parseAsync(argv);
}

main(process.argv).catch((error: unknown) => {
  if (error instanceof InputError) {
    process.stderr.write(`fairsched: ${error.message}\n`);
    process.exitCode = 2;
    return;
  }
  process.stderr.write(`fairsched: unexpected failure: ${(error as Error)?.stack ?? String(error)}\n`);
  process.exitCode = 1;
});
