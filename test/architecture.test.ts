import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../src/", import.meta.url));
const doc = readFileSync(new URL("../docs/architecture.md", import.meta.url), "utf8");

/** The layer table of docs/architecture.md: layer → the layers it may import from. */
function documentedLayers(): Map<string, Set<string>> {
  const layers = new Map<string, Set<string>>();
  for (const line of doc.split("\n")) {
    const match = /^\| `([a-z-]+\/|[a-z-]+\.ts)` \|[^|]*\|([^|]*)\|$/.exec(line);
    if (match?.[1] === undefined || match[2] === undefined) continue;
    const allowed = [...match[2].matchAll(/`([^`]+)`/g)].map((m) => m[1] ?? "");
    layers.set(match[1], new Set(allowed));
  }
  return layers;
}

/** Every `.ts` file under src/, as paths relative to it. */
function sourceFiles(dir = root): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") ? [path.relative(root, full)] : [];
  });
}

/** `mosapi/` for `mosapi/client.ts`, `main.ts` for `main.ts`. */
function layerOf(file: string): string {
  const [first, ...rest] = file.split(path.sep);
  return rest.length === 0 ? (first ?? file) : `${first}/`;
}

/** The files of src/ that `file` imports (relative specifiers only). */
function localImports(file: string): string[] {
  const text = readFileSync(path.join(root, file), "utf8");
  const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*"(\.{1,2}\/[^"]+)"/g)];
  return specifiers.map((m) =>
    path.relative(
      root,
      path.resolve(root, path.dirname(file), (m[1] ?? "").replace(/\.js$/, ".ts")),
    ),
  );
}

describe("the layers of docs/architecture.md", () => {
  const layers = documentedLayers();
  const files = sourceFiles();

  it("cover every folder and top-level module of src/", () => {
    expect(layers.size).toBeGreaterThan(5);
    expect([...new Set(files.map(layerOf))].sort()).toEqual([...layers.keys()].sort());
  });

  it("are the only imports between folders", () => {
    const violations: string[] = [];
    for (const file of files) {
      const from = layerOf(file);
      const allowed = layers.get(from) ?? new Set();
      for (const target of localImports(file)) {
        const to = layerOf(target);
        if (to !== from && !allowed.has(to)) violations.push(`${file} imports ${target}`);
      }
    }
    expect(violations).toEqual([]);
  });
});
