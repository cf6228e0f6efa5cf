/**
 * The built exporter as a process: it serves until SIGTERM, then logs out of every Basic
 * session and exits 0; `--config.check` prints the redacted summary (exit 0) or the problems
 * (exit 1).
 *
 * The process runs `dist/main.js` when `npm run build` is newer than every source file (as in
 * `npm test`); otherwise the sources are transpiled (no type check: `npm run typecheck` does
 * that) into a temp directory, which keeps this file quick and leaves `dist/` alone.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import {
  copyFile,
  mkdir,
  mkdtemp,
  readFile,
  readdir,
  rm,
  stat,
  symlink,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { Agent } from "undici";
import type { Dispatcher } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { DEMO_LOGINS, fetchText, waitFor } from "../helpers/start-app.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const CONFIG_FIXTURES = "test/fixtures/config";

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith(".ts"))
    .map((e) => path.join(e.parentPath, e.name));
}

async function mtimeMs(file: string): Promise<number | undefined> {
  try {
    return (await stat(file)).mtimeMs;
  } catch {
    return undefined;
  }
}

/** Transpiles `src/` into `<dir>/dist` with a package.json and node_modules beside it. */
async function transpileInto(dir: string, sources: readonly string[]): Promise<string> {
  const src = path.join(ROOT, "src");
  for (const file of sources) {
    const output = ts.transpileModule(await readFile(file, "utf8"), {
      fileName: file,
      compilerOptions: {
        module: ts.ModuleKind.ESNext,
        target: ts.ScriptTarget.ES2023,
        verbatimModuleSyntax: true,
      },
    }).outputText;
    const target = path.join(dir, "dist", path.relative(src, file)).replace(/\.ts$/, ".js");
    await mkdir(path.dirname(target), { recursive: true });
    await writeFile(target, output);
  }
  // dist/version.js reads ../package.json; "type": "module" makes the .js files ESM.
  await copyFile(path.join(ROOT, "package.json"), path.join(dir, "package.json"));
  await symlink(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
  return path.join(dir, "dist", "main.js");
}

/** Path of a runnable `main.js` built from the current sources (see the file comment). */
async function builtMain(buildDir: string): Promise<string> {
  const sources = await sourceFiles(path.join(ROOT, "src"));
  const built = path.join(ROOT, "dist", "main.js");
  const builtAt = await mtimeMs(built);
  const newest = Math.max(
    ...(await Promise.all(sources.map(async (f) => (await stat(f)).mtimeMs))),
  );
  if (builtAt !== undefined && builtAt >= newest) return built;
  return transpileInto(buildDir, sources);
}

/** A finished process run. */
interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

const children = new Set<ChildProcess>();

function start(
  args: readonly string[],
  env: Record<string, string> = {},
  nodeArgs: readonly string[] = [],
): ChildProcess {
  const child = spawn(process.execPath, [...nodeArgs, main, ...args], {
    cwd: ROOT,
    // A clean environment: no MOSAPI_EXPORTER_* of the developer's shell leaks in.
    env: { PATH: process.env["PATH"] ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  child.once("exit", () => children.delete(child));
  return child;
}

/** Collects output and resolves at exit; rejects when the process runs longer than `ms`. */
function finish(child: ChildProcess, output: { stdout: string; stderr: string }, ms: number) {
  return new Promise<Exit>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`process did not exit within ${ms} ms; stderr:\n${output.stderr}`));
    }, ms);
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, ...output });
    });
  });
}

function capture(child: ChildProcess): { stdout: string; stderr: string } {
  const output = { stdout: "", stderr: "" };
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (output.stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (output.stderr += chunk));
  return output;
}

