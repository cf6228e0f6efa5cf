/**
 * `npm test`'s pretest step: makes sure the programs the tests run exist, so the README's
 * `npm ci && npm test` works on a machine with nothing but Node and npm.
 *
 * 1. Each program in {@link TOOLS} is looked up on PATH, then in Debian's /usr/bin (the same
 *    lookup as test/helpers/tools.ts). When some are missing and this runs as root on a machine
 *    with apt-get, their Debian packages are installed (`apt-get update`, then
 *    `apt-get install --no-install-recommends`). Otherwise it stops at once, exit 1, naming the
 *    exact command to run.
 * 2. Every provisioning script in scripts/tools/ (`*.js`, `*.mjs`, in name order) runs with this
 *    Node; each fetches one tool that has no Debian package into a cache, and must exit 0.
 *
 * `MOSAPI_PRETEST_APT=0` forbids the installation (only the check and the message remain).
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Program → Debian package. What each is for is in the tests that use it. */
export const TOOLS = [
  { program: "openssl", pkg: "openssl" }, // throwaway CA and certificates for the TLS tests
  { program: "promtool", pkg: "prometheus" }, // rule unit tests, `check metrics`
  { program: "prometheus", pkg: "prometheus" }, // the end-to-end test with a real Prometheus
  { program: "amtool", pkg: "prometheus-alertmanager" }, // the example Alertmanager config
  { program: "prometheus-alertmanager", pkg: "prometheus-alertmanager" }, // alert delivery
  { program: "chromium", pkg: "chromium" }, // the status board in a headless browser
];

/** Where a program is looked for after PATH: Debian's packages install there. */
export const FALLBACK_DIRS = ["/usr/bin", "/usr/sbin"];

/** The executable's path, or undefined: PATH first, then {@link FALLBACK_DIRS}. */
export function findProgram(program, envPath = process.env.PATH ?? "") {
  const dirs = [...envPath.split(path.delimiter).filter((d) => d !== ""), ...FALLBACK_DIRS];
  for (const dir of dirs) {
    const candidate = path.join(dir, program);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/** The command a person runs to install `packages`. */
export function installCommand(packages) {
  return `sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages.join(" ")}`;
}

function say(line) {
  process.stderr.write(`pretest: ${line}\n`);
}

function run(file, args, env = process.env) {
  return spawnSync(file, args, { stdio: ["ignore", "inherit", "inherit"], env }).status === 0;
}

/**
 * Step 1: true when every program of {@link TOOLS} is there at the end. The machine is passed
 * in so a test can play any machine: `find` looks a program up, `root` says whether apt may run,
 * `run(file, args, env)` runs a command and says whether it exited 0, `say` prints a line.
 */
export function provideDebianPackages({
  find = (program) => findProgram(program),
  root = process.getuid?.() === 0 && process.env.MOSAPI_PRETEST_APT !== "0",
  run: runCommand = run,
  say: print = say,
} = {}) {
  const missing = () => {
    const tools = TOOLS.filter((tool) => find(tool.program) === undefined);
    return {
      programs: tools.map((t) => t.program),
      packages: [...new Set(tools.map((t) => t.pkg))],
    };
  };
  const { programs, packages } = missing();
  if (packages.length === 0) return true;
  print(`missing ${programs.join(", ")} (Debian packages: ${packages.join(", ")})`);
  const apt = find("apt-get");
  if (!root || apt === undefined) {
    const why = root ? "no apt-get" : "not running as root, or MOSAPI_PRETEST_APT=0";
    print(`cannot install them here (${why}). Install them, then run npm test again:`);
    print(`  ${installCommand(packages)}`);
    return false;
  }
  print(`installing ${packages.join(" ")} with apt-get`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const installed =
    runCommand(apt, ["update", "-qq"], env) &&
    runCommand(apt, ["install", "-y", "-qq", "--no-install-recommends", ...packages], env);
  const still = missing();
  if (!installed || still.packages.length > 0) {
    print(
      `apt-get did not provide ${(still.programs.length > 0 ? still.programs : programs).join(", ")}. Try:`,
    );
    print(`  ${installCommand(packages)}`);
    return false;
  }
  print(`installed ${packages.join(" ")}`);
  return true;
}

function runProvisioningScripts(root) {
  const dir = path.join(root, "scripts/tools");
  if (!existsSync(dir)) return true;
  const scripts = readdirSync(dir)
    .filter((name) => name.endsWith(".js") || name.endsWith(".mjs"))
    .sort();
  for (const name of scripts) {
    if (!run(process.execPath, [path.join(dir, name)])) {
      say(`scripts/tools/${name} failed; see its output above`);
      return false;
    }
  }
  return true;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const root = fileURLToPath(new URL("../", import.meta.url));
  process.exitCode = provideDebianPackages() && runProvisioningScripts(root) ? 0 : 1;
}
