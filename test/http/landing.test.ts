import { describe, expect, it } from "vitest";
import type { TargetSnapshot } from "../../src/snapshot/snapshot.js";
import type { RefreshErrorCode } from "../../src/mosapi/errors.js";
import { renderLandingPage } from "../../src/http/landing.js";
import {
  AT,
  FORBIDDEN,
  FRAME,
  NOW,
  down,
  failing,
  healthy,
  normalize,
  pending,
  recent,
  snapshotOf,
  state,
  warned,
} from "./board-fixtures.js";

function render(targets: readonly TargetSnapshot[], ready = true): string {
  return normalize(renderLandingPage({ ...FRAME, ready, snapshot: snapshotOf(...targets) }));
}

/** Row header texts of the services grid in document order. */
function rowOrder(page: string): string[] {
  const grid = page.slice(page.indexOf('<table class="grid">'), page.indexOf("</table>"));
  return [...grid.matchAll(/<th scope="row"><a href="[^"]*">([^<]*)<\/a><\/th>/g)].map(
    (m) => m[1]!,
  );
}

/** The grid's `<tr>` whose row header is `label`. */
function row(page: string, label: string): string {
  const start = page.indexOf(`">${label}</a></th>`);
  expect(start).toBeGreaterThan(-1);
  return page.slice(start, page.indexOf("</tr>", start));
}

/** A section by its heading id. */
function section(page: string, id: string): string {
  const start = page.indexOf(`<section aria-labelledby="${id}">`);
  expect(start).toBeGreaterThan(-1);
  return page.slice(start, page.indexOf("</section>", start));
}