/** The JSON log records the process wrote to stderr so far (every line is one). */
function logRecords(output: { stderr: string }): Record<string, unknown>[] {
  return output.stderr
    .split("\n")
    .filter((line) => line !== "")
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** Waits for the exporter's `listening` record, then for `/-/ready`; the URL it serves. */
async function untilReady(output: { stderr: string }, agent: Dispatcher): Promise<string> {
  const listening = () => logRecords(output).find((r) => r["msg"] === "listening");
  await waitFor(() => listening() !== undefined, {
    what: "the listening log line",
    timeoutMs: 10_000,
  });
  const url = String(listening()?.["url"]);
  await waitFor(async () => (await fetchText(agent, `${url}/-/ready`)).status === 200, {
    what: "/-/ready 200",
  });
  return url;
}

/** A simulator of the demo scenario, and a temp directory with the `config.yml` for its URL. */
async function simulatorAndConfig(
  prefix: string,
  config: (url: string) => readonly string[],
): Promise<{ sim: RunningSimulator; dir: string }> {
  const sim = await startSimulator({ scenario: getScenario("demo") });
  const dir = await mkdtemp(path.join(tmpdir(), prefix));
  await writeFile(path.join(dir, "config.yml"), [...config(sim.url), ""].join("\n"));
  return { sim, dir };
}

/** Runs the exporter to completion (for `--config.check`). */
async function runToExit(args: readonly string[], env: Record<string, string> = {}) {
  const child = start(args, env);
  const output = capture(child);
  await once(child, "spawn");
  return finish(child, output, 10_000);
}

let main: string;
let buildDir: string;

beforeAll(async () => {
  buildDir = await mkdtemp(path.join(tmpdir(), "mosapi-e2e-build-"));
  main = await builtMain(buildDir);
});

afterAll(async () => {
  // Only our own children, by pid: none is left when every test passed.
  for (const child of children) child.kill("SIGKILL");
  await rm(buildDir, { recursive: true, force: true });
});

describe("SIGTERM", () => {
  let sim: RunningSimulator;
  let dir: string;
  const agent = new Agent();

  beforeAll(async () => {
    ({ sim, dir } = await simulatorAndConfig("mosapi-e2e-proc-", (url) => [
      "mosapi:",
      `  url: ${url}`,
      "credentials:",
      "  example-login:",
      `    basic: {username: ${DEMO_LOGINS.example.username}, password: ${DEMO_LOGINS.example.password}}`,
      "  test-login:",
      `    basic: {username: ${DEMO_LOGINS.test.username}, password_env: E2E_TEST_PASSWORD}`,
      "  registrar-login:",
      `    basic: {username: ${DEMO_LOGINS["9999"].username}, password_file: 9999.password}`,
      "targets:",
      "  - {tld: example, credentials: example-login}",
      "  - {tld: test, credentials: test-login}",
      "  - {registrar_id: 9999, credentials: registrar-login}",
      "collectors: {state: 1s, alarmed: 0, downtime: 0, incidents: 0, metrica: 0}",
    ]));
    await writeFile(path.join(dir, "9999.password"), `${DEMO_LOGINS["9999"].password}\n`);
  });

  afterAll(async () => {
    await agent.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("logs out of every session, logs its shutdown and exits 0", async () => {
    const child = start(
      [
        "--config.file",
        path.join(dir, "config.yml"),
        "--web.listen-address",
        "127.0.0.1:0",
        "--log.level",
        "debug",
      ],
      { E2E_TEST_PASSWORD: DEMO_LOGINS.test.password },
    );
    const output = capture(child);
    const exited = finish(child, output, 20_000);
    const records = () => logRecords(output);

    const url = await untilReady(output, agent);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.stats().sessions.active).toBe(3);

    child.kill("SIGTERM");
    const exit = await exited;

    expect({ code: exit.code, signal: exit.signal }).toEqual({ code: 0, signal: null });
    const stats = sim.stats();
    expect(stats.requests.byEndpoint["logout"]).toBe(3);
    expect(stats.sessions).toMatchObject({ active: 0, created: 3, closed: 3 });
    for (const p of ["/ry/example/logout", "/ry/test/logout", "/rr/9999/logout"]) {
      expect([p, stats.requests.byPath[p]]).toEqual([p, { total: 1, byStatus: { "200": 1 } }]);
    }
    // Every stderr line is a JSON log record; the last two tell the story of the shutdown.
    const messages = records().map((r) => r["msg"]);
    expect(records().find((r) => r["msg"] === "shutting down")).toMatchObject({
      level: "info",
      signal: "SIGTERM",
    });
    expect(messages.indexOf("shutting down")).toBeLessThan(messages.indexOf("stopped"));
    expect(messages.at(-1)).toBe("stopped");
    expect(exit.stdout).toBe("");
  });
});

describe("what the process loads", () => {
  let sim: RunningSimulator;
  let dir: string;
  const agent = new Agent();

  beforeAll(async () => {
    ({ sim, dir } = await simulatorAndConfig("mosapi-e2e-load-", (url) => [
      "mosapi:",
      `  url: ${url}`,
      "credentials:",
      "  example-login:",
      `    basic: {username: ${DEMO_LOGINS.example.username}, password: ${DEMO_LOGINS.example.password}}`,
      "targets:",
      "  - {tld: example, credentials: example-login}",
    ]));
    // Written when the process exits: Node's own modules it loaded, and the files it required.
    await writeFile(
      path.join(dir, "loaded.cjs"),
      `process.on("exit", () => require("node:fs").writeFileSync(${JSON.stringify(
        path.join(dir, "loaded.json"),
      )}, JSON.stringify({ node: process.moduleLoadList, files: Object.keys(require.cache) })));\n`,
    );
  });

  afterAll(async () => {
    await agent.close();
    await sim.close();
    await rm(dir, { recursive: true, force: true });
  });

  // src/util/builtins.ts and src/mosapi/undici.ts say why, and what it saves.
  it("serves its data without Node's bundled undici or undici's fetch", async () => {
    const child = start(
      ["--config.file", path.join(dir, "config.yml"), "--web.listen-address", "127.0.0.1:0"],
      {},
      ["--require", path.join(dir, "loaded.cjs")],
    );
    const output = capture(child);
    const exited = finish(child, output, 20_000);
    const url = await untilReady(output, agent);
    await waitFor(
      async () => (await fetchText(agent, `${url}/metrics`)).body.includes("mosapi_status{"),
      { what: "the TLD's state on /metrics" },
    );
    child.kill("SIGTERM");
    expect((await exited).code).toBe(0);

    const loaded = JSON.parse(await readFile(path.join(dir, "loaded.json"), "utf8")) as {
      node: string[];
      files: string[];
    };
    // Proof the lists are the process's: the HTTP server and the undici client it used.
    expect(loaded.node).toContain("NativeModule http");
    expect(loaded.files.some((f) => f.endsWith("/undici/lib/dispatcher/agent.js"))).toBe(true);
    expect(loaded.node.filter((m) => m.includes("undici"))).toEqual([]);
    expect(loaded.files.filter((f) => /\/undici\/(index\.js|lib\/web\/)/.test(f))).toEqual([]);
  });
});

// Three independent processes: they run side by side.
describe.concurrent("--config.check", () => {
  it("prints the redacted summary of a valid config and exits 0", async () => {
    const exit = await runToExit(
      ["--config.check", "--config.file", `${CONFIG_FIXTURES}/good.yml`],
      { MOSAPI_TEST_PASSWORD: "env-secret-5d8e" },
    );
    expect(exit.code).toBe(0);
    expect(exit.stdout).toBe(
      await readFile(path.join(ROOT, CONFIG_FIXTURES, "good.check.txt"), "utf8"),
    );
    expect(exit.stderr).toBe("");
    for (const secret of ["env-secret-5d8e", "inline-secret-91c2", "example-file-secret-7f3a"]) {
      expect(exit.stdout).not.toContain(secret);
    }
  });

  it("prints every problem of an invalid config and exits 1", async () => {
    const exit = await runToExit([
      "--config.check",
      "--config.file",
      `${CONFIG_FIXTURES}/invalid-many-problems.yml`,
    ]);
    expect(exit.code).toBe(1);
    expect(exit.stdout).toBe("");
    expect(exit.stderr).toBe(
      await readFile(path.join(ROOT, CONFIG_FIXTURES, "invalid-many-problems.txt"), "utf8"),
    );
  });

  it("reads the config file from MOSAPI_EXPORTER_CONFIG_FILE", async () => {
    const exit = await runToExit(["--config.check"], {
      MOSAPI_EXPORTER_CONFIG_FILE: `${CONFIG_FIXTURES}/minimal.yml`,
    });
    expect(exit.code).toBe(0);
    expect(exit.stdout).toBe(
      await readFile(path.join(ROOT, CONFIG_FIXTURES, "minimal.check.txt"), "utf8"),
    );
  });
});
