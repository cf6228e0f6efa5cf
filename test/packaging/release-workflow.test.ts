/**
 * The release workflow (.github/workflows/release.yml) publishes what the chart runs: on a
 * version tag it checks the tag against package.json and Chart.yaml, builds the image for
 * amd64 and arm64, pushes it as values.yaml's image.repository tagged with the version (the
 * chart's default image: appVersion as tag), and pushes the packaged chart. GitHub Actions
 * cannot run here; this checks the file's wiring.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const read = (file: string): string => readFileSync(path.join(ROOT, file), "utf8");

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, string | boolean>;
  readonly env?: Record<string, string>;
}
interface Job {
  readonly needs?: string | string[];
  readonly permissions?: Record<string, string>;
  readonly outputs?: Record<string, string>;
  readonly steps: Step[];
}
const workflow = parse(read(".github/workflows/release.yml")) as {
  on: { push: { tags: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
};
const chart = parse(read("helm/mosapi-exporter/Chart.yaml")) as {
  version: string;
  appVersion: string;
  annotations: Record<string, string>;
};
const values = parse(read("helm/mosapi-exporter/values.yaml")) as {
  image: { repository: string; tag: string; digest: string };
};
const job = (name: string): Job => {
  const found = workflow.jobs[name];
  if (found === undefined) throw new Error(`no job ${name}`);
  return found;
};
const step = (name: string, uses: string): Step => {
  const found = job(name).steps.filter((s) => s.uses?.startsWith(`${uses}@`));
  expect(found, `${name}: one step using ${uses}`).toHaveLength(1);
  return found[0]!;
};

describe(".github/workflows/release.yml", () => {
  it("runs on version tags only, with read-only default permissions", () => {
    expect(workflow.on).toEqual({ push: { tags: ["v*.*.*"] } });
    expect(workflow.permissions).toEqual({ contents: "read" });
  });

  it("refuses a tag that disagrees with package.json or Chart.yaml, and lints the Dockerfile", () => {
    const script = job("versions")
      .steps.map((s) => s.run ?? "")
      .join("\n");
    for (const read of ["package.json", "Chart.yaml", "values.yaml"]) {
      expect(script).toContain(read);
    }
    expect(script).toMatch(/chart\.appVersion !== tag/);
    expect(script).toMatch(/chart\.version !== tag/);
    expect(script).toMatch(/values\.image\.repository/);
    expect(step("versions", "hadolint/hadolint-action").with).toEqual({ dockerfile: "Dockerfile" });
  });

  it("builds for amd64 and arm64 and pushes the chart's default image", () => {
    const build = step("image", "docker/build-push-action");
    expect(String(build.with?.["platforms"]).split(",").sort()).toEqual([
      "linux/amd64",
      "linux/arm64",
    ]);
    expect(build.with?.["push"]).toBe(true);
    expect(build.with?.["tags"]).toBe(
      "${{ needs.versions.outputs.image }}:${{ needs.versions.outputs.version }}",
    );
    expect(job("image").needs).toBe("versions");
    expect(job("image").permissions).toMatchObject({ packages: "write" });
    expect(step("image", "docker/login-action").with?.["registry"]).toBe("ghcr.io");
    expect(String(build.with?.["build-args"])).toMatch(/VERSION=.*\n.*REVISION=/);
  });

  it("publishes the chart after the image, with the helm the tests use", () => {
    const chartJob = job("chart");
    expect(chartJob.needs).toEqual(["versions", "image"]);
    const script = chartJob.steps.map((s) => s.run ?? "").join("\n");
    expect(script).toContain("node scripts/tools/helm.mjs");
    expect(script).toMatch(/lint --strict helm\/mosapi-exporter/);
    expect(script).toMatch(/package helm\/mosapi-exporter/);
    expect(script).toMatch(
      /push dist-chart\/mosapi-exporter-\$\{\{ needs\.versions\.outputs\.version \}\}\.tgz/,
    );
  });
});

describe("the chart's default image is the one the workflow publishes", () => {
  it("image.repository on ghcr.io, tag and digest empty (so: appVersion)", () => {
    expect(values.image.repository).toMatch(/^ghcr\.io\/[^/]+\/mosapi-exporter$/);
    expect(values.image.tag).toBe("");
    expect(values.image.digest).toBe("");
    expect(chart.version).toBe(chart.appVersion);
  });

  it("Chart.yaml's artifacthub.io/images names it", () => {
    const images = parse(chart.annotations["artifacthub.io/images"] ?? "") as { image: string }[];
    expect(images.map((i) => i.image)).toEqual([`${values.image.repository}:${chart.appVersion}`]);
  });
});
