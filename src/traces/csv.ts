/**
 * CSV access shared by the trace, machine-list and quota readers. It offers a whole-file reader
 * for small lists and a streaming reader for large ones, both decompressing names ending in
 * `.gz`. Header lookups fail with the file and the missing column.
 */
import { accessSync, constants, createReadStream, readFileSync, statSync } from "node:fs";
import { createGunzip, gunzipSync } from "node:zlib";
import { parse as parseStream } from "csv-parse";
import { parse as parseSync } from "csv-parse/sync";
import { InputError, missingColumn, parseFailed, traceFileNotFound } from "../errors.js";

/** Options shared by both readers: fields are trimmed and rows may have any length. */
const CSV_OPTIONS = { trim: true, skip_empty_lines: true, relax_column_count: true } as const;

/** A parsed CSV file: the header and the data rows with their 1-based line numbers. */
export interface CsvTable {
  header: string[];
  rows: { line: number; fields: string[] }[];
}

/** Throws an InputError unless `file` exists and is a readable regular file. */
export function requireReadableFile(file: string, item: string, fix: string): void {
  try {
    accessSync(file, constants.R_OK);
    if (!statSync(file).isFile()) throw new Error("not a regular file");
  } catch {
    throw traceFileNotFound(file, item, fix);
  }
}

/** Reads a whole CSV file with a header row into memory; for files of a few MB at most. */
export function readCsvTable(file: string, item: string, fix: string): CsvTable {
  requireReadableFile(file, item, fix);
  const bytes = readFileSync(file);
  const text = file.endsWith(".gz") ? gunzipSync(bytes) : bytes;

  let records: { info: { lines: number }; record: string[] }[];
  try {
    records = parseSync(text, { ...CSV_OPTIONS, info: true }) as unknown as typeof records;
  } catch (error) {
    throw parseFailed(file, "CSV", error);
  }
  if (records.length === 0) {
    throw new InputError("empty CSV file: no header row", { file, item, fix: "Pass a non-empty CSV file with a header row" });
  }

  const [headerRecord, ...data] = records;
  return {
    header: headerRecord.record,
    rows: data.map((entry) => ({ line: entry.info.lines, fields: entry.record })),
  };
}

/** Yields the rows of a CSV file one at a time, header first, without loading the file. */
export async function* streamCsvRows(file: string): AsyncGenerator<{ line: number; fields: string[] }> {
  const input = createReadStream(file);
  const parser = parseStream({ ...CSV_OPTIONS, info: true });
  if (file.endsWith(".gz")) input.pipe(createGunzip()).pipe(parser);
  else input.pipe(parser);

  try {
    for await (const entry of parser as AsyncIterable<{ info: { lines: number }; record: string[] }>) {
      yield { line: entry.info.lines, fields: entry.record };
    }
  } catch (error) {
    throw parseFailed(file, "CSV", error);
  } finally {
    input.destroy();
  }
}

/** Returns the index of each named column in `header`, failing on the first one missing. */
export function columnIndexes<Name extends string>(
  file: string,
  header: string[],
  names: readonly Name[],
  fix: string,
): Record<Name, number> {
  const indexes = {} as Record<Name, number>;
  for (const name of names) {
    const index = header.indexOf(name);
    if (index < 0) throw missingColumn(file, name, header, fix);
    indexes[name] = index;
  }
  return indexes;
}

/** Parses a decimal field; returns NaN for an empty or non-numeric field. */
export function parseNumber(field: string | undefined): number {
  if (field === undefined || field.trim() === "") return Number.NaN;
  return Number(field);
}
