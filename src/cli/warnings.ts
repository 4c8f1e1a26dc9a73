/** Prints input warnings (each `FILE:LINE: ...`) on stderr, one a line, prefixed `fairsched: warning:`. */
export function printWarnings(warnings: readonly string[]): void {
  for (const warning of warnings) process.stderr.write(`fairsched: warning: ${warning}\n`);
}
