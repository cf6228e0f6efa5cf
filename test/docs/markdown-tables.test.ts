/**
 * Every Markdown table in the repository's docs renders as a table: a row is part of a table
 * that starts with a header and a delimiter row (a blank line inside a table would turn the rest
 * into raw text, as METRICS.md once did), and every row has as many cells as the header (an
 * unescaped `|` in a cell would shift the columns). Fenced code blocks are skipped.
 */
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SKIP = new Set(["node_modules", "dist", "coverage", ".git", "artifacts", "fixtures"]);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    if (SKIP.has(entry.name)) return [];
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return markdownFiles(full);
    return entry.name.endsWith(".md") ? [path.relative(ROOT, full)] : [];
  });
}

/** Cells of a table line: split on `|` not escaped with a backslash, outer pipes dropped. */
export function cells(line: string): string[] {
  const inner = line
    .trim()
    .replace(/^\|/, "")
    .replace(/(?<!\\)\|$/, "");
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim());
}

const DELIMITER = /^\|?\s*:?-+:?\s*(\|\s*:?-+:?\s*)*\|?\s*$/;

/** What is wrong with the tables of `text`, one message per problem with its line number. */
export function tableProblems(text: string): string[] {
  const lines = text.split("\n");
  const problems: string[] = [];
  let fence: string | undefined;
  let columns: number | undefined; // set while inside a table
  lines.forEach((line, i) => {
    const fenceMatch = /^\s*(```|~~~)/.exec(line);
    if (fenceMatch) {
      if (fence === undefined) fence = fenceMatch[1];
      else if (line.trim().startsWith(fence)) fence = undefined;
      columns = undefined;
      return;
    }
    if (fence !== undefined) return;
    if (!line.trimStart().startsWith("|")) {
      columns = undefined;
      return;
    }
    if (columns === undefined) {
      const next = lines[i + 1] ?? "";
      if (!DELIMITER.test(next)) {
        problems.push(`line ${i + 1}: a table row outside a table (no header and delimiter row)`);
        return;
      }
      columns = cells(line).length;
      if (cells(next).length !== columns) {
        problems.push(
          `line ${i + 2}: delimiter row has ${cells(next).length} cells, header ${columns}`,
        );
      }
      return;
    }
    const count = cells(line).length;
    if (count !== columns && !DELIMITER.test(line)) {
      problems.push(`line ${i + 1}: ${count} cells, the header has ${columns}`);
    }
  });
  return problems;
}

describe("Markdown tables", () => {
  it("finds the problems it is meant to find", () => {
    const broken = [
      "| a | b |",
      "|---|---|",
      "| 1 | 2 |",
      "",
      "| 3 | 4 |",
      "| 5 | 6 | 7 |",
      "| `x \\| y` | 8 |",
      "```",
      "| not | a | table |",
      "```",
    ].join("\n");
    expect(tableProblems(broken)).toEqual([
      "line 5: a table row outside a table (no header and delimiter row)",
      "line 6: a table row outside a table (no header and delimiter row)",
      "line 7: a table row outside a table (no header and delimiter row)",
    ]);
    expect(tableProblems("| a | b |\n|---|---|\n| 1 | 2 | 3 |\n| `x | y` |")).toEqual([
      "line 3: 3 cells, the header has 2",
    ]);
  });

  const files = markdownFiles(ROOT);
  it("covers the docs", () => {
    expect(files).toEqual(expect.arrayContaining(["README.md", "METRICS.md", "docs/deploy.md"]));
  });

  it.each(files)("%s: every row of every table parses as a row", (file) => {
    expect(tableProblems(readFileSync(path.join(ROOT, file), "utf8"))).toEqual([]);
  });
});
