/**
 * Static checks of the Dockerfile and .dockerignore (no Docker engine needed): stages, base
 * image Node major, non-root numeric user, exec-form entry point and health check, the port,
 * OCI labels, production-only dependencies, and a build context that holds what is copied.
 * `docker build` itself is documented in docs/deploy.md.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseFlags, parseListenAddress } from "../../src/config/flags.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const read = (file: string): string => readFileSync(path.join(ROOT, file), "utf8");

interface Instruction {
  readonly keyword: string;
  readonly args: string;
  readonly line: number;
}

interface Stage {
  readonly name: string;
  readonly image: string;
  readonly instructions: readonly Instruction[];
}

/** Dockerfile → instructions: comments dropped, `\` continuations joined, keywords upper-cased. */
function parseInstructions(text: string): Instruction[] {
  const instructions: Instruction[] = [];
  let pending = "";
  let start = 0;
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line.startsWith("#") || (line === "" && pending === "")) return;
    if (pending === "") start = index + 1;
    if (line.endsWith("\\")) {
      pending += `${line.slice(0, -1)} `;
      return;
    }
    const full = (pending + line).trim();
    pending = "";
    if (full === "") return;
    const match = /^(\S+)\s*([\s\S]*)$/.exec(full);
    if (match)
      instructions.push({ keyword: match[1]!.toUpperCase(), args: match[2]!, line: start });
  });
  return instructions;
}

/** Default values of the ARGs declared before the first FROM (the ones FROM can use). */
function globalArgs(instructions: readonly Instruction[]): Map<string, string> {
  const args = new Map<string, string>();
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") break;
    if (instruction.keyword !== "ARG") continue;
    const [name, value = ""] = instruction.args.split("=", 2);
    args.set(name!.trim(), value.trim());
  }
  return args;
}

function substitute(text: string, args: ReadonlyMap<string, string>): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)/g, (whole, braced?: string, bare?: string) => {
    const value = args.get(braced ?? bare ?? "");
    return value ?? whole;
  });
}

function parseStages(instructions: readonly Instruction[]): Stage[] {
  const args = globalArgs(instructions);
  const stages: { name: string; image: string; instructions: Instruction[] }[] = [];
  for (const instruction of instructions) {
    if (instruction.keyword === "FROM") {
      const words = instruction.args.split(/\s+/).filter((word) => !word.startsWith("--"));
      const image = substitute(words[0] ?? "", args);
      const asIndex = words.findIndex((word) => word.toUpperCase() === "AS");
      stages.push({ name: asIndex > 0 ? words[asIndex + 1]! : "", image, instructions: [] });
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return stages;
}

/** JSON array of an exec-form instruction; undefined for the shell form. */
function execForm(args: string): string[] | undefined {
  const trimmed = args.trim();
  if (!trimmed.startsWith("[")) return undefined;
  const parsed: unknown = JSON.parse(trimmed);
  if (!Array.isArray(parsed) || !parsed.every((item) => typeof item === "string")) {
    throw new Error(`not a JSON array of strings: ${trimmed}`);
  }
  return parsed;
}

function labels(stage: Stage): Map<string, string> {
  const found = new Map<string, string>();
  for (const instruction of stage.instructions.filter((i) => i.keyword === "LABEL")) {
    for (const match of instruction.args.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S+)/g)) {
      const value = match[2]!;
      found.set(match[1]!, value.startsWith('"') ? (JSON.parse(value) as string) : value);
    }
  }
  return found;
}

function envs(stage: Stage): Map<string, string> {
  const found = new Map<string, string>();
  for (const instruction of stage.instructions.filter((i) => i.keyword === "ENV")) {
    for (const match of instruction.args.matchAll(/([\w.-]+)=("(?:[^"\\]|\\.)*"|\S+)/g)) {
      found.set(match[1]!, match[2]!.replace(/^"|"$/g, ""));
    }
  }
  return found;
}

const only = <T>(items: readonly T[], what: string): T => {
  expect(items, `expected exactly one ${what}`).toHaveLength(1);
  return items[0]!;
};

const dockerfile = read("Dockerfile");
const instructions = parseInstructions(dockerfile);
const stages = parseStages(instructions);
const runtime = stages.at(-1)!;
const build = stages.find((stage) => stage.name === "build");
const runsIn = (stage: Stage | undefined): string[] =>
  (stage?.instructions ?? []).filter((i) => i.keyword === "RUN").map((i) => i.args);
