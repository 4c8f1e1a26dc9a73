/**
 * Safe XML reading for the allocation-file readers (YARN `fair-scheduler.xml`, Spark
 * `fairscheduler.xml`): a plain element tree with the line of every element, and syntax errors
 * with their lines.
 *
 * Entity declarations are rejected before parsing, so an external entity (`SYSTEM`, `PUBLIC`) is
 * never resolved and an entity-expansion bomb is never expanded. Allocation files have no use
 * for a DTD.
 */
import { XMLParser, XMLValidator } from "fast-xml-parser";

import { InputError } from "../errors.js";

/** One XML element with its attributes, child elements, text and 1-based line. */
export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** Text content with surrounding whitespace removed. */
  text: string;
  /** Text content as written, for values where a leading space matters (YARN ACLs). */
  rawText: string;
  line: number;
}

/** The parsed document: the root element (when the parser got that far) and every syntax error. */
export interface XmlDocument {
  root?: XmlElement;
  errors: InputError[];
}

const ATTRIBUTE_PREFIX = "@_";
const ATTRIBUTES_KEY = ":@";
const TEXT_KEY = "#text";

/** Maps character offsets to 1-based line numbers. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.starts.push(i + 1);
    }
  }

  lineOf(offset: number): number {
    let low = 0;
    let high = this.starts.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.starts[middle] <= offset) low = middle;
      else high = middle - 1;
    }
    return low + 1;
  }
}

/**
 * Parses `text` into an element tree, and throws `InputError` at once for entity declarations.
 * Other syntax errors come back in `errors` next to the best-effort tree. The caller then adds
 * the field errors it finds, so the user sees every problem in one run.
 */
export function readXml(text: string, file: string): XmlDocument {
  const source = text.replace(/\r\n?/g, "\n");
  const lines = new LineIndex(source);

  rejectEntityDeclarations(source, file, lines);

  const errors = checkNesting(source, file, lines);
  if (errors.length === 0) {
    const result = XMLValidator.validate(source, { allowBooleanAttributes: false });
    if (result !== true) {
      errors.push(
        new InputError(`invalid XML: ${result.err.msg.replace(/\.$/, "")}`, {
          file,
          line: result.err.line,
          fix: "Correct the XML syntax at that line",
        }),
      );
    }
  }

  let root: XmlElement | undefined;
  try {
    root = parseTree(source, lines);
  } catch (cause) {
    if (errors.length === 0) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      errors.push(new InputError(`invalid XML: ${reason}`, { file, fix: "Correct the XML syntax" }));
    }
  }
  if (root === undefined && errors.length === 0) {
    errors.push(new InputError("no root element", { file, fix: "Add the <allocations> element" }));
  }
  return { root, errors };
}

