/**
 * Config fuzzing through `run(["--config.check", "--config.file", f])`, in-process: mutations of
 * test/fixtures/config/good.yml (keys dropped, values swapped for wrong types, random Unicode,
 * text cut or spliced) and hostile documents (alias bombs, deep nesting, huge strings, binary).
 * Whatever the file, `run` resolves 0 or 1 and never throws; on 1, every line of stderr starts
 * with the file path, no stack trace, no secret.
 */
import { mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { run } from "../../src/main.js";
import { FUZZ_SEED, hostileValue } from "./bodies.js";

const FIXTURES = fileURLToPath(new URL("../fixtures/config/", import.meta.url));
const GOOD_TEXT = readFileSync(path.join(FIXTURES, "good.yml"), "utf8");
const GOOD = parse(GOOD_TEXT) as unknown;
const ENV = { MOSAPI_TEST_PASSWORD: "env-secret-c0ffee" };
const SECRETS = [
  "inline-secret-91c2",
  ENV.MOSAPI_TEST_PASSWORD,
  readFileSync(path.join(FIXTURES, "secrets/example.password"), "utf8").trim(),
];

// good.yml names secrets/… relative to itself: the temp directory links to the same files.
const dir = mkdtempSync(path.join(tmpdir(), "mosapi-config-fuzz-"));
symlinkSync(path.join(FIXTURES, "secrets"), path.join(dir, "secrets"), "dir");
const file = path.join(dir, "fuzz.yml");

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `--config.check` on `text`; asserts the contract; returns the exit code. */
async function check(text: string | Buffer): Promise<number> {
  writeFileSync(file, text);
  let out = "";
  let err = "";
  const code = await run(["--config.check", "--config.file", file], ENV, {
    stdout: { write: (t: string) => (out += t) },
    stderr: { write: (t: string) => (err += t) },
  });
  expect([0, 1]).toContain(code);
  const all = out + err;
  expect(all).not.toMatch(/\n\s+at /);
  for (const secret of SECRETS) expect(all).not.toContain(secret);
  if (code === 1) {
    expect(out).toBe("");
    expect(err.length).toBeGreaterThan(0);
    for (const line of err.replace(/\n$/, "").split("\n")) {
      expect(line.startsWith(`${file}: `), `line ${JSON.stringify(line.slice(0, 200))}`).toBe(true);
      // Values are quoted cut (config/quote.ts): a megabyte in the file is not a megabyte here.
      expect(line.length, `line ${JSON.stringify(line.slice(0, 200))}`).toBeLessThan(1000);
    }
  } else {
    expect(out).toContain(`configuration ${file} is valid`);
  }
  return code;
}

type Step = string | number;

function paths(value: unknown, prefix: Step[] = []): Step[][] {
  if (value === null || typeof value !== "object") return [];
  const entries: [Step, unknown][] = Array.isArray(value)
    ? value.map((v, i) => [i, v])
    : Object.entries(value);
  return entries.flatMap(([key, child]) => [[...prefix, key], ...paths(child, [...prefix, key])]);
}

function edit(value: unknown, at: readonly Step[], change: (old: unknown) => unknown): unknown {
  const [head, ...rest] = at;
  if (head === undefined) return change(value);
  if (value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) {
    const copy: unknown[] = [...(value as unknown[])];
    const next = edit(copy[Number(head)], rest, change);
    if (next === undefined) copy.splice(Number(head), 1);
    else copy[Number(head)] = next;
    return copy;
  }
  const key = String(head);
  const next = edit((value as Record<string, unknown>)[key], rest, change);
  const entries = Object.entries(value).filter(([k]) => k !== key);
  return Object.fromEntries(next === undefined ? entries : [...entries, [key, next]]);
}

const ALL_PATHS = paths(GOOD);

/** A YAML-level mutation of good.yml. */
const structural = fc.oneof(
  fc.nat().map((i) => edit(GOOD, ALL_PATHS[i % ALL_PATHS.length]!, () => undefined)),
  fc
    .tuple(fc.nat(), hostileValue)
    .map(([i, v]) => edit(GOOD, ALL_PATHS[i % ALL_PATHS.length]!, () => v)),
  fc
    .tuple(fc.nat(), fc.string({ unit: "binary", maxLength: 30 }))
    .map(([i, v]) => edit(GOOD, ALL_PATHS[i % ALL_PATHS.length]!, () => v)),
  fc
    .tuple(fc.nat(), fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }), hostileValue)
    .map(([i, key, v]) =>
      edit(GOOD, ALL_PATHS[i % ALL_PATHS.length]!.slice(0, -1), (old) =>
        old !== null && typeof old === "object" && !Array.isArray(old) ? { ...old, [key]: v } : old,
      ),
    ),
  fc.nat().map((i) => edit(GOOD, ALL_PATHS[i % ALL_PATHS.length]!, (old) => [old])),
);

/** A text-level mutation of good.yml: cut, splice in random text, or replace a character. */
const textual = fc.oneof(
  fc.nat().map((i) => GOOD_TEXT.slice(0, i % GOOD_TEXT.length)),
  fc
    .tuple(fc.nat(), fc.string({ unit: "binary", maxLength: 20 }))
    .map(
      ([i, s]) =>
        GOOD_TEXT.slice(0, i % GOOD_TEXT.length) + s + GOOD_TEXT.slice(i % GOOD_TEXT.length),
    ),
  fc
    .tuple(
      fc.nat(),
      fc.constantFrom(
        "\t",
        ":",
        "-",
        "&a",
        "*a",
        "!!binary",
        "{",
        "[",
        "'",
        '"',
        "\0",
        "\uFEFF",
        "%YAML 1.1\n---\n",
      ),
    )
    .map(
      ([i, s]) =>
        GOOD_TEXT.slice(0, i % GOOD_TEXT.length) + s + GOOD_TEXT.slice((i % GOOD_TEXT.length) + 1),
    ),
);

