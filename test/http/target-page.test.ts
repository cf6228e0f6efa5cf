import { describe, expect, it } from "vitest";
import type { TargetSnapshot } from "../../src/snapshot/snapshot.js";
import type { TraceSummary } from "../../src/mosapi/probe-network.js";
import {
  MAX_LISTED_TRACES,
  renderTargetNotFoundPage,
  renderTargetPage,
} from "../../src/http/target-page.js";
import {
  AT,
  FORBIDDEN,
  FRAME,
  down,
  failing,
  healthy,
  normalize,
  pending,
  warned,
} from "./board-fixtures.js";

function render(target: TargetSnapshot): string {
  return normalize(renderTargetPage({ ...FRAME, target }));
}

describe("renderTargetPage", () => {
  it("is a self-refreshing page titled after the target, linking back to the board", () => {
    const page = render(down);
    expect(page).toContain("<title>TLD test · MoSAPI exporter</title>");
    expect(page).toContain("<h1>TLD test</h1>");
    expect(page).toContain('<meta http-equiv="refresh" content="60" />');
    expect(page).toContain('<a href="/">← All targets</a>');
    expect(page).toContain('<span class="status s-down">down</span>');
    expect(page).toContain(
      'ICANN last updated this data<time datetime="2025-03-04T05:05:00Z" title="2025-03-04 05:05:00 UTC">1 min ago</time>;',
    );
  });

  it("lists every service with its incidents counted", () => {
    const page = render(down);
    for (const type of ["DNS", "DNSSEC", "RDDS", "RDAP", "EPP"]) {
      expect(page).toContain(`<th scope="row">${type}</th>`);
    }
    expect(page).toContain(
      '41.667% of emergency threshold: 100 of 240 min down this week</span></td><td class="num">240</td><td>—</td><td class="num">1 / 1</td>',
    );
    expect(page).toContain(
      '<td class="s-none">not monitored</td><td class="num">1440</td><td>—</td><td class="num">—</td>',
    );
    // The downtime endpoint's own figure, with the age of the refresh it comes from.
    const withDowntime = render({
      ...healthy,
      collectors: { ...healthy.collectors, downtime: { lastSuccessAt: AT - 120_000 } },
    });
    expect(withDowntime).toContain(
      '<td>30 min,<time datetime="2025-03-04T05:03:37Z" title="2025-03-04 05:03:37 UTC">2 min ago</time></td>',
    );
  });

  it("lists every incident and details the active ones with every probe and name server", () => {
    const page = render(down);
    expect(page).toContain(
      '<th scope="row">DNS</th><td>1.1</td><td class="s-up">resolved</td><td><time datetime="2025-02-19T21:20:00Z" title="2025-02-19 21:20:00 UTC">12 d ago</time></td><td><time datetime="2025-02-19T22:20:00Z" title="2025-02-19 22:20:00 UTC">12 d ago</time></td><td>no</td>',
    );
    expect(page).toContain("<h3>DNS: incident 1.2</h3>");
    expect(page).toContain('<th scope="row">Sydney</th><td class="s-up">up</td>');
    expect(page).toContain('<th scope="row">Singapore</th><td class="s-down">no result</td>');
    expect(page).toContain('<th scope="row">ns1.test</th><td class="s-down">down</td>');
    expect(page).toContain('<th scope="row">ns2.test</th><td class="s-up">up</td>');
    expect(page).toContain('<td class="num">-816</td><td>DNSSEC: signature expired (TCP)</td>');
    expect(page).toContain("<h3>RDAP: incident 2.1</h3>");
    expect(render(healthy)).toContain("<p>No incidents listed.</p>");
  });

  it("shows METRICA by threat type, or why there is none", () => {
    expect(render(healthy)).toContain(
      "<caption>Report of 2025-03-03: 40 unique abuse domains</caption>",
    );
    expect(render(healthy)).toContain(
      '<th scope="row">Botnet command and control</th><td class="num">not monitored</td>',
    );
    const forbidden = render({
      ...healthy,
      collectors: { ...healthy.collectors, metrica: { lastError: FORBIDDEN } },
    });
    expect(forbidden).toContain(
      '<p>MoSAPI answered 403.<span class="note">The credential lacks the METRICA role',
    );
    expect(render(healthy)).not.toContain("METRICA role");
    expect(render(down)).toContain("MoSAPI has no Domain METRICA report for this target.");
    expect(render(pending)).toContain("<p>Not fetched yet.</p>");
  });

  it("shows the collectors' refreshes and the state of a target without data", () => {
    const page = render(failing);
    expect(page).toContain("Overall status: no data (the state refresh failed).");
    expect(page).toContain("timeout: state request timed out after 15s (MOSAPI_TIMEOUT)");
    expect(render(pending)).toContain("Overall status: pending first refresh.");
  });
});

