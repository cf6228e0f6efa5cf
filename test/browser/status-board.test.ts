/// <reference lib="dom" />
/**
 * The status board in a real browser: Debian's headless Chromium, driven by playwright-core,
 * against the whole exporter running on the simulator's demo scenario (both in-process on
 * loopback, every collector refreshing each second). Each check opens a fresh browser context;
 * Playwright gives the browser itself a fresh temporary profile, removed on close.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";
import { chromium, type Browser, type BrowserContextOptions, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { StatusJson } from "../../src/http/status-json.js";
import type { Scenario, ServiceTimeline } from "../../src/simulator/scenario.js";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import { DEMO_LOGINS, basicCredential, startE2e, type E2e } from "../helpers/start-app.js";
import { findTool } from "../helpers/tools.js";

const ARTIFACTS = path.resolve(import.meta.dirname, "../artifacts");
/** Cells of a grid row after its row header: Refresh, Status, then DNS. */
const DNS_CELL = 2;
const HOSTILE_NS = "<img src=x onerror=alert(1)>";
const HOSTILE_CITY = '"><svg onload=alert(2)>';

/** The demo scenario with TLD test's DNS replaced by `dns` (other targets unchanged). */
function demoWithTestDns(name: string, dns: ServiceTimeline): Scenario {
  const demo = getScenario("demo");
  return {
    ...demo,
    name,
    targets: demo.targets.map((t) =>
      t.id === "test" ? { ...t, services: { ...t.services, DNS: dns } } : t,
    ),
  };
}

/** test's DNS outage, but a name server and a probe city carry markup (Scenario is data). */
const hostile = demoWithTestDns("hostile", {
  outages: [
    {
      start: -15 * 60,
      measurement: {
        probes: [{ city: "Amsterdam" }, { city: HOSTILE_CITY }, { city: "Sydney" }],
        nameServers: [{ name: HOSTILE_NS }, { name: "ns2.test" }],
        failures: [{ target: HOSTILE_NS, result: "-200" }],
      },
    },
  ],
});

/** test's DNS healthy again: no outage at all. */
const recovered = demoWithTestDns("recovered", {});

let e2e: E2e;
let browser: Browser;
/** What beforeAll started, for afterAll (which also runs when beforeAll failed half-way). */
const started: { e2e?: E2e; browser?: Browser } = {};

async function status(): Promise<StatusJson> {
  const reply = await e2e.get("/api/v1/status");
  return JSON.parse(reply.body) as StatusJson;
}

/** The JSON view of TLD test's DNS service. */
async function testDns() {
  const target = (await status()).targets.find((t) => t.key === "ry/test");
  return target?.services.find((s) => s.serviceType === "dns");
}

/** Opens `pathname` in a fresh context; failing if the page ever runs script or opens a dialog. */
async function open(pathname: string, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext(options);
  const page = await context.newPage();
  page.on("dialog", (dialog) => {
    throw new Error(`the page opened a dialog: ${dialog.message()}`);
  });
  const response = await page.goto(e2e.app.url + pathname);
  expect(response?.status()).toBe(200);
  return page;
}