const lastOf = (stage: Stage, keyword: string): Instruction[] =>
  stage.instructions.filter((i) => i.keyword === keyword);
const nodeMajorOf = (image: string): number | undefined => {
  const match =
    /^node:(\d+)(?:[.\d]*)-(?:[a-z]+-)?(slim|alpine[\d.]*)(?:@sha256:[a-f0-9]{64})?$/.exec(image);
  return match ? Number(match[1]) : undefined;
};

describe("Dockerfile", () => {
  it("has a build stage and a separate runtime stage, both on a slim or alpine Node image", () => {
    expect(build, 'a stage named "build" (FROM … AS build)').toBeDefined();
    expect(stages.length).toBeGreaterThanOrEqual(2);
    expect(runtime.name).not.toBe("build");
    for (const stage of stages) {
      expect(
        nodeMajorOf(stage.image),
        `stage ${stage.name}: base image ${stage.image} is not node:<major>-…-slim or -alpine`,
      ).toBeDefined();
    }
    expect(new Set(stages.map((stage) => stage.image)).size, "all stages on one image").toBe(1);
  });

  it("runs the runtime on the Node major of the CI's LTS run, admitted by engines", () => {
    const imageMajor = nodeMajorOf(runtime.image);
    const ciMajor = Number(/^LTS_MAJOR=(\d+)$/m.exec(read(".ci/run"))?.[1]);
    expect(imageMajor, `runtime image ${runtime.image} vs LTS_MAJOR in .ci/run`).toBe(ciMajor);
    const engines = (JSON.parse(read("package.json")) as { engines: { node: string } }).engines;
    const minimum = Number(/>=\s*(\d+)/.exec(engines.node)?.[1]);
    expect(minimum, `engines.node ${engines.node} must admit the image's Node`).toBeLessThanOrEqual(
      imageMajor!,
    );
  });

  it("runs the runtime on the Node major of .nvmrc", () => {
    const imageMajor = nodeMajorOf(runtime.image);
    const nvmrc = read(".nvmrc").trim();
    const nvmrcMajor = Number(/^v?(\d+)/.exec(nvmrc)?.[1]);
    expect(
      nvmrcMajor,
      `.nvmrc says ${nvmrc} but the runtime image is ${runtime.image}: set .nvmrc to ` +
        `${String(imageMajor)} (the image's Node; engines keeps the older Node supported)`,
    ).toBe(imageMajor);
  });

  it("builds with dev dependencies and runs with production dependencies only", () => {
    const buildRuns = runsIn(build).join("\n");
    expect(buildRuns).toMatch(/\bnpm ci\b/);
    expect(buildRuns).not.toMatch(/--omit=dev/);
    expect(buildRuns).toMatch(/\bnpm run build\b/);
    const runtimeRuns = runsIn(runtime).join("\n");
    expect(runtimeRuns).toMatch(/\bnpm ci\b[^\n&|;]*--omit=dev/);
    expect(runtimeRuns).not.toMatch(/npm run build|\btsc\b/);
    const copies = lastOf(runtime, "COPY").map((i) => i.args);
    expect(copies).toContainEqual(expect.stringMatching(/^--from=build\s+\S*\/dist\s+\S*dist$/));
    expect(
      copies.some((args) => /^src\b|\bsrc\s/.test(args)),
      "no sources in the runtime",
    ).toBe(false);
  });

  it("never runs npm at runtime, and removes the package managers from the runtime image", () => {
    expect(dockerfile).not.toMatch(/npm\s+(run\s+)?start/);
    for (const keyword of ["ENTRYPOINT", "CMD", "HEALTHCHECK"]) {
      for (const instruction of lastOf(runtime, keyword)) {
        expect(instruction.args, `${keyword} on line ${instruction.line}`).not.toMatch(
          /\bnp[mx]\b|\byarn\b|corepack/,
        );
      }
    }
    const runtimeRuns = runsIn(runtime).join("\n");
    expect(runtimeRuns).toMatch(/rm -rf[^\n]*\/usr\/local\/lib\/node_modules\/npm/);
    expect(runtimeRuns).toMatch(/\/usr\/local\/bin\/npx/);
  });

  it("runs as a numeric non-root user, set last in the runtime stage", () => {
    const users = lastOf(runtime, "USER");
    expect(users.length, "USER in the runtime stage").toBeGreaterThan(0);
    const user = users.at(-1)!.args.trim();
    expect(user, `USER ${user} must be numeric uid[:gid]`).toMatch(/^\d+(:\d+)?$/);
    const [uid, gid] = user.split(":").map(Number);
    expect(uid).toBeGreaterThan(0);
    if (gid !== undefined) expect(gid).toBeGreaterThan(0);
    const userIndex = runtime.instructions.indexOf(users.at(-1)!);
    const runAfterUser = runtime.instructions.slice(userIndex).some((i) => i.keyword === "RUN");
    expect(runAfterUser, "no RUN after USER (root-owned code, nothing to write)").toBe(false);
  });

  it("starts node dist/main.js in exec form, with the documented config path", () => {
    const entrypoint = execForm(only(lastOf(runtime, "ENTRYPOINT"), "ENTRYPOINT").args);
    expect(entrypoint, "ENTRYPOINT in exec form").toEqual(["node", "dist/main.js"]);
    expect(existsSync(path.join(ROOT, "src/main.ts"))).toBe(true);
    const cmd = execForm(only(lastOf(runtime, "CMD"), "CMD").args);
    expect(cmd).toEqual(["--config.file=/etc/mosapi-exporter/config.yml"]);
    expect(parseFlags(cmd!, {}).configFile).toBe("/etc/mosapi-exporter/config.yml");
    expect(dockerfile).not.toMatch(/ENTRYPOINT[^\n]*simulator/);
  });

  it("exposes the exporter's default port and health-checks it with node in exec form", () => {
    const defaultPort = parseListenAddress(parseFlags([], {}).listenAddress).port;
    expect(defaultPort).toBe(9745);
    const exposed = only(lastOf(runtime, "EXPOSE"), "EXPOSE").args.trim();
    expect(exposed.replace(/\/tcp$/, "")).toBe(String(defaultPort));
    expect(read("CONFIGURATION.md")).toContain(`| \`:${String(defaultPort)}\` |`);

    const healthcheck = only(lastOf(runtime, "HEALTHCHECK"), "HEALTHCHECK").args;
    const cmdAt = healthcheck.search(/\bCMD\s+\[/);
    expect(cmdAt, "HEALTHCHECK … CMD [ … ] (exec form)").toBeGreaterThanOrEqual(0);
    const command = execForm(healthcheck.slice(cmdAt + 3))!;
    expect(command[0]).toBe("node");
    expect(command[1]).toBe("-e");
    expect(command.join(" ")).toContain(`http://127.0.0.1:${String(defaultPort)}/-/healthy`);
    expect(command.join(" ")).not.toMatch(/\bcurl\b|\bwget\b/);
  });

  it("has a health-check script that exits 0 on 200 and 1 on 503 or no answer", async () => {
    const healthcheck = only(lastOf(runtime, "HEALTHCHECK"), "HEALTHCHECK").args;
    const script = execForm(healthcheck.slice(healthcheck.search(/\bCMD\s+\[/) + 3))![2]!;
    let status = 200;
    const server = createServer((req, res) => {
      res.writeHead(req.url === "/-/healthy" ? status : 404).end();
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    const exitCode = (target: number): Promise<number | null> =>
      new Promise((resolve) => {
        const child = spawn(
          process.execPath,
          ["-e", script.replace(":9745/", `:${String(target)}/`)],
          {
            stdio: "ignore",
          },
        );
        child.on("exit", resolve);
      });
    try {
      expect(await exitCode(port)).toBe(0);
      status = 503;
      expect(await exitCode(port)).toBe(1);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await exitCode(port), "nothing listening").toBe(1);
  });

  it("pins glibc's mmap threshold on a glibc (Debian) runtime image, where GLIBC_TUNABLES works", () => {
    // musl (alpine) ignores GLIBC_TUNABLES: the memory figures of BENCHMARKS.md (section 4)
    // would silently not hold.
    expect(envs(runtime).get("GLIBC_TUNABLES")).toMatch(/^glibc\.malloc\.mmap_threshold=\d+$/);
    expect(runtime.image).toMatch(/-(bookworm|trixie|forky)-slim(@sha256:[a-f0-9]{64})?$/);
  });

  it("sets production mode, SIGTERM, the revision for build_info and full OCI labels", () => {
    const env = envs(runtime);
    expect(env.get("NODE_ENV")).toBe("production");
    expect(env.get("MOSAPI_EXPORTER_REVISION")).toBe("${REVISION}");
    expect(only(lastOf(runtime, "STOPSIGNAL"), "STOPSIGNAL").args.trim()).toBe("SIGTERM");
    const stageArgs = lastOf(runtime, "ARG").map((i) => i.args.split("=")[0]!.trim());
    expect(stageArgs).toEqual(expect.arrayContaining(["VERSION", "REVISION"]));

    const found = labels(runtime);
    const pkg = JSON.parse(read("package.json")) as { license: string; description: string };
    expect(found.get("org.opencontainers.image.title")).toBe("mosapi-exporter");
    expect(found.get("org.opencontainers.image.description")).toBe(pkg.description);
    expect(found.get("org.opencontainers.image.licenses")).toBe("Apache-2.0");
    expect(found.get("org.opencontainers.image.licenses")).toBe(pkg.license);
    expect(found.get("org.opencontainers.image.source")).toMatch(/^(https:\/\/|\$\{SOURCE\}$)/);
    expect(found.get("org.opencontainers.image.version")).toBe("${VERSION}");
    expect(found.get("org.opencontainers.image.revision")).toBe("${REVISION}");
  });

  it("declares no VOLUME and writes nothing at runtime (read-only root filesystem)", () => {
    expect(instructions.filter((i) => i.keyword === "VOLUME")).toEqual([]);
    expect(dockerfile).not.toMatch(/chmod\s+[0-7]*7[0-7]*\s|chown/);
  });
});

/**
 * .dockerignore patterns → matcher of a context-relative path, with Docker's glob rules: `*`
 * and `?` within one path segment, `**` across segments, and a match of a directory covering
 * everything under it.
 */
function ignoreMatcher(text: string): (file: string) => boolean {
  const patterns = text
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  expect(
    patterns.filter((pattern) => pattern.startsWith("!")),
    "no ! exceptions (this matcher does not model them)",
  ).toEqual([]);
  const regexes = patterns.map((pattern) => {
    const body = pattern
      .replace(/\/$/, "")
      .split(/(\*\*\/|\*\*|\*|\?)/)
      .map((part) => {
        if (part === "**/") return "(?:.*/)?";
        if (part === "**") return ".*";
        if (part === "*") return "[^/]*";
        if (part === "?") return "[^/]";
        return part.replace(/[.+?^${}()|[\]\\]/g, "\\$&");
      })
      .join("");
    return new RegExp(`^${body}(/|$)`);
  });
  return (file) => regexes.some((regex) => regex.test(file));
}

describe(".dockerignore", () => {
  const ignored = ignoreMatcher(read(".dockerignore"));

  it("keeps local state, build output, tests and VCS data out of the build context", () => {
    for (const file of ["node_modules", "dist", "coverage", ".git", "test/artifacts", "test"]) {
      expect(ignored(file), `${file} should be ignored`).toBe(true);
    }
  });

  it("keeps secrets and local state out at any depth, not only at the root", () => {
    for (const file of [
      "client.key",
      "examples/client.key",
      "examples/tls/server.pem",
      "examples/tls/server.crt",
      "examples/example.password",
      "src/.env",
      "examples/.env.local",
      "examples/secrets/token",
      "examples/node_modules/x/index.js",
      "src/debug.log",
      ".npmrc",
    ]) {
      expect(ignored(file), `${file} should be ignored`).toBe(true);
    }
    // Every file of the repository's src/ and examples/ is needed by the build.
    const files = ["src", "examples"].flatMap((dir) =>
      readdirSync(path.join(ROOT, dir), { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => path.relative(ROOT, path.join(entry.parentPath, entry.name))),
    );
    expect(files).toContain("src/config/secrets.ts");
    expect(files.filter(ignored)).toEqual([]);
  });

  it("keeps every file the Dockerfile copies from the context", () => {
    const sources = instructions
      .filter((i) => i.keyword === "COPY" && !/--from=/.test(i.args))
      .flatMap((i) =>
        i.args
          .split(/\s+/)
          .filter((word) => !word.startsWith("--"))
          .slice(0, -1),
      );
    expect(sources).toEqual(expect.arrayContaining(["package.json", "package-lock.json", "src"]));
    for (const source of sources) {
      expect(ignored(source), `${source} is copied but ignored`).toBe(false);
      expect(existsSync(path.join(ROOT, source)), `${source} is copied but missing`).toBe(true);
    }
  });
});
