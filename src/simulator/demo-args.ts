/** The demo's command line: its own `--simulator.port`, and the exporter's flags. */

/** Port examples/demo.yml points at. */
export const DEFAULT_SIMULATOR_PORT = 9746;

/**
 * Splits the demo's own `--simulator.port` off the exporter's arguments.
 * @returns the port, or a one-line error naming the flag
 */
export function demoArguments(
  argv: readonly string[],
): { port: number; exporter: string[] } | { error: string } {
  const exporter: string[] = [];
  let port = DEFAULT_SIMULATOR_PORT;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg !== "--simulator.port" && !arg.startsWith("--simulator.port=")) {
      exporter.push(arg);
      continue;
    }
    const value = arg.includes("=") ? arg.slice(arg.indexOf("=") + 1) : argv[++i];
    if (value === undefined || !/^\d{1,5}$/.test(value) || Number(value) > 65535) {
      return {
        error: `--simulator.port: expected a port number 0-65535, got ${value ?? "nothing"}`,
      };
    }
    port = Number(value);
  }
  return { port, exporter };
}
