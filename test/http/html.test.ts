import { describe, expect, it } from "vitest";
import { escapeHtml, html, raw, SafeHtml } from "../../src/http/html.js";

describe("escapeHtml", () => {
  it("escapes the five HTML-significant characters", () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;",
    );
  });

  it("leaves ordinary text alone", () => {
    expect(escapeHtml("xn--9dbq2a up-inconclusive-no-data")).toBe(
      "xn--9dbq2a up-inconclusive-no-data",
    );
  });
});

describe("html", () => {
  it("escapes interpolated strings", () => {
    const tld = "<script>alert(1)</script>";
    expect(html`<td>${tld}</td>`.toString()).toBe("<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>");
  });

  it("escapes attribute breakouts", () => {
    const title = '"onmouseover=alert(1)';
    expect(html`<td title="${title}"></td>`.toString()).toBe(
      '<td title="&quot;onmouseover=alert(1)"></td>',
    );
  });

  it("inserts raw() and nested html verbatim, numbers as text, arrays joined", () => {
    const rows = ["a", "<b>"].map((name) => html`<li>${name}</li>`);
    const result = html`${raw("<ul>")}${rows}${raw("</ul>")} ${3.5}`;
    expect(result).toBeInstanceOf(SafeHtml);
    expect(result.toString()).toBe("<ul><li>a</li><li>&lt;b&gt;</li></ul> 3.5");
  });

  it("does not escape twice when results are nested", () => {
    const inner = html`${"&"}`;
    expect(html`<p>${inner}</p>`.toString()).toBe("<p>&amp;</p>");
  });
});