describe("mutations of good.yml", () => {
  it("the unmutated file is valid (the mutations start from a passing config)", async () => {
    expect(await check(GOOD_TEXT)).toBe(0);
  });

  it("150 structural mutations: exit 0 or 1, a message naming the file, no stack, no secret", async () => {
    const codes = { 0: 0, 1: 0 };
    await fc.assert(
      fc.asyncProperty(structural, async (doc) => {
        codes[(await check(stringify(doc))) as 0 | 1] += 1;
      }),
      { seed: FUZZ_SEED, numRuns: 150 },
    );
    expect(codes[1]).toBeGreaterThan(50);
  });

  it("150 textual mutations: exit 0 or 1, a message naming the file, no stack, no secret", async () => {
    await fc.assert(
      fc.asyncProperty(textual, async (text) => {
        await check(text);
      }),
      { seed: FUZZ_SEED, numRuns: 150 },
    );
  });

  it("50 random documents (any Unicode, any JSON-ish value)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ unit: "binary", maxLength: 200 }),
          fc.jsonValue({ maxDepth: 4 }).map((v) => stringify(v)),
          fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
        ),
        async (text) => {
          expect(await check(text)).toBe(1);
        },
      ),
      { seed: FUZZ_SEED, numRuns: 50 },
    );
  });
});

describe("hostile documents", () => {
  const laughs = [
    "a: &a [x, x, x, x, x, x, x, x, x, x]",
    ..."bcdefghi"
      .split("")
      .map((c, i) => `${c}: &${c} [${new Array(10).fill(`*${"abcdefghi"[i]}`).join(", ")}]`),
  ].join("\n");

  it.each([
    ["a billion laughs (alias bomb)", `${laughs}\n`],
    [
      "an alias bomb inside a valid config",
      `${GOOD_TEXT}\nx-bomb:\n${laughs.replace(/^/gm, "  ")}\n`,
    ],
    ["an undefined alias", "mosapi: *nowhere\n"],
    ["a recursive merge key", "a: &a\n  <<: *a\n"],
    ["10^4 nested flow sequences", `mosapi: ${"[".repeat(10_000)}${"]".repeat(10_000)}\n`],
    ["10^4 nested flow mappings", `mosapi: ${"{a: ".repeat(10_000)}1${"}".repeat(10_000)}\n`],
    [
      "2000 nested block mappings",
      `${Array.from({ length: 2000 }, (_, i) => `${" ".repeat(i)}k${i}:`).join("\n")} 1\n`,
    ],
    ["a 1 MB URL", `mosapi: {url: "https://${"a".repeat(1_000_000)}.example"}\ntargets: []\n`],
    ["a 1 MB key", `${"k".repeat(1_000_000)}: 1\n`],
    ["a 1 MB TLD", GOOD_TEXT.replace("tld: example,", `tld: ${"x".repeat(1_000_000)},`)],
    ["NUL bytes", Buffer.alloc(1000, 0)],
    ["invalid UTF-8", Buffer.from([0x6d, 0x6f, 0x3a, 0x20, 0xff, 0xfe, 0xc3, 0x28, 0x0a])],
    ["a BOM and CRLF line ends", `\uFEFF${GOOD_TEXT.replace(/\n/g, "\r\n")}`],
    [
      "a YAML 1.1 directive with a sexagesimal number",
      `%YAML 1.1\n---\n${GOOD_TEXT.replace("version: 2", "version: 1:2")}`,
    ],
    ["custom tags", "mosapi: !!js/function 'function () {}'\ntargets: !!set {a}\n"],
    ["many documents", `${GOOD_TEXT}\n---\n${GOOD_TEXT}`],
    [
      "10^4 targets",
      `${GOOD_TEXT}${Array.from({ length: 10_000 }, (_, i) => `  - {tld: t${i}, credentials: rsp-cert}`).join("\n")}\n`.replace(
        "collectors:",
        "x:",
      ),
    ],
    [
      "a huge number",
      GOOD_TEXT.replace("max_concurrency: 2", `max_concurrency: 1${"0".repeat(400)}`),
    ],
  ])("%s: exit 1 (or 0) with a message, never a crash", async (_name, text) => {
    await check(text);
  });

  it("a secret never shows in a message even when its key is misplaced or mistyped", async () => {
    for (const text of [
      GOOD_TEXT.replace("password: inline-secret-91c2", "pasword: inline-secret-91c2"),
      GOOD_TEXT.replace("password: inline-secret-91c2", "password: [inline-secret-91c2]"),
      GOOD_TEXT.replace("password: inline-secret-91c2", "password: {inline-secret-91c2: 1}"),
      GOOD_TEXT.replace("password: inline-secret-91c2", 'password: "inline-secret-91c2\\nx"'),
      GOOD_TEXT.replace("password: inline-secret-91c2", "password: inline-secret-91c2: x"),
    ]) {
      expect(await check(text)).toBe(1);
    }
  });
});
