/**
 * `npm run demo`'s command line: `--simulator.port` and `--web.listen-address` move it off
 * 9745/9746, and a busy port is one clear line, never a stack trace. The process tests run the
 * built `dist/simulator/demo.js` (npm test builds first).
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync } from "node:fs";
import { createServer, type AddressInfo, type Server } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { demoArguments } from "../../src/simulator/demo-args.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

describe("demoArguments", () => {
  it("takes --simulator.port in both spellings and leaves the rest to the exporter", () => {
    expect(demoArguments(["--simulator.port=0", "--log.format=logfmt"])).toEqual({
      port: 0,
      exporter: ["--log.format=logfmt"],
    });
    expect(demoArguments(["--web.listen-address", ":9800", "--simulator.port", "9801"])).toEqual({
      port: 9801,
      exporter: ["--web.listen-address", ":9800"],
    });
    expect(demoArguments([])).toEqual({ port: 9746, exporter: [] });
  });

  it("names the flag when its value is not a port", () => {
    expect(demoArguments(["--simulator.port=x"])).toEqual({
      error: "--simulator.port: expected a port number 0-65535, got x",
    });
    expect(demoArguments(["--simulator.port"])).toEqual({
      error: "--simulator.port: expected a port number 0-65535, got nothing",
    });
    expect(demoArguments(["--simulator.port=70000"])).toHaveProperty("error");
  });
});

/** Runs the built demo until it exits, or until `until(stdout)` holds (then SIGTERM). */
async function demo(args: string[], until?: (stdout: string) => boolean) {
  const child = spawn(process.execPath, ["dist/simulator/demo.js", ...args], { cwd: ROOT });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
    if (until?.(stdout)) child.kill("SIGTERM");
  });
  child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  const [code] = (await once(child, "exit")) as [number | null];
  return { code, stdout, stderr };
}

describe.skipIf(!existsSync(new URL("../../dist/simulator/demo.js", import.meta.url)))(
  "npm run demo",
  () => {
    let busy: Server;
    let port: number;
    beforeAll(async () => {
      busy = createServer();
      await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
      port = (busy.address() as AddressInfo).port;
    });
    afterAll(async () => {
      await new Promise((resolve) => busy.close(resolve));
    });

    it("says which port is busy and how to choose another", async () => {
      const sim = await demo([`--simulator.port=${port}`]);
      expect(sim).toEqual({
        code: 1,
        stdout: "",
        stderr: `demo: --simulator.port=${port}: the port is in use (another demo or simulator running?); choose another, e.g. npm run demo -- --simulator.port=0\n`,
      });
      const exporter = await demo(["--simulator.port=0", `--web.listen-address=127.0.0.1:${port}`]);
      expect(exporter.code).toBe(1);
      expect(exporter.stderr).toContain(
        `mosapi-exporter: --web.listen-address=127.0.0.1:${port}: the address is already in use (another exporter or demo running?)\n`,
      );
      expect(exporter.stderr).not.toMatch(/\n\s+at /);
    });

    it("runs on the ports it is given", async () => {
      const run = await demo(
        ["--simulator.port=0", "--web.listen-address=127.0.0.1:0", "--log.level=error"],
        (stdout) => stdout.includes("landing page"),
      );
      expect(run.stderr).toBe("");
      expect(run.code).toBe(0);
      expect(run.stdout).toMatch(/MoSAPI simulator {2}http:\/\/127\.0\.0\.1:(?!9746)\d+ /);
      expect(run.stdout).toMatch(/exporter {10}http:\/\/127\.0\.0\.1:(?!9745)\d+\/ /);
    });
  },
);
