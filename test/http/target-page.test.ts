import { describe, expect, it } from "vitest";
import type { TargetSnapshot } from "../../src/snapshot/snapshot.js";
import { renderTargetNotFoundPage, renderTargetPage } from "../../src/http/target-page.js";
import { FRAME, down, failing, healthy, normalize, pending } from "./board-fixtures.js";

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
    expect(page).toContain("ICANN last updated this data at 2025-03-04T05:05:00Z");
  });

  it("lists every service with its incidents counted", () => {
    const page = render(down);
    for (const type of ["DNS", "DNSSEC", "RDDS", "RDAP", "EPP"]) {
      expect(page).toContain(`<th scope="row">${type}</th>`);
    }
    expect(page).toContain('41.667% of emergency threshold</span></td><td class="num">1 / 1</td>');
    expect(page).toContain('<td class="s-none">not monitored</td><td class="num">—</td>');
  });

  it("lists every incident and details the active ones with every probe and name server", () => {
    const page = render(down);
    expect(page).toContain(
      '<th scope="row">DNS</th><td>1.1</td><td class="s-up">resolved</td><td>2025-02-19T21:20:00Z</td><td>2025-02-19T22:20:00Z</td><td>no</td>',
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
      "<caption>Report of 2025-03-03: 40 unique abuse domain(s)</caption>",
    );
    expect(render(healthy)).toContain(
      '<th scope="row">botnetCc</th><td class="num">not monitored</td>',
    );
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