describe("renderLandingPage", () => {
  it("is a self-refreshing, phone-friendly document with landmarks, links and build info", () => {
    const page = render([healthy]);
    expect(page).toMatch(/^<!doctype html><html lang="en">/);
    expect(page).toContain("<title>MoSAPI exporter</title>");
    expect(page).toContain("<h1>MoSAPI exporter</h1>");
    expect(page).toContain('<meta http-equiv="refresh" content="60" />');
    expect(page).toContain(
      '<meta name="viewport" content="width=device-width, initial-scale=1" />',
    );
    expect(page).not.toContain("<script");
    for (const landmark of ["<header>", '<nav aria-label="Exporter">', "<main>", "<footer>"]) {
      expect(page).toContain(landmark);
    }
    for (const href of ["/", "/metrics", "/-/healthy", "/-/ready", "/api/v1/status"]) {
      expect(page).toContain(`<a href="${href}">`);
    }
    expect(page).toContain("Version 1.2.3 (revision abc1234), Node.js v20.19.0.");
    expect(page).toContain(
      'Up 1d 2h 5m, since<time datetime="2025-03-03T03:01:07Z">2025-03-03T03:01:07Z</time>.',
    );
    expect(page).toContain("Ready.");
    expect(render([pending], false)).toContain("Not ready");
  });

  it("has a captioned grid with column and row headers; rows link to the detail pages", () => {
    const page = render([healthy, failing]);
    expect(page).toContain(
      '<table class="grid"><caption>Every target and service, worst first: emergency threshold used, down, alarmed, active incidents, early warnings, then failing refreshes</caption>',
    );
    for (const col of ["Target", "Refresh", "Status", "DNS", "DNSSEC", "RDDS", "RDAP", "EPP"]) {
      expect(page).toContain(`<th scope="col">${col}</th>`);
    }
    expect(page).toContain('<th scope="row"><a href="/targets/ry/example">TLD example</a></th>');
    expect(page).toContain('<th scope="row"><a href="/targets/rr/9999">registrar 9999</a></th>');
  });

  it("shows each service's status in words and colour, alarm, threshold bar and the downtime it means", () => {
    const page = render([healthy, down]);
    const example = row(page, "TLD example");
    expect(example).toContain(
      '<td class="s-up"><span class="status">up</span><div class="bar" aria-hidden="true"><span class="fill t10" style="width: 12.5%"></span></div>',
    );
    // Minutes derived from the same `state` answer as the percent, so the two always agree.
    expect(example).toContain(
      '<span class="note">12.5% of emergency threshold: 30 of 240 min down this week</span>',
    );
    expect(example).toContain("1% of emergency threshold: 14 of 1440 min down this week");
    expect(example).toContain('<td class="s-disabled"><span class="status">disabled</span></td>');
    expect(example).toContain('<td class="s-none">not monitored</td>');
    expect(example).toContain(
      '<td class="s-inconclusive"><span class="status">up-inconclusive-no-data</span>',
    );
    const test = row(page, "TLD test");
    expect(test).toContain(
      '<td class="s-down"><span class="status">down</span><br /><span class="flag">ALARMED</span>',
    );
    expect(test).toContain('style="width: 41.667%"');
    expect(test).toContain('<span class="fill t25"');
    expect(test).toContain('<td class="num">2</td>');
  });

  it("fills the bar at most to the end and colours it by the highest mark reached", () => {
    const over: TargetSnapshot = {
      ...healthy,
      state: state("Down", { DNS: { status: "Down", emergencyThreshold: 130 } }),
    };
    const cell = row(render([over]), "TLD example");
    expect(cell).toContain('<span class="fill t100" style="width: 100%">');
    expect(cell).toContain("130% of emergency threshold");
  });

  it("lists active incidents with start, failed probes, name servers down and error codes", () => {
    const page = render([healthy, down]);
    expect(page).toContain("2 targets, 2 active incidents, 0 targets with failing refreshes.");
    const incidents = section(page, "incidents-title");
    expect(incidents).toContain(
      '<h3>TLD test DNS: incident 1.2</h3><p>Started<time datetime="2025-03-04T03:46:40Z" title="2025-03-04 03:46:40 UTC">1 h ago</time>.</p>',
    );
    expect(incidents).toContain(
      '<p>Latest measurement 1741063800.9 of the cycle<time datetime="2025-03-04T04:50:00Z" title="2025-03-04 04:50:00 UTC">16 min ago</time>: Down. Probes: 1 up, 1 down, 1 offline, 1 no result.</p>',
    );
    expect(incidents).toContain(
      "Failed probes: Amsterdam (down), Johannesburg (offline), Singapore (no result).",
    );
    expect(incidents).toContain("Name servers down: ns1.test.");
    expect(incidents).toContain(
      '<tr><td>DNS</td><td class="num">-200</td><td>No reply from name server</td><td class="num">4</td></tr>',
    );
    expect(incidents).toContain("<td>DNSSEC: signature expired (TCP)</td>");
    expect(incidents).toContain("<h3>TLD test RDAP: incident 2.1</h3><p>Started<time");
    expect(incidents).toContain("</time>.</p><p>No measurement fetched yet for this incident.</p>");
    expect(incidents).not.toContain("incident 1.1");
    expect(section(render([healthy]), "incidents-title")).toContain("No active incidents.");
  });

  it("shows METRICA totals per target", () => {
    const metrica = section(render([healthy, down, pending]), "metrica-title");
    expect(metrica).toContain(
      "<caption>Latest abuse reports: 40 unique abuse domains over 1 report</caption>",
    );
    expect(metrica).toContain(
      '<td>2025-03-03</td><td class="num">40</td><td>Spam 12, Botnet command and control not monitored</td>',
    );
    expect(metrica).toContain('TLD test</a></th><td colspan="3">no report</td>');
    expect(metrica).toContain('TLD invalid</a></th><td colspan="3">not fetched</td>');
  });

  it("lists the failing refreshes only: last success and last error per collector", () => {
    const refreshes = section(render([healthy, failing]), "collectors-title");
    expect(refreshes).toContain(
      "<caption>Failing refreshes: last success and last error per collector (1 other target fine)</caption>",
    );
    expect(refreshes).toContain(
      '<th scope="col">state</th><th scope="col">alarmed</th><th scope="col">downtime</th><th scope="col">incidents</th><th scope="col">metrica</th>',
    );
    expect(refreshes).not.toContain("TLD example");
    expect(refreshes).toContain(
      '<td class="s-down">never<br /><strong>failed<time datetime="2025-03-04T05:05:37Z" title="2025-03-04 05:05:37 UTC">30 s ago</time></strong>: timeout: state request timed out after 15s (MOSAPI_TIMEOUT)</td>',
    );
    expect(section(render([healthy]), "collectors-title")).toContain(
      "<p>No failing refreshes among the 1 target shown.</p>",
    );
    const grid = row(render([failing]), "registrar 9999");
    expect(grid).toContain('<td class="s-down">failing</td><td class="s-none">no data</td>');
  });

  it("orders worst first: SLA severity, then failing refreshes, then inconclusive, unknown, up", () => {
    // Severity: threshold mark reached, down, alarmed, active incidents. Then refresh problems,
    // then the overall status; ties keep configuration order.
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
    const partly: TargetSnapshot = {
      ...healthy,
      target: { entity: "ry", id: "forbidden", credentials: "c" },
      collectors: {
        state: { lastSuccessAt: AT },
        metrica: {
          lastError: { reason: "forbidden", code: "MOSAPI_FORBIDDEN", message: "403", at: AT },
        },
      },
    };
    const page = render([healthy, pending, unknown, down, inconclusive, partly, failing]);
    expect(rowOrder(page)).toEqual([
      "TLD test",
      "TLD forbidden",
      "TLD example",
      "registrar 9999",
      "TLD inconclusive",
      "TLD invalid",
      "TLD weird",
    ]);
    expect(row(page, "TLD forbidden")).toContain('<td class="s-inconclusive">partly failing</td>');
    expect(row(page, "TLD weird")).toContain(
      '<td class="s-unknown"><span class="status">unknown (Sideways)</span></td>',
    );
  });

  it("shows a DNS-down TLD above a target whose METRICA refresh gets 403", () => {
    const quiet = state("Up", { DNS: { status: "Up", emergencyThreshold: 0 } });
    const forbidden: TargetSnapshot = {
      ...healthy,
      state: quiet,
      target: { entity: "ry", id: "forbidden", credentials: "c" },
      collectors: { ...healthy.collectors, metrica: { lastError: FORBIDDEN } },
    };
    const dnsDown: TargetSnapshot = {
      ...healthy,
      target: { entity: "ry", id: "dnsdown", credentials: "c" },
      state: state("Down", { DNS: { status: "Down", emergencyThreshold: 2.5 } }),
    };
    const page = render([forbidden, dnsDown]);
    expect(rowOrder(page)).toEqual(["TLD dnsdown", "TLD forbidden"]);
    const refreshes = section(page, "collectors-title");
    expect(refreshes).toContain(
      "The credential lacks the METRICA role: ask ICANN to add it to the MoSAPI account, or turn the collector off with<code>collectors.metrica: 0s</code>.",
    );
  });

  it("shows a failing target's last values grey and stale with their age, never a fresh up", () => {
    const stale: TargetSnapshot = {
      ...healthy,
      up: false,
      collectors: {
        state: {
          lastSuccessAt: NOW - 7 * 60_000,
          lastError: { reason: "timeout", code: "MOSAPI_TIMEOUT", message: "timed out", at: AT },
        },
      },
    };
    const example = row(render([stale]), "TLD example");
    expect(example).not.toContain('class="s-up"');
    expect(example).toContain(
      '<td class="s-stale"><span class="status">up</span><br /><span class="note"><strong>stale</strong>: refresh failing; data from<time datetime="2025-03-04T04:59:07Z" title="2025-03-04 04:59:07 UTC">7 min ago</time></span>',
    );
    expect(example).toContain('<td class="s-down">failing</td>');
  });

  it("counts targets by state, each count a link to the board filtered to it", () => {
    const page = render([healthy, down, failing, pending]);
    const filters = page.slice(page.indexOf('<nav aria-label="Filter targets"'));
    expect(filters).toContain(
      '<li><a href="/" aria-current="page" class="current">All:<strong>4</strong></a></li>',
    );
    for (const [show, count] of [
      ["problems", 3],
      ["threshold", 2],
      ["down", 1],
      ["alarmed", 1],
      ["incidents", 1],
      ["failing", 1],
      ["ok", 0],
    ] as const) {
      expect(filters).toMatch(
        new RegExp(`<a href="/\\?show=${show}">[^<]*:<strong>${count}</strong>`),
      );
    }
    expect(filters).toContain('<form method="get" action="/">');
  });

  it("lists only the targets the filter and the search select, and says so", () => {
    const page = normalize(
      renderLandingPage({ ...FRAME, snapshot: snapshotOf(healthy, down, failing), filter: "down" }),
    );
    expect(rowOrder(page)).toEqual(["TLD test"]);
    expect(page).toContain(
      "3 targets, 2 active incidents, 1 target with failing refreshes. 0 targets with an early warning. Showing 1 target.",
    );
    expect(page).toContain('<option value="down" selected>Down</option>');
    const searched = normalize(
      renderLandingPage({ ...FRAME, snapshot: snapshotOf(healthy, down, failing), query: " 999" }),
    );
    expect(rowOrder(searched)).toEqual(["registrar 9999"]);
    expect(searched).toContain('<input type="search" name="q" value="999" />');
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
    expect(render([])).toContain('<td colspan="9">No targets to show.</td>');
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
            incidents: [{ incidentID: attack, startTime: 1741060000, state: "Active" }],
          },
        },
        attack,
      ),
      metrica: {
        domainListDate: "2025-03-03",
        reportTimestamp: 1740960000,
        uniqueAbuseDomains: 1,
        threats: [{ threatType: attack, count: 1 }],
      },
      collectors: {
        state: {
          lastError: {
            reason: "http_error",
            code: attack as RefreshErrorCode,
            message: breakout,
            at: AT,
          },
        },
      },
    };
    const page = render([hostile]);
    expect(page).not.toContain("<script>");
    expect(page).not.toContain('"onmouseover=');
    expect(page).toContain(
      '<a href="/targets/ry/%3Cscript%3Ealert(1)%3C%2Fscript%3E">TLD &lt;script&gt;alert(1)&lt;/script&gt;</a>',
    );
    expect(page).toContain("unknown (&lt;script&gt;alert(1)&lt;/script&gt;)");
    expect(page).toContain("unknown (&quot;onmouseover=alert(2))");
    expect(page).toContain("incident &lt;script&gt;alert(1)&lt;/script&gt;</h3>");
    expect(page).toContain("<td>&lt;script&gt;alert(1)&lt;/script&gt; 1</td>");
    expect(page).toContain(
      "http_error: &quot;onmouseover=alert(2) (&lt;script&gt;alert(1)&lt;/script&gt;)",
    );
  });
});