/** Throws for any `<!ENTITY` declaration, naming the entity and its line. */
function rejectEntityDeclarations(source: string, file: string, lines: LineIndex): void {
  const withoutComments = source.replace(/<!--[\s\S]*?-->/g, (comment) => comment.replace(/[^\n]/g, " "));
  const declaration = /<!ENTITY\s+(%\s*)?([^\s"'>]+)\s*(SYSTEM|PUBLIC)?/g;
  const match = declaration.exec(withoutComments);
  if (!match) return;

  const external = match[3] !== undefined;
  const problem = external
    ? `external entity "${match[2]}" is not resolved`
    : `entity declaration "${match[2]}" is not expanded`;
  throw new InputError(problem, {
    file,
    line: lines.lineOf(match.index),
    item: "<!DOCTYPE>",
    value: match[0].trim(),
    fix: "Remove the DOCTYPE and its entity declarations, and write the values in place",
  });
}

/**
 * Checks that start and end tags pair up, reporting a stray end tag at its line and an element
 * left open at the line where it starts. `XMLValidator` reports these at line 1.
 */
function checkNesting(source: string, file: string, lines: LineIndex): InputError[] {
  const errors: InputError[] = [];
  const open: { name: string; offset: number }[] = [];
  let i = 0;

  while (i < source.length && errors.length < 5) {
    const start = source.indexOf("<", i);
    if (start < 0) break;

    const skip = skipMarkup(source, start);
    if (skip !== undefined) {
      if (skip < 0) {
        errors.push(new InputError("unterminated comment, CDATA section or declaration", {
          file,
          line: lines.lineOf(start),
          fix: "Close it (-->, ]]> or ?>)",
        }));
        return errors;
      }
      i = skip;
      continue;
    }

    const end = findTagEnd(source, start);
    if (end < 0) {
      errors.push(new InputError("unterminated tag", { file, line: lines.lineOf(start), fix: "Close the tag with >" }));
      return errors;
    }
    const tag = source.slice(start + 1, end);
    i = end + 1;

    if (tag.startsWith("/")) {
      const name = tag.slice(1).trim();
      const depth = findOpen(open, name);
      if (depth < 0) {
        errors.push(new InputError(`end tag </${name}> has no matching start tag`, {
          file,
          line: lines.lineOf(start),
          item: `</${name}>`,
          fix: `Remove </${name}> or add <${name}> before it`,
        }));
        continue;
      }
      for (const unclosed of open.splice(depth + 1)) {
        errors.push(unclosedElement(unclosed, file, lines, `before </${name}> at line ${lines.lineOf(start)}`));
      }
      open.pop();
    } else if (!tag.endsWith("/")) {
      const name = /^[^\s/>]+/.exec(tag)?.[0] ?? "";
      open.push({ name, offset: start });
    }
  }

  if (open.length > 0 && errors.length === 0) {
    const innermost = open[open.length - 1];
    const others = open.slice(0, -1).map((element) => `<${element.name}> at line ${lines.lineOf(element.offset)}`);
    const note = others.length > 0 ? `at the end of the file, where ${others.join(", ")} is also open` : "at the end of the file";
    errors.push(unclosedElement(innermost, file, lines, note));
  }
  return errors;
}

function unclosedElement(element: { name: string; offset: number }, file: string, lines: LineIndex, where: string): InputError {
  return new InputError(`element <${element.name}> is not closed ${where}`, {
    file,
    line: lines.lineOf(element.offset),
    item: `<${element.name}>`,
    fix: `Add </${element.name}> where the element ends, or make this tag an end tag`,
  });
}

function findOpen(open: { name: string }[], name: string): number {
  for (let depth = open.length - 1; depth >= 0; depth--) {
    if (open[depth].name === name) return depth;
  }
  return -1;
}

/** Returns the offset after a comment, CDATA, processing instruction or DOCTYPE at `start`, -1 if unterminated, undefined for a tag. */
function skipMarkup(source: string, start: number): number | undefined {
  const terminators: [string, string][] = [
    ["<!--", "-->"],
    ["<![CDATA[", "]]>"],
    ["<?", "?>"],
  ];
  for (const [opening, closing] of terminators) {
    if (source.startsWith(opening, start)) {
      const end = source.indexOf(closing, start + opening.length);
      return end < 0 ? -1 : end + closing.length;
    }
  }
  if (source.startsWith("<!", start)) {
    let depth = 0;
    for (let i = start + 2; i < source.length; i++) {
      if (source[i] === "[") depth++;
      else if (source[i] === "]") depth--;
      else if (source[i] === ">" && depth <= 0) return i + 1;
    }
    return -1;
  }
  return undefined;
}

/** Returns the offset of the `>` that ends the tag at `start`, skipping quoted attribute values. */
function findTagEnd(source: string, start: number): number {
  let quote = "";
  for (let i = start + 1; i < source.length; i++) {
    const c = source[i];
    if (quote) {
      if (c === quote) quote = "";
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === ">") {
      return i;
    } else if (c === "<") {
      return -1;
    }
  }
  return -1;
}

/** Parses with fast-xml-parser in document order and converts its nodes to `XmlElement`s. */
function parseTree(source: string, lines: LineIndex): XmlElement | undefined {
  const parser = new XMLParser({
    preserveOrder: true,
    ignoreAttributes: false,
    attributeNamePrefix: ATTRIBUTE_PREFIX,
    parseTagValue: false,
    parseAttributeValue: false,
    trimValues: false,
    captureMetaData: true,
    // Defence in depth: no entity declaration reaches the parser (see rejectEntityDeclarations),
    // and these limits bound what the predefined entities (&amp; &lt; ...) can expand to.
    processEntities: { enabled: true, maxTotalExpansions: 10_000, maxExpandedLength: 1_000_000 },
  });
  const nodes = parser.parse(source) as unknown[];
  const metadata = XMLParser.getMetaDataSymbol() as unknown as symbol;

  for (const node of nodes) {
    const element = toElement(node as Record<string | symbol, unknown>, metadata, lines);
    if (element && !element.name.startsWith("?")) return element;
  }
  return undefined;
}

function toElement(node: Record<string | symbol, unknown>, metadata: symbol, lines: LineIndex): XmlElement | undefined {
  const name = Object.keys(node).find((key) => key !== ATTRIBUTES_KEY);
  if (name === undefined || name === TEXT_KEY) return undefined;

  const attributes: Record<string, string> = {};
  const rawAttributes = (node[ATTRIBUTES_KEY] ?? {}) as Record<string, unknown>;
  for (const [key, value] of Object.entries(rawAttributes)) {
    attributes[key.slice(ATTRIBUTE_PREFIX.length)] = String(value);
  }

  const offset = (node[metadata] as { startIndex?: number } | undefined)?.startIndex ?? 0;
  const element: XmlElement = { name, attributes, children: [], text: "", rawText: "", line: lines.lineOf(offset) };

  const texts: string[] = [];
  for (const child of (node[name] ?? []) as Record<string | symbol, unknown>[]) {
    if (TEXT_KEY in child) {
      texts.push(String(child[TEXT_KEY]));
      continue;
    }
    const childElement = toElement(child, metadata, lines);
    if (childElement) element.children.push(childElement);
  }
  element.rawText = texts.join("");
  element.text = element.rawText.trim();
  return element;
}
