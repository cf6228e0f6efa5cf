/**
 * Regenerates docs/status-board.png, the README's picture of the status board, from the
 * current build: runs `npm run demo`'s program on free ports, waits until the demo's incident
 * has its measurement, and photographs the board in headless Chromium (found like the tests
 * find it). Run `npm run build` first.
 *
 *   node scripts/screenshot.js [out.png]
 */
import { execFileSync, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { findProgram } from "./pretest.js";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const out = process.argv[2] ?? `${ROOT}docs/status-board.png`;
const revision = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT })
  .toString()
  .trim();
const demo = spawn(
  process.execPath,
  [
    "dist/simulator/demo.js",
    "--simulator.port=0",
    "--web.listen-address=127.0.0.1:0",
    "--log.level=error",
  ],
  {
    cwd: ROOT,
    env: { ...process.env, MOSAPI_EXPORTER_REVISION: revision },
    stdio: ["ignore", "pipe", "inherit"],
  },
);
try {
  const url = await new Promise((resolve, reject) => {
    let text = "";
    demo.stdout.on("data", (chunk) => {
      text += chunk.toString();
      const match = /exporter +(http:\/\/\S+)\//.exec(text);
      if (match) resolve(match[1]);
    });
    demo.once("exit", (code) => reject(new Error(`demo exited with ${code}`)));
  });
  for (let i = 0; ; i++) {
    const status = await (await fetch(`${url}/api/v1/status`)).json();
    const dns = status.targets
      .find((t) => t.id === "test")
      ?.services.find((s) => s.serviceType === "dns");
    const measured = dns?.incidents.some((incident) => incident.latestMeasurement !== null);
    if (measured && status.targets.every((t) => t.metricaState !== "pending")) break;
    if (i > 150) throw new Error("the demo's data did not arrive in 30 s");
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  const browser = await chromium.launch({
    executablePath: findProgram("chromium"),
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  await page.goto(`${url}/`);
  await page.screenshot({ path: out, fullPage: true });
  await browser.close();
  process.stdout.write(`${out} (version from package.json, revision ${revision})\n`);
} finally {
  demo.kill("SIGTERM");
}