describe("the early warning on the board", () => {
  it("flags the service in the grid and lists each warning with its measured cycle", () => {
    const page = render([healthy, warned]);
    const dns = row(page, "TLD warned");
    expect(dns).toContain(
      '<td class="s-up"><span class="status">up</span><br /><span class="flag warn">EARLY WARNING</span><br /><span class="note">2 of 6 probes (33.3%) lose ns1.warned</span>',
    );
    // RDAP: 1 of 6 probes down is below the line.
    expect(dns.match(/EARLY WARNING/g)).toHaveLength(1);
    const warnings = section(page, "warnings-title");
    expect(warnings).toContain(
      "at least 25 % and 2 probes, as the alert MosapiNameServerLosingProbes",
    );
    expect(warnings).toContain(
      '<tr><th scope="row"><a href="/targets/ry/warned">TLD warned</a></th><td>DNS</td><td>2 of 6 probes (33.3%) lose ns1.warned</td><td><time datetime="2025-03-04T05:00:00Z" title="2025-03-04 05:00:00 UTC">6 min ago</time></td></tr>',
    );
    expect(warnings).not.toContain("ns2.warned");
    expect(page).toContain(
      "2 targets, 0 active incidents, 0 targets with failing refreshes. 1 target with an early warning.",
    );
  });

  it("says when there is none, and when nothing was measured yet", () => {
    const quiet: TargetSnapshot = {
      ...warned,
      measurements: { dns: recent("dns", { up: 6, down: 0 }, [{ name: "ns1", up: 5, down: 1 }]) },
    };
    expect(section(render([quiet]), "warnings-title")).toContain("<p>No early warnings.</p>");
    expect(section(render([healthy]), "warnings-title")).toContain(
      "<p>No early warnings: no recent measurement fetched yet",
    );
  });

  it("ranks a warning after active incidents and before failing refreshes", () => {
    const quiet: TargetSnapshot = {
      ...healthy,
      target: { entity: "ry", id: "quiet", credentials: "c" },
      state: state("Up", { DNS: { status: "Up", emergencyThreshold: 0 } }),
    };
    const rdapIncident: TargetSnapshot = {
      ...quiet,
      target: { entity: "ry", id: "incident", credentials: "c" },
      state: state("Up", {
        RDAP: {
          status: "Up",
          emergencyThreshold: 0,
          incidents: [{ incidentID: "3.1", startTime: 1741060000, state: "Active" }],
        },
      }),
    };
    const refreshFailing: TargetSnapshot = {
      ...quiet,
      target: { entity: "ry", id: "forbidden", credentials: "c" },
      collectors: { ...quiet.collectors, metrica: { lastError: FORBIDDEN } },
    };
    expect(rowOrder(render([quiet, refreshFailing, warned, rdapIncident]))).toEqual([
      "TLD incident",
      "TLD warned",
      "TLD forbidden",
      "TLD quiet",
    ]);
  });

  it("has a filter of its own, counts as a problem and never as all well", () => {
    const page = render([healthy, warned, down]);
    expect(page).toMatch(/<a href="\/\?show=warning">Early warning:<strong>1<\/strong>/);
    expect(page).toMatch(/<a href="\/\?show=problems">Any problem:<strong>3<\/strong>/);
    const fine: TargetSnapshot = { ...warned, measurements: {} };
    expect(render([warned])).toMatch(/<a href="\/\?show=ok">All well:<strong>0<\/strong>/);
    expect(render([fine])).toMatch(/<a href="\/\?show=ok">All well:<strong>1<\/strong>/);
    const filtered = normalize(
      renderLandingPage({
        ...FRAME,
        snapshot: snapshotOf(healthy, warned, down),
        filter: "warning",
      }),
    );
    expect(rowOrder(filtered)).toEqual(["TLD warned"]);
    expect(filtered).toContain('<option value="warning" selected>Early warning</option>');
  });

  it("lists at most MAX_LISTED_INCIDENTS warnings and says how many it left out", () => {
    const many = Array.from({ length: 60 }, (_, i) => ({
      ...warned,
      target: { ...warned.target, id: `warned${i}` },
    }));
    const warnings = section(render(many), "warnings-title");
    expect(warnings.match(/<tr><th scope="row">/g)).toHaveLength(50);
    expect(warnings).toContain("…and 10 more early warnings, not shown.");
  });

  it("renders hostile name-server names as text", () => {
    const attack = '<img src=x onerror=alert(1)>"';
    const hostile: TargetSnapshot = {
      ...warned,
      measurements: { dns: recent("dns", { up: 6, down: 0 }, [{ name: attack, up: 3, down: 3 }]) },
    };
    const page = render([hostile]);
    expect(page).not.toContain("<img");
    expect(section(page, "warnings-title")).toContain(
      "3 of 6 probes (50%) lose &lt;img src=x onerror=alert(1)&gt;&quot;",
    );
    expect(row(page, "TLD warned")).toContain("lose &lt;img src=x onerror=alert(1)&gt;&quot;");
  });
});

