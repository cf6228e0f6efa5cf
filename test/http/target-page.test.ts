import { describe, expect, it } from "vitest";
import type { TargetSnapshot } from "../../src/snapshot/snapshot.js";
import { renderTargetNotFoundPage, renderTargetPage } from "../../src/http/target-page.js";
import {
  AT,
  FORBIDDEN,
  FRAME,
  down,
  failing,
  healthy,
  normalize,
  pending,
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

describe("renderTargetNotFoundPage", () => {
  it("names the path asked for, escaped, and does not refresh itself", () => {
    const page = normalize(renderTargetNotFoundPage(FRAME, "ry/<b>nope</b>"));
    expect(page).toContain("<h1>Unknown target</h1>");
    expect(page).toContain("No configured target is called ry/&lt;b&gt;nope&lt;/b&gt;.");
    expect(page).not.toContain('http-equiv="refresh"');
  });
});