/** A section by its heading id. */
function section(page: string, id: string): string {
  const start = page.indexOf(`<section aria-labelledby="${id}">`);
  expect(start).toBeGreaterThan(-1);
  return page.slice(start, page.indexOf("</section>", start));
}

const TESTED = 1741064100;

/** The demo's picture: Amsterdam reaches ns1's IPv4; Sydney loses it at hop 4; Tokyo's IPv6 at a silent hop. */
const TRACES: TraceSummary[] = [
  {
    probe: "Amsterdam",
    ip: "192.0.2.53",
    testTime: TESTED,
    hops: 7,
    reached: true,
    lossRatio: 0,
    rttSeconds: 0.0123,
  },
  {
    probe: "Sydney",
    ip: "192.0.2.53",
    testTime: TESTED - 120,
    hops: 9,
    reached: false,
    lossRatio: 1,
    lossStart: { hop: 4, host: "203.0.113.4", asn: "AS64500" },
  },
  {
    probe: "Tokyo",
    ip: "2001:db8::53",
    testTime: TESTED,
    hops: 6,
    reached: true,
    lossRatio: 0.2,
    rttSeconds: 0.25,
    lossStart: { hop: 5, host: "???" },
  },
  {
    probe: "Tokyo",
    ip: "203.0.113.99",
    testTime: TESTED,
    hops: 3,
    reached: true,
    lossRatio: 0,
    rttSeconds: 0.001,
  },
];

