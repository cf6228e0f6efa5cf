import { describe, expect, it } from "vitest";
import type { Snapshot, TargetSnapshot } from "../../src/collectors/snapshot.js";
import { formatDuration, renderLandingPage } from "../../src/http/landing.js";
import { stateResponseSchema } from "../../src/mosapi/models.js";

const NOW = Date.parse("2025-03-04T05:06:07Z");
const INFO = {
  version: "1.2.3",
  revision: "abc1234",
  nodeVersion: "v20.19.0",
  startedAt: NOW - (26 * 3600 + 5 * 60) * 1000,
};
const AT = NOW - 30_000;

function state(status: string, services: Record<string, unknown>, tld = "example") {
  return stateResponseSchema.parse({
    lastUpdateApiDatabase: 1741064700,
    tld,
    status,
    testedServices: services,
  });
}

const healthy: TargetSnapshot = {
  target: { entity: "ry", id: "example", credentials: "c" },
  up: true,
  stateAttempted: true,
  state: state("Up", {
    DNS: { status: "Up", emergencyThreshold: 12.5, incidents: [] },
    DNSSEC: { status: "Up", emergencyThreshold: 0 },
    RDDS: { status: "Disabled" },
    EPP: { status: "Up-inconclusive-no-data", emergencyThreshold: "1.0000" },
  }),
  collectors: { state: { lastSuccessAt: AT }, alarmed: { lastSuccessAt: AT - 60_000 } },
};

const down: TargetSnapshot = {
  target: { entity: "ry", id: "test", credentials: "c" },
  up: true,
  stateAttempted: true,
  state: state(
    "Down",
    {
      DNS: {
        status: "Down",
        emergencyThreshold: 41.667,
        incidents: [
          { incidentID: "1.2", startTime: 1741060000, falsePositive: false, state: "Active" },
          { incidentID: "1.1", startTime: 1740000000, endTime: 1740003600, state: "Resolved" },
        ],
      },
      RDAP: {
        status: "Up",
        emergencyThreshold: 2,
        incidents: [{ incidentID: "2.1", startTime: 1741060000, state: "Active" }],
      },
    },
    "test",
  ),
  collectors: { state: { lastSuccessAt: AT } },
};

const failing: TargetSnapshot = {
  target: { entity: "rr", id: "9999", credentials: "c" },
  up: false,
  stateAttempted: true,
  collectors: {
    state: {
      lastError: {
        reason: "timeout",
        code: "MOSAPI_TIMEOUT",
        message: "state request timed out after 15s",
        at: AT,
      },
    },
  },
};

const pending: TargetSnapshot = {
  target: { entity: "ry", id: "invalid", credentials: "c" },
  up: false,
  stateAttempted: false,
  collectors: {},
};

/** The page with insignificant whitespace removed, so assertions do not depend on layout. */
function render(targets: readonly TargetSnapshot[], ready = true): string {
  const snapshot: Snapshot = { version: 1, targets };
  return normalize(renderLandingPage({ snapshot, info: INFO, now: NOW, ready }));
}

function normalize(page: string): string {
  return page.replace(/>\s+/g, ">").replace(/\s+</g, "<").replace(/\s+/g, " ");
}

/** Row header texts in document order. */
function rowOrder(page: string): string[] {
  return [...page.matchAll(/<th scope="row">([^<]*)<\/th>/g)].map((m) => m[1]!);
}

/** The `<tr>` whose row header is `label`. */
function row(page: string, label: string): string {
  const start = page.indexOf(`<th scope="row">${label}</th>`);
  expect(start).toBeGreaterThan(-1);
  return page.slice(start, page.indexOf("</tr>", start));
}

