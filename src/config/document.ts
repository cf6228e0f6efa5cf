/**
 * YAML text → plain data, plus where each key sits in the text so problems can be listed in
 * file order. Syntax errors carry line and column. The YAML parser's own messages are used
 * without its source excerpt, which could show a secret from the offending line.
 */
import { isNode, LineCounter, parseDocument } from "yaml";
import type { Problem } from "./errors.js";

/** A parsed config file: its data and the text offset of any key path. */
export interface ConfigDocument {
  readonly data: unknown;
  /** Offset in the text of the deepest node on `segments` that exists (0 for the root). */
  positionOf(segments: readonly PropertyKey[]): number;
}

/** `parseConfigDocument`'s outcome. */
export type DocumentParse =
  | { readonly ok: true; readonly document: ConfigDocument }
  | { readonly ok: false; readonly problems: readonly Problem[]; readonly cause: unknown };

/**
 * The YAML parser's message without the source text it quotes (`Unexpected scalar token in
 * YAML stream: "…"`): in a broken file that text can be a password. Line and column locate it.
 */
function withoutSource(message: string): string {
  return message.replace(/:\s*"(?:[^"\\]|\\.)*"/g, "").replace(/"(?:[^"\\]|\\.)*"/g, "(text)");
}

/**
 * Parses YAML 1.2 (so `no` stays a string), duplicate keys being errors, unknown tags too.
 *
 * @returns the document, or one problem per YAML error (`invalid YAML at line L, column C: …`).
 */
export function parseConfigDocument(text: string): DocumentParse {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const errors = [...doc.errors, ...doc.warnings];
  if (errors.length > 0) {
    const problems = errors.map((error) => {
      const { line, col } = lineCounter.linePos(error.pos[0]);
      const message = withoutSource(error.message);
      return { path: "", message: `invalid YAML at line ${line}, column ${col}: ${message}` };
    });
    return { ok: false, problems, cause: errors[0] };
  }
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    // Unresolved aliases and alias bombs surface only when converting.
    return {
      ok: false,
      problems: [{ path: "", message: `invalid YAML: ${(error as Error).message}` }],
      cause: error,
    };
  }
  const positionOf = (segments: readonly PropertyKey[]): number => {
    for (let depth = segments.length; depth > 0; depth -= 1) {
      const node: unknown = doc.getIn(segments.slice(0, depth), true);
      if (isNode(node) && node.range) return node.range[0];
    }
    return 0;
  };
  return { ok: true, document: { data, positionOf } };
}