describe("the target page's probe-network sections", () => {
  it("shows the latest recent measurement per service and the probes losing each name server", () => {
    const recent = section(render(warned), "recent-title");
    expect(recent).toContain(
      '<p class="incident"><strong>Early warning:</strong>DNS 2 of 6 probes (33.3%) lose ns1.warned.</p>',
    );
    expect(recent).toContain(
      '<th scope="row">DNS</th><td>1741064400.json</td><td><time datetime="2025-03-04T05:00:00Z" title="2025-03-04 05:00:00 UTC">6 min ago</time></td><td>Up</td><td class="num">6</td><td class="num">0</td><td class="num">0</td><td class="num">0</td>',
    );
    expect(recent).toContain(
      "<caption>DNS name servers: probes that saw each up and down</caption>",
    );
    expect(recent).toContain(
      '<th scope="row">ns1.warned</th><td class="num">4</td><td class="num">2</td><td class="num s-down">33.3%</td>',
    );
    expect(recent).toContain(
      '<th scope="row">ns2.warned</th><td class="num">5</td><td class="num">1</td><td class="num">16.7%</td>',
    );
    expect(section(render(healthy), "recent-title")).toContain(
      "No recent measurement fetched yet. The<code>measurements</code>collector",
    );
  });

  it("lists per traced IP, with its role, which probes reach it and where loss starts", () => {
    const traces = section(render({ ...warned, traces: { traces: TRACES } }), "traces-title");
    expect(traces).toContain(
      "<caption>192.0.2.53 (name server): reached by 1 of 2 probes</caption>",
    );
    expect(traces).toContain(
      '<th scope="row">Amsterdam</th><td class="s-up">yes</td><td class="num">0%</td><td class="num">12.3 ms</td><td class="num">7</td><td><time datetime="2025-03-04T04:55:00Z" title="2025-03-04 04:55:00 UTC">11 min ago</time></td><td>—</td>',
    );
    expect(traces).toContain(
      '<th scope="row">Sydney</th><td class="s-down">no</td><td class="num">100%</td><td class="num">—</td><td class="num">9</td><td><time datetime="2025-03-04T04:53:00Z" title="2025-03-04 04:53:00 UTC">13 min ago</time></td><td>hop 4: 203.0.113.4 (AS64500)</td>',
    );
    expect(traces).toContain(
      "<caption>2001:db8::53 (name server): reached by 1 of 1 probe</caption>",
    );
    expect(traces).toContain('<td class="num">20%</td><td class="num">250.0 ms</td>');
    expect(traces).toContain("<td>hop 5: no answer</td>");
    // An IP no recent measurement names keeps its traces, without a role.
    expect(traces).toContain(
      "<caption>203.0.113.99 (role unknown): reached by 1 of 1 probe</caption>",
    );
    // Tables in address order.
    expect(traces.indexOf("192.0.2.53 (")).toBeLessThan(traces.indexOf("2001:db8::53 ("));
  });

  it("says why there are no traces instead of showing an empty table", () => {
    const notOffered = section(render({ ...warned, traces: null }), "traces-title");
    expect(notOffered).toContain(
      "<strong>Not offered for this account:</strong>MoSAPI answered 404",
    );
    expect(notOffered).not.toContain("<table");
    const off = section(
      render({ ...warned, collectors: { state: { lastSuccessAt: AT } } }),
      "traces-title",
    );
    expect(off).toContain("collector is off (the default) or has not run yet");
    expect(off).toContain("<code>collectors.troubleshooting: 5m</code>");
    expect(off).toContain("<code>troubleshooting: always</code>");
    const idle = section(render(warned), "traces-title");
    expect(idle).toContain("No active incident, so no traces fetched");
    // An incident (or `always`) the collector has not looked at yet.
    const always = { ...warned, target: { ...warned.target, troubleshooting: "always" as const } };
    expect(section(render(always), "traces-title")).toContain(
      "No traces fetched yet: the<code>troubleshooting</code>collector looks on its next round.",
    );
    const incident = { ...down, collectors: { troubleshooting: { lastSuccessAt: AT } } };
    expect(section(render(incident), "traces-title")).toContain("No traces fetched yet");
    const failed = section(
      render({
        ...warned,
        collectors: {
          troubleshooting: {
            lastError: { reason: "timeout", code: "MOSAPI_TIMEOUT", message: "t", at: AT },
          },
        },
      }),
      "traces-title",
    );
    expect(failed).toContain("No traces fetched: the last attempt failed (see Refreshes).");
    expect(section(render({ ...warned, traces: { traces: [] } }), "traces-title")).toContain(
      "MoSAPI lists no traces to this target's addresses for today.",
    );
  });

  it("lists at most MAX_LISTED_TRACES traces and says how many it left out", () => {
    const many = Array.from({ length: MAX_LISTED_TRACES + 5 }, (_, i) => ({
      ...TRACES[0]!,
      probe: `probe-${String(i).padStart(4, "0")}`,
    }));
    const traces = section(render({ ...warned, traces: { traces: many } }), "traces-title");
    expect(traces).toContain("…and 5 more traces, not shown.");
    expect(traces).toContain(`reached by ${MAX_LISTED_TRACES} of ${MAX_LISTED_TRACES} probes`);
  });

  it("renders hostile probe names, addresses, hosts, ASNs and name servers as text", () => {
    const attack = '<script>alert(1)</script>"';
    const hostile: TargetSnapshot = {
      ...warned,
      measurements: {
        dns: {
          ...warned.measurements!.dns!,
          measurementId: attack,
          measurement: {
            ...warned.measurements!.dns!.measurement,
            status: attack,
            nameServerProbes: [{ name: attack, up: 1, down: 3 }],
          },
        },
      },
      traces: {
        traces: [
          {
            probe: attack,
            ip: attack,
            testTime: TESTED,
            hops: 2,
            reached: false,
            lossRatio: 1,
            lossStart: { hop: 2, host: attack, asn: attack },
          },
        ],
      },
    };
    const page = render(hostile);
    expect(page).not.toContain("<script>");
    expect(page).not.toContain('</script>"');
    const escaped = "&lt;script&gt;alert(1)&lt;/script&gt;&quot;";
    const traces = section(page, "traces-title");
    expect(traces).toContain(`<caption>${escaped} (role unknown)`);
    expect(traces).toContain(`<th scope="row">${escaped}</th><td class="s-down">no</td>`);
    expect(traces).toContain(`<td>hop 2: ${escaped} (${escaped})</td>`);
    const recent = section(page, "recent-title");
    expect(recent).toContain(`lose ${escaped}.</p>`);
    expect(recent).toContain(`<th scope="row">${escaped}</th><td class="num">1</td>`);
    expect(recent).toContain(`<td>${escaped}</td>`);
  });
});

describe("renderTargetNotFoundPage", () => {
  it("names the path asked for, escaped, and does not refresh itself", () => {
    const page = normalize(renderTargetNotFoundPage(FRAME, "ry/<b>nope</b>"));
    expect(page).toContain("<h1>Unknown target</h1>");
    expect(page).toContain("No configured target is called ry/&lt;b&gt;nope&lt;/b&gt;.");
    expect(page).not.toContain('http-equiv="refresh"');
  });
});