describe("traces on the board", () => {
  const base = { testTime: 1741064100, hops: 8, lossRatio: 1, reached: false } as const;
  const lossy = (probe: string, hop: number, host: string, asn?: string) => ({
    ...base,
    probe,
    ip: "192.0.2.53",
    lossStart: { hop, host, ...(asn === undefined ? {} : { asn }) },
  });

  it("notes after a target's incidents how many traces reach and where the first lossy ones break", () => {
    const traced: TargetSnapshot = {
      ...down,
      traces: {
        traces: [
          { ...base, probe: "Amsterdam", ip: "192.0.2.53", reached: true, lossRatio: 0 },
          lossy("Sydney", 4, "203.0.113.4", "AS64500"),
          lossy("Tokyo", 5, "???"),
          lossy("Lima", 2, "198.51.100.2"),
          lossy("Oslo", 3, "198.51.100.3"),
        ],
      },
    };
    const incidents = section(render([traced]), "incidents-title");
    expect(incidents).toContain(
      '</article><p class="note">Probe-network traces: 1 of 5 traces reach their address; Sydney → 192.0.2.53: loss from hop 4 (203.0.113.4, AS64500); Tokyo → 192.0.2.53: loss from hop 5 (no answer); Lima → 192.0.2.53: loss from hop 2 (198.51.100.2); 1 more.<a href="/targets/ry/test#traces-title">All traces</a></p>',
    );
    expect(section(render([down]), "incidents-title")).not.toContain("Probe-network traces");
  });

  it("renders hostile probe names, hosts and ASNs as text", () => {
    const attack = "<b>x</b>";
    const traced: TargetSnapshot = {
      ...down,
      traces: { traces: [lossy(attack, 1, attack, attack)] },
    };
    const incidents = section(render([traced]), "incidents-title");
    expect(incidents).not.toContain("<b>");
    expect(incidents).toContain(
      "&lt;b&gt;x&lt;/b&gt; → 192.0.2.53: loss from hop 1 (&lt;b&gt;x&lt;/b&gt;, &lt;b&gt;x&lt;/b&gt;)",
    );
  });
});

describe("a state with absurdly many incidents", () => {
  it("lists at most MAX_LISTED_INCIDENTS active incidents and says how many it left out", () => {
    const incidents = Array.from({ length: 2_000 }, (_, i) => ({
      incidentID: `${1741060000 + i}.1`,
      startTime: 1741060000 + i,
      falsePositive: false,
      state: "Active",
    }));
    const crowded: TargetSnapshot = {
      ...down,
      state: state("Down", { DNS: { status: "Down", emergencyThreshold: 50, incidents } }, "test"),
    };
    const page = render([crowded]);
    expect(page).toContain("…and 1950 more active incidents, not shown.");
    expect(page.length).toBeLessThan(200_000);
  });
});