beforeAll(async () => {
  const executablePath = findTool("chromium", "chromium");
  const [e2eResult, browserResult] = await Promise.allSettled([
    startE2e({
      config: (sim) => ({
        mosapi: { url: sim.url, timeout: "5s" },
        credentials: Object.fromEntries(
          Object.entries(DEMO_LOGINS).map(([id, l]) => [
            `${id}-login`,
            basicCredential(l.username, l.password),
          ]),
        ),
        targets: [
          { tld: "example", credentials: "example-login" },
          { tld: "test", credentials: "test-login" },
          { tld: "xn--zckzah", credentials: "xn--zckzah-login" },
          { registrar_id: "9999", credentials: "9999-login" },
        ],
        collectors: {
          state: "1s",
          alarmed: "1s",
          downtime: "1s",
          incidents: "1s",
          metrica: "1s",
          measurements: "1s",
          troubleshooting: "1s",
        },
      }),
    }),
    chromium.launch({
      executablePath,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    }),
  ]);
  if (e2eResult.status === "fulfilled") started.e2e = e2e = e2eResult.value;
  if (browserResult.status === "fulfilled") started.browser = browser = browserResult.value;
  for (const result of [e2eResult, browserResult]) {
    if (result.status === "rejected") throw result.reason;
  }
  // Everything the page shows is in: the incident's measurement and every METRICA answer.
  await e2e.waitFor(
    async () => {
      const s = await status();
      return (
        s.exporter.ready &&
        s.targets.every((t) => t.metricaState !== "pending") &&
        (await testDns())?.incidents.some((i) => i.latestMeasurement !== null) === true
      );
    },
    { what: "the demo's incident measurement and METRICA", timeoutMs: 10_000 },
  );
});

afterAll(async () => {
  await started.browser?.close();
  await started.e2e?.close();
});

describe("the status board on the demo scenario", () => {
  it("shows the Down DNS service of test and its incident detail; saves a screenshot", async () => {
    const page = await open("/", { viewport: { width: 1280, height: 900 } });
    await expect(page.title()).resolves.toBe("MoSAPI exporter");
    const row = page.getByRole("row", { name: /TLD test/ }).first();
    await expect(row.getByRole("cell").nth(DNS_CELL).innerText()).resolves.toMatch(/^down\b/);
    expect(await row.innerText()).toContain("% of emergency threshold");

    const incidents = page.getByRole("region", { name: "Active incidents" });
    const text = await incidents.innerText();
    expect(text).toContain("TLD test DNS: incident");
    expect(text).toMatch(/Started \d+ min ago/);
    // The absolute UTC time is in the tooltip; a time never wraps onto two lines.
    const started = incidents.locator("time").first();
    await expect(started.getAttribute("title")).resolves.toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$/,
    );
    const box = await started.boundingBox();
    const lineHeight = await started.evaluate((el) => parseFloat(getComputedStyle(el).lineHeight));
    expect(box!.height).toBeLessThan(lineHeight * 1.5);
    expect(text).toContain("Johannesburg (offline)");
    expect(text).toContain("Singapore (no result)");
    expect(text).toContain("Name servers down: ns1.test, ns2.test.");
    const errors = incidents.getByRole("table", { name: "Failing tests by error code" });
    await expect(errors.getByRole("row", { name: /-200/ }).innerText()).resolves.toContain(
      "No reply from name server",
    );
    await expect(errors.getByRole("row", { name: /-816/ }).innerText()).resolves.toContain(
      "DNSSEC: signature expired (TCP)",
    );

    const metrica = await page.getByRole("region", { name: "Domain METRICA" }).innerText();
    expect(metrica).toContain("Botnet command and control not monitored");
    const links = await page.getByRole("navigation").getByRole("link").allInnerTexts();
    expect(links).toEqual(expect.arrayContaining(["Metrics", "Health", "Readiness"]));

    await mkdir(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, "status-board.png"), fullPage: true });
    await page.context().close();
  });

  it("links each target to its detail page with the full probe list; unknown targets 404", async () => {
    const page = await open("/");
    await page.getByRole("link", { name: "TLD test" }).first().click();
    expect(new URL(page.url()).pathname).toBe("/targets/ry/test");
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe("TLD test");
    const probes = page.getByRole("table", { name: "Probes", exact: true });
    await expect(probes.getByRole("row").count()).resolves.toBe(7);
    const servers = await page
      .getByRole("table", { name: "Name servers", exact: true })
      .innerText();
    expect(servers).toMatch(/ns1\.test\s+down/);
    const missing = await page.goto(`${e2e.app.url}/targets/ry/nope`);
    expect(missing?.status()).toBe(404);
    await expect(page.getByRole("heading", { level: 1 }).innerText()).resolves.toBe(
      "Unknown target",
    );
    await page.context().close();
  });

  it("shows the demo's early warning on the board and test's traces on its page", async () => {
    await e2e.waitFor(
      async () => (await status()).targets.some((t) => t.earlyWarnings.length > 0),
      { what: "the demo's early warning on the status API", timeoutMs: 10_000 },
    );
    await e2e.waitFor(
      async () => (await e2e.get("/targets/ry/test")).body.includes("Loss starts"),
      {
        what: "test's traces on its page",
        timeoutMs: 10_000,
      },
    );
    const page = await open("/");
    const warnings = await page.getByRole("region", { name: "Early warnings" }).innerText();
    expect(warnings).toMatch(/TLD example\s+DNS\s+\d+ of \d+ probes \([\d.]+%\) lose \S+/);
    const row = page.getByRole("row", { name: /TLD example/ }).first();
    await expect(row.getByRole("cell").nth(DNS_CELL).innerText()).resolves.toContain(
      "EARLY WARNING",
    );
    const incidents = await page.getByRole("region", { name: "Active incidents" }).innerText();
    expect(incidents).toMatch(/Probe-network traces: \d+ of \d+ traces reach their address; /);
    await page.getByRole("link", { name: "TLD test" }).first().click();
    const traces = page.getByRole("region", { name: "Probe-network traces" });
    const text = await traces.innerText();
    expect(text).toMatch(/\(name server\): reached by \d+ of \d+ probes/);
    expect(text).toMatch(/\bno\b[^\n]*hop \d+: \S+/);
    await page.context().close();
  });

  it("works with JavaScript disabled", async () => {
    const page = await open("/", { javaScriptEnabled: false });
    expect(await page.getByRole("main").innerText()).toContain("Name servers down: ns1.test");
    await page.context().close();
  });

  it("fits a phone: only the grid scrolls sideways", async () => {
    const page = await open("/", { viewport: { width: 390, height: 844 }, isMobile: true });
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      viewport: document.documentElement.clientWidth,
      grid: document.getElementById("grid")?.scrollWidth ?? 0,
      gridBox: document.getElementById("grid")?.clientWidth ?? 0,
    }));
    expect(widths.page).toBeLessThanOrEqual(widths.viewport);
    expect(widths.grid).toBeGreaterThan(widths.gridBox);
    await page.context().close();
  });
});

