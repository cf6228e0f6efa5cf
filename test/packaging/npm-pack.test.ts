/**
 * The npm package people install: `npm pack` holds the build, the docs, the rules, the
 * dashboards and the licence, and no tests, sources or secrets; the tarball installs into an
 * empty prefix (dependencies from npm's cache, the registry only for what it lacks) and its
 * `mosapi-exporter` command answers `--version` and `--config.check`. Needs a build (npm test
 * builds first).
 */
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { packageVersion } from "../../src/version.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const exec = promisify(execFile);
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

describe.skipIf(!existsSync(path.join(ROOT, "dist/main.js")))("the npm package", () => {
  let dir: string;
  let tarball: string;
  let files: string[];

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), "mosapi-pack-"));
    const { stdout } = await exec(npm, ["pack", "--json", "--pack-destination", dir], {
      cwd: ROOT,
    });
    const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
    tarball = path.join(dir, packed!.filename);
    files = packed!.files.map((f) => f.path);
  }, 60_000);

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("holds the build, docs, rules, dashboards and licence", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "package.json",
        "LICENSE",
        "README.md",
        "METRICS.md",
        "CONFIGURATION.md",
        "dist/main.js",
        "dist/simulator/demo.js",
        "docs/deploy.md",
        "examples/demo.yml",
        "prometheus/mosapi-alerts.yml",
        "prometheus/mosapi-recording.yml",
        "grafana/dashboards/mosapi-fleet.json",
      ]),
    );
  });

  it("holds no tests, sources, tooling or secrets", () => {
    const unwanted = files.filter((file) =>
      /^(test|src|bench|scripts|helm|\.ci|node_modules|coverage)\/|\.(password|pem|key|env)$|(^|\/)\.env|\.test\.|secrets\//.test(
        file,
      ),
    );
    expect(unwanted).toEqual([]);
  });

  it("installs into an empty prefix; its command answers --version and --config.check", async () => {
    const prefix = path.join(dir, "prefix");
    await exec(
      npm,
      ["install", "--prefer-offline", "--no-audit", "--no-fund", "--prefix", prefix, tarball],
      { cwd: dir },
    );
    const bin = path.join(prefix, "node_modules/.bin/mosapi-exporter");
    const version = await exec(bin, ["--version"], { cwd: dir });
    expect(version.stdout).toBe(`mosapi-exporter ${packageVersion()} (node ${process.version})\n`);
    const example = path.join(prefix, "node_modules/mosapi-exporter/examples/demo.yml");
    const check = await exec(bin, ["--config.check", `--config.file=${example}`], { cwd: dir });
    expect(check.stdout).toContain(`configuration ${example} is valid`);
  }, 180_000);
});
