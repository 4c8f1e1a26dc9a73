/**
 * Every error fairsched reports to a user. Each names what failed (file, item), the bad value
 * and what to do about it, so a message can be acted on without reading the code.
 *
 * Readers throw `InputError`; the CLI prints `error.message` and exits with status 2.
 */

export interface ErrorContext {
  /** The file (or `<stdin>`, `<snapshot>`) the bad input came from. */
  file?: string;
  /** Line number in that file, 1-based, when the parser reports one. */
  line?: number;
  /** The element at fault: `queue root.a`, `node n1`, `job j1`, `<weight>`. */
  item?: string;
  /** The rejected value as written. */
  value?: unknown;
  /** Correction the user should make. */
  fix?: string;
}

/** Invalid input: the run stops and nothing is half-applied. */
export class InputError extends Error {
  readonly file?: string;
  readonly line?: number;
  readonly item?: string;
  readonly value?: unknown;
  readonly fix?: string;

  constructor(problem: string, context: ErrorContext = {}) {
    super(formatMessage(problem, context));
    this.name = "InputError";
    this.file = context.file;
    this.line = context.line;
    this.item = context.item;
    this.value = context.value;
    this.fix = context.fix;
  }
}

/** Formats `file:line: item: problem (got VALUE). Fix.` leaving out the parts that are unknown. */
export function formatMessage(problem: string, context: ErrorContext): string {
  let where = context.file ?? "";
  if (context.line !== undefined) where += `:${context.line}`;

  let message = where ? `${where}: ` : "";
  if (context.item) message += `${context.item}: `;
  message += problem;
  if (context.value !== undefined) message += ` (got ${JSON.stringify(context.value)})`;
  if (context.fix) message += `. ${context.fix}`;
  return message;
}

/** Wraps an error from a third-party parser so the file name is kept. */
export function parseFailed(file: string, format: string, cause: unknown, line?: number): InputError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new InputError(`invalid ${format}: ${reason}`, {
    file,
    line,
    fix: `Correct the ${format} syntax at that position`,
  });
}

/** Reports a trace, machine list or quota file that does not exist or cannot be read. */
export function traceFileNotFound(file: string, item: string, fix: string): InputError {
  return new InputError("file not found or not readable", { file, item, fix });
}

/** Reports a CSV header that lacks a column the reader needs. */
export function missingColumn(file: string, column: string, header: string[], fix: string): InputError {
  return new InputError(`missing column ${column}`, { file, line: 1, item: "header", value: header.join(","), fix });
}

/** Reports a `KIND:PATH` spec whose kind no reader handles. */
export function unknownSpecKind(spec: string, item: string, known: readonly string[]): InputError {
  return new InputError(`unknown ${item} kind`, {
    item,
    value: spec,
    fix: `Write KIND:PATH with KIND one of ${known.join(", ")}`,
  });
}

/** Reports a bad parameter inside a spec string such as `synthetic:jobs=2000,seed=1`. */
export function invalidSpecParameter(spec: string, parameter: string, value: unknown, fix: string): InputError {
  return new InputError(`invalid parameter ${parameter}`, { item: spec, value, fix });
}

/** Reports a name that appears twice where names must be unique (nodes, queues, jobs). */
export function duplicateName(kind: string, name: string, context: ErrorContext): InputError {
  return new InputError(`duplicate ${kind} name`, {
    ...context,
    item: context.item ?? `${kind} ${name}`,
    value: name,
    fix: `Give each ${kind} a unique name, or remove one of the two`,
  });
}

/** Reports an amount for a resource dimension that the snapshot's `resources` does not declare. */
export function undeclaredDimension(
  dimension: string,
  declared: readonly string[],
  context: ErrorContext,
): InputError {
  return new InputError(`resource dimension "${dimension}" is not declared in resources`, {
    ...context,
    value: dimension,
    fix: `Add ${dimension} to resources (now [${declared.join(", ")}]), or remove the amount`,
  });
}

/** Reports a queue whose `minResources` exceeds its `maxResources` in one dimension. */
export function minAboveMax(
  queue: string,
  dimension: string,
  min: number,
  max: number,
  context: ErrorContext,
): InputError {
  return new InputError(`minResources.${dimension} ${min} is above maxResources.${dimension} ${max}`, {
    ...context,
    item: `queue ${queue}`,
    value: { dimension, min, max },
    fix: `Lower minResources.${dimension} to at most ${max}, or raise maxResources.${dimension}`,
  });
}

/** Reports a job that names a queue the configuration does not define. */
export function queueNotFound(job: string, queue: string, known: readonly string[], context: ErrorContext): InputError {
  const leaves = known.length > 8 ? `${known.slice(0, 8).join(", ")}, ...` : known.join(", ");
  return new InputError(`queue ${queue} not found`, {
    ...context,
    item: `job ${job}`,
    value: queue,
    fix: `Add queue ${queue} to queues, add a queuePlacementPolicy that places the job, or use one of: ${leaves}`,
  });
}

/** Reports an XML element that the reader does not know at that position. */
export function unknownElement(element: string, parent: string, allowed: readonly string[], context: ErrorContext): InputError {
  return new InputError(`unknown element <${element}> inside <${parent}>`, {
    ...context,
    item: context.item ?? `<${element}>`,
    value: element,
    fix: `Remove it or use one of: ${allowed.join(", ")}`,
  });
}

/**
 * Combines several input errors into one, ordered by line, so a user fixes them in one round.
 * The result keeps the first error's fields and lists every message, one a line.
 */
export function combineErrors(errors: readonly InputError[]): InputError {
  const sorted = [...errors].sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
  if (sorted.length === 1) return sorted[0];

  const first = sorted[0];
  const combined = new InputError("", {
    file: first.file,
    line: first.line,
    item: first.item,
    value: first.value,
    fix: first.fix,
  });
  combined.message = `${sorted.length} errors:\n${sorted.map((error) => `  ${error.message}`).join("\n")}`;
  return combined;
}