describe("renderLandingPage", () => {
  it("is a self-refreshing, phone-friendly document with links and build info", () => {
    const page = render([healthy]);
    expect(page).toMatch(/^<!doctype html>/);
    expect(page).toContain("<title>MoSAPI exporter</title>");
    expect(page).toContain("<h1>MoSAPI exporter</h1>");
    expect(page).toContain('<meta http-equiv="refresh" content="60" />');
    expect(page).toContain(
      '<meta name="viewport" content="width=device-width, initial-scale=1" />',
    );
    expect(page).not.toContain("<script");
    for (const href of ["/metrics", "/-/healthy", "/-/ready"]) {
      expect(page).toContain(`<a href="${href}">`);
    }
    expect(page).toContain("Version 1.2.3 (revision abc1234), Node.js v20.19.0.");
    expect(page).toContain("Up 1d 2h 5m, since 2025-03-03T03:01:07Z.");
    expect(page).toContain("Ready.");
    expect(render([pending], false)).toContain("Not ready");
  });

  it("has column and row headers with scope", () => {
    const page = render([healthy]);
    for (const col of ["Target", "up", "Status", "DNS", "DNSSEC", "RDDS", "RDAP", "EPP"]) {
      expect(page).toContain(`<th scope="col">${col}</th>`);
    }
    expect(page).toContain('<th scope="row">TLD example</th>');
  });

  it("shows each service's status as text and as a colour class, with threshold used", () => {
    const r = row(render([healthy]), "TLD example");
    expect(r).toContain('<td class="s-up">yes</td>');
    expect(r).toContain('<td class="s-up">up</td>');
    expect(r).toContain(
      '<td class="s-up">up<br /><span class="threshold">12.5% of threshold</span></td>',
    );
    expect(r).toContain(
      '<td class="s-up">up<br /><span class="threshold">0% of threshold</span></td>',
    );
    expect(r).toContain('<td class="s-disabled">disabled</td>');
    expect(r).toContain('<td class="s-none">not monitored</td>');
    expect(r).toContain(
      '<td class="s-inconclusive">up-inconclusive-no-data<br /><span class="threshold">1% of threshold</span></td>',
    );
    expect(r).toContain("<li>state: 2025-03-04T05:05:37Z</li>");
    expect(r).toContain("<li>alarmed: 2025-03-04T05:04:37Z</li>");
    expect(r).toContain("<td>none</td>");
  });

  it("counts active incidents, not resolved ones", () => {
    const page = render([healthy, down]);
    expect(row(page, "TLD test")).toContain("<td>2</td>");
    expect(row(page, "TLD example")).toContain("<td>0</td>");
    expect(page).toContain("2 target(s), 2 active incident(s), 0 with failing refreshes.");
  });

  it("shows the last error of a failing collector with reason and message", () => {
    const r = row(render([failing]), "registrar 9999");
    expect(r).toContain('<td class="s-down">no</td>');
    expect(r).toContain('<td class="s-none">no data</td>');
    expect(r).toContain(
      '<li class="s-down"><strong>state</strong>: timeout: state request timed out after 15s (MOSAPI_TIMEOUT, 2025-03-04T05:05:37Z)</li>',
    );
    expect(r).toContain("<li>state: never</li>");
  });

  it("marks targets whose first refresh has not finished as pending", () => {
    const r = row(render([pending]), "TLD invalid");
    expect(r).toContain('<td class="s-none">pending</td>');
  });

  it("orders worst first: failing refreshes, then down, inconclusive, unknown, up", () => {
    // Within each group the overall status decides; ties keep configuration order.
    const inconclusive: TargetSnapshot = {
      ...healthy,
      target: { entity: "ry", id: "inconclusive", credentials: "c" },
      state: state("Up-inconclusive", { DNS: { status: "Up", emergencyThreshold: 0 } }),
    };
    const unknown: TargetSnapshot = {
      ...healthy,
      target: { entity: "ry", id: "weird", credentials: "c" },
      state: state("Sideways", { DNS: { status: "Up", emergencyThreshold: 0 } }),
    };
    const alarmedFailing: TargetSnapshot = {
      ...healthy,
      target: { entity: "ry", id: "forbidden", credentials: "c" },
      collectors: {
        state: { lastSuccessAt: AT },
        metrica: {
          lastError: { reason: "forbidden", code: "MOSAPI_FORBIDDEN", message: "403", at: AT },
        },
      },
    };
    const page = render([healthy, pending, unknown, down, inconclusive, alarmedFailing, failing]);
    expect(rowOrder(page)).toEqual([
      "registrar 9999",
      "TLD forbidden",
      "TLD test",
      "TLD inconclusive",
      "TLD invalid",
      "TLD weird",
      "TLD example",
    ]);
    expect(row(page, "TLD weird")).toContain('<td class="s-unknown">unknown (Sideways)</td>');
  });

  it("puts the higher emergency threshold first among equal statuses", () => {
    const worse: TargetSnapshot = {
      ...healthy,
      target: { entity: "ry", id: "worse", credentials: "c" },
      state: state("Up", { DNS: { status: "Up", emergencyThreshold: 80 } }),
    };
    expect(rowOrder(render([healthy, worse]))).toEqual(["TLD worse", "TLD example"]);
  });

  it("renders an empty configuration", () => {
    expect(render([])).toContain("No targets configured.");
  });

  it("renders upstream and config strings as text, never as markup", () => {
    const attack = "<script>alert(1)</script>";
    const breakout = '"onmouseover=alert(2)';
    const hostile: TargetSnapshot = {
      target: { entity: "ry", id: attack, credentials: "c" },
      up: false,
      stateAttempted: true,
      state: state(
        breakout,
        {
          DNS: { status: attack, emergencyThreshold: 1 },
          RDDS: { status: breakout },
          EPP: {
            status: "Up",
            incidents: [{ incidentID: attack, startTime: 1741060000, state: breakout }],
          },
        },
        attack,
      ),
      collectors: {
        state: { lastError: { reason: "http_error", code: attack, message: breakout, at: AT } },
      },
    };
    const page = render([hostile]);
    expect(page).not.toContain("<script>");
    expect(page).not.toContain('"onmouseover=');
    expect(page).toContain("TLD &lt;script&gt;alert(1)&lt;/script&gt;");
    expect(page).toContain("unknown (&lt;script&gt;alert(1)&lt;/script&gt;)");
    expect(page).toContain("unknown (&quot;onmouseover=alert(2))");
    expect(page).toContain(
      "http_error: &quot;onmouseover=alert(2) (&lt;script&gt;alert(1)&lt;/script&gt;,",
    );
  });
});

describe("formatDuration", () => {
  it.each([
    [0, "0s"],
    [59_999, "59s"],
    [60_000, "1m"],
    [3_600_000, "1h 0m"],
    [90_061_000, "1d 1h 1m"],
    [-5, "0s"],
  ])("%i ms → %s", (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });
});
