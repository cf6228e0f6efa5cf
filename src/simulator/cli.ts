/**
 * Command line of the standalone simulator (`npm run simulator -- --scenario dns-down`):
 * parsing, the banner, and `run`. `main.ts` only wires it to the process, so all of this is
 * testable in-process.
 */
import { readFile } from "node:fs/promises";
import { util } from "../util/builtins.js";
import type { Scenario } from "./scenario.js";
import { SCENARIOS, getScenario } from "./scenarios/index.js";
import { startSimulator } from "./server.js";

/** What the command line asks for. */
export interface SimulatorCli {
  readonly host: string;
  readonly port: number;
  readonly scenario: Scenario;
  /** File paths; cert and key together, client CA only with them. */
  readonly tls?: {
    readonly certFile: string;
    readonly keyFile: string;
    readonly clientCaFile?: string;
  };
}

/** Usage text, listing the scenarios. */
export function usage(): string {
  const scenarios = Object.values(SCENARIOS)
    .map((s) => `  ${s.name.padEnd(15)} ${s.description}`)
    .join("\n");
  return (
    "Usage: node dist/simulator/main.js [--port 9746] [--host 127.0.0.1] [--scenario demo]\n" +
    "       [--tls-cert FILE --tls-key FILE [--tls-client-ca FILE]]\n\n" +
    `Scenarios:\n${scenarios}\n`
  );
}

/**
 * Parses the simulator's arguments; `"help"` when `--help` was given.
 * @throws Error with a one-line message for unknown flags, a bad port, an unknown scenario or
 *   incomplete TLS flags
 */
export function parseCli(argv: readonly string[]): SimulatorCli | "help" {
  const { values } = util.parseArgs({
    args: [...argv],
    strict: true,
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "9746" },
      scenario: { type: "string", default: "demo" },
      "tls-cert": { type: "string" },
      "tls-key": { type: "string" },
      "tls-client-ca": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) return "help";
  const port = Number(values.port);
  if (!/^\d+$/.test(values.port) || port > 65535) {
    throw new Error(`--port must be a port number (0-65535), got ${JSON.stringify(values.port)}`);
  }
  const scenario = getScenario(values.scenario);
  const certFile = values["tls-cert"];
  const keyFile = values["tls-key"];
  const clientCaFile = values["tls-client-ca"];
  if ((certFile === undefined) !== (keyFile === undefined)) {
    throw new Error("--tls-cert and --tls-key go together");
  }
  if (certFile === undefined || keyFile === undefined) {
    if (clientCaFile !== undefined)
      throw new Error("--tls-client-ca needs --tls-cert and --tls-key");
    return { host: values.host, port, scenario };
  }
  return {
    host: values.host,
    port,
    scenario,
    tls: { certFile, keyFile, ...(clientCaFile === undefined ? {} : { clientCaFile }) },
  };
}

/**
 * What the simulator prints once it listens: its URL, the scenario, and the demo accounts and
 * certificate names to use (demo data, not secrets).
 */
export function banner(url: string, scenario: Scenario): string {
  const targets = scenario.targets.map((t) => `${t.entity}/${t.id}`).join(", ");
  const accounts = scenario.accounts
    .map((a) => `  ${a.username} / ${a.password}  (${a.targets.join(", ")})`)
    .join("\n");
  const certificates = scenario.certificates
    .map((c) => `  CN=${c.commonName}  (${c.targets.join(", ")})`)
    .join("\n");
  return (
    `MoSAPI simulator listening on ${url}\n` +
    `Scenario ${scenario.name}: ${scenario.description}\n` +
    `Targets: ${targets}\n` +
    `Basic-auth accounts (GET ${url}/<ry|rr>/<id>/login):\n${accounts}\n` +
    `Client certificate identities (with --tls-client-ca):\n${certificates}\n` +
    `Control: ${url}/_sim/stats\n`
  );
}

/** Where `run` writes, and when it stops. */
export interface RunIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
  /** Resolves with a reason (e.g. the signal name) when the simulator should shut down. */
  readonly stop: Promise<string>;
  /** Called once the simulator listens. */
  readonly onListening?: (url: string) => void;
}

/** Reads the PEM files named on the command line. */
async function readTls(tls: NonNullable<SimulatorCli["tls"]>) {
  const [cert, key, clientCa] = await Promise.all([
    readFile(tls.certFile, "utf8"),
    readFile(tls.keyFile, "utf8"),
    tls.clientCaFile === undefined ? undefined : readFile(tls.clientCaFile, "utf8"),
  ]);
  return { cert, key, ...(clientCa === undefined ? {} : { clientCa }) };
}

/**
 * Runs the simulator until `io.stop` resolves; logs one line per request to stdout.
 * Resolves with the exit code: 0 after a clean stop or `--help`, 2 for a bad command line,
 * 1 when it cannot start (unreadable TLS file, port in use).
 */
export async function run(argv: readonly string[], io: RunIo): Promise<number> {
  let cli: SimulatorCli | "help";
  try {
    cli = parseCli(argv);
  } catch (err) {
    io.stderr.write(`mosapi-simulator: ${(err as Error).message}\n\n${usage()}`);
    return 2;
  }
  if (cli === "help") {
    io.stdout.write(usage());
    return 0;
  }
  let simulator;
  try {
    simulator = await startSimulator({
      scenario: cli.scenario,
      host: cli.host,
      port: cli.port,
      ...(cli.tls === undefined ? {} : { tls: await readTls(cli.tls) }),
      logger: (line) => io.stdout.write(`${line}\n`),
    });
  } catch (err) {
    io.stderr.write(`mosapi-simulator: cannot start: ${(err as Error).message}\n`);
    return 1;
  }
  io.stdout.write(banner(simulator.url, cli.scenario));
  io.onListening?.(simulator.url);
  const reason = await io.stop;
  io.stdout.write(`Received ${reason}, shutting down\n`);
  await simulator.close();
  return 0;
}
