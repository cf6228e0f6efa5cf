/**
 * The steps every YAML file of ours goes through before its own rules: read it, parse it, and
 * report located problems in file order. Shared by the main config (load.ts) and the web config
 * (web/load.ts), so both read and word their problems alike.
 */
import { readFile } from "node:fs/promises";
import { parseConfigDocument } from "./document.js";
import type { ConfigDocument } from "./document.js";
import { ConfigError } from "./errors.js";
import type { Problem } from "./errors.js";
import { formatPath } from "./issues.js";
import type { LocatedProblem } from "./issues.js";
import { describeFsError } from "./secrets.js";

/**
 * Reads and parses a YAML file.
 *
 * @param file path exactly as the user gave it; every message starts with it.
 * @throws ConfigError `CONFIG_UNREADABLE` when the file cannot be read, `CONFIG_INVALID` (one
 *   problem per YAML error) when it is not valid YAML.
 */
export async function readYamlFile(file: string): Promise<ConfigDocument> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (error) {
    const message = `cannot read the file: ${describeFsError(error)}`;
    throw new ConfigError(file, [{ path: "", message }], {
      code: "CONFIG_UNREADABLE",
      cause: error,
    });
  }
  const parsed = parseConfigDocument(text);
  if (!parsed.ok) throw new ConfigError(file, parsed.problems, { cause: parsed.cause });
  return parsed.document;
}

/** Problems in file order (the order a person reads and fixes them), paths formatted. */
function inFileOrder(document: ConfigDocument, problems: readonly LocatedProblem[]): Problem[] {
  return problems
    .map((problem, index) => ({ problem, index, at: document.positionOf(problem.segments) }))
    .sort((a, b) => a.at - b.at || a.index - b.index)
    .map(({ problem }) => ({ path: formatPath(problem.segments), message: problem.message }));
}

/**
 * A `CONFIG_INVALID` ConfigError listing `problems` of `document` in file order.
 *
 * @param causes the errors behind the problems: none, one (the cause), or several (an
 *   AggregateError).
 */
export function invalidFile(
  file: string,
  document: ConfigDocument,
  problems: readonly LocatedProblem[],
  causes: readonly unknown[],
): ConfigError {
  const cause = causes.length <= 1 ? causes[0] : new AggregateError(causes);
  return new ConfigError(file, inFileOrder(document, problems), { cause });
}