describe("when the simulator changes", () => {
  it("renders markup injected through the scenario as text", async () => {
    e2e.sim.setScenario(hostile);
    await e2e.waitFor(
      async () =>
        (await testDns())?.incidents.some((i) =>
          i.latestMeasurement?.nameServers.some((ns) => ns.name === HOSTILE_NS),
        ) === true,
      { what: "the hostile name server on the status API", timeoutMs: 10_000 },
    );
    for (const pathname of ["/", "/targets/ry/test"]) {
      const page = await open(pathname);
      expect(await page.locator("img, svg, script").count()).toBe(0);
      await expect(page.getByText(HOSTILE_NS).first().isVisible()).resolves.toBe(true);
      await expect(page.getByText(HOSTILE_CITY).first().isVisible()).resolves.toBe(true);
      await page.context().close();
    }
  });

  it("shows test healthy after a reload once its outage is gone", async () => {
    const page = await open("/");
    expect(await page.getByRole("main").innerText()).toContain("TLD test DNS: incident");
    e2e.sim.setScenario(recovered);
    await e2e.waitFor(async () => (await testDns())?.status === "up", {
      what: "test's DNS up on the status API",
      timeoutMs: 10_000,
    });
    await page.reload();
    const row = page.getByRole("row", { name: /TLD test/ }).first();
    await expect(row.getByRole("cell").nth(DNS_CELL).innerText()).resolves.toMatch(/^up\b/);
    expect(await page.getByRole("main").innerText()).not.toContain("TLD test DNS: incident");
    await page.context().close();
  });
});
