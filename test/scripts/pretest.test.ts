/**
 * `npm test`'s pretest step (scripts/pretest.js): on a machine without the programs the tests
 * run, it installs their Debian packages as root with apt-get, and otherwise stops naming the
 * exact command. The machine is played by injected functions; the real script also runs once.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

interface PretestModule {
  TOOLS: { program: string; pkg: string }[];
  findProgram(program: string, envPath?: string): string | undefined;
  provideDebianPackages(machine: {
    find: (program: string) => string | undefined;
    root: boolean;
    run: (file: string, args: string[], env: NodeJS.ProcessEnv) => boolean;
    say: (line: string) => void;
  }): boolean;
}

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
// A variable specifier: TypeScript does not look for declarations of the plain-JS script.
const specifier = new URL("../../scripts/pretest.js", import.meta.url).href;
const pretest = (await import(specifier)) as PretestModule;

/** A machine where `present` are installed; apt-get installs whatever it is asked for. */
function machine(present: string[], root: boolean) {
  const installed = new Set(present);
  const lines: string[] = [];
  const commands: string[] = [];
  const packagesOf = (pkg: string) =>
    pretest.TOOLS.filter((t) => t.pkg === pkg).map((t) => t.program);
  return {
    lines,
    commands,
    find: (program: string) => (installed.has(program) ? `/usr/bin/${program}` : undefined),
    root,
    run: (file: string, args: string[], env: NodeJS.ProcessEnv) => {
      commands.push(`${env["DEBIAN_FRONTEND"] ?? ""} ${file} ${args.join(" ")}`.trim());
      if (args[0] === "install")
        for (const pkg of args.slice(4)) packagesOf(pkg).forEach((p) => installed.add(p));
      return true;
    },
    say: (line: string) => lines.push(line),
  };
}

const EVERYTHING = pretest.TOOLS.map((t) => t.program);
const WITHOUT_BROWSER_AND_PROMETHEUS = [
  "apt-get",
  ...EVERYTHING.filter((p) => p !== "chromium" && p !== "promtool" && p !== "prometheus"),
];

describe("scripts/pretest.js", () => {
  it("does nothing when every program is there", () => {
    const m = machine(EVERYTHING, false);
    expect(pretest.provideDebianPackages(m)).toBe(true);
    expect({ lines: m.lines, commands: m.commands }).toEqual({ lines: [], commands: [] });
  });

  it("stops naming the exact install command when it may not install", () => {
    const m = machine(WITHOUT_BROWSER_AND_PROMETHEUS, false);
    expect(pretest.provideDebianPackages(m)).toBe(false);
    expect(m.commands).toEqual([]);
    expect(m.lines).toEqual([
      "missing promtool, prometheus, chromium (Debian packages: prometheus, chromium)",
      "cannot install them here (not running as root, or MOSAPI_PRETEST_APT=0). Install them, then run npm test again:",
      "  sudo apt-get update && sudo apt-get install -y --no-install-recommends prometheus chromium",
    ]);
  });

  it("installs the missing Debian packages as root with apt-get", () => {
    const m = machine(WITHOUT_BROWSER_AND_PROMETHEUS, true);
    expect(pretest.provideDebianPackages(m)).toBe(true);
    expect(m.commands).toEqual([
      "noninteractive /usr/bin/apt-get update -qq",
      "noninteractive /usr/bin/apt-get install -y -qq --no-install-recommends prometheus chromium",
    ]);
    expect(m.lines.at(-1)).toBe("installed prometheus chromium");
  });

  it("fails, naming the command, when apt-get leaves a program missing", () => {
    const m = machine(WITHOUT_BROWSER_AND_PROMETHEUS, true);
    const result = pretest.provideDebianPackages({ ...m, run: () => true });
    expect(result).toBe(false);
    expect(m.lines.slice(-2)).toEqual([
      "apt-get did not provide promtool, prometheus, chromium. Try:",
      "  sudo apt-get update && sudo apt-get install -y --no-install-recommends prometheus chromium",
    ]);
  });

  it("finds programs on PATH before the Debian fallback", () => {
    expect(
      pretest.findProgram("node", `${ROOT}/no-such-dir:${process.execPath.replace(/\/node$/, "")}`),
    ).toBe(process.execPath);
    expect(pretest.findProgram("surely-not-a-program-xyz", "")).toBeUndefined();
  });

  it("passes on this machine, where the programs are installed", () => {
    const result = spawnSync(process.execPath, ["scripts/pretest.js"], {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, MOSAPI_PRETEST_APT: "0" },
    });
    expect({ code: result.status, stderr: result.stderr }).toEqual({ code: 0, stderr: "" });
  });
});
