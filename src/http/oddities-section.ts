/**
 * The "Odd parts of MoSAPI answers" section of a target's page (METRICS.md#odd-parts-of-answers: nothing silent):
 * what the latest answers carried that cost only itself, where, and how often. Self-contained,
 * so the page can place it where it likes.
 */
import type { TargetSnapshot } from "../snapshot/snapshot.js";
import { iso } from "./board.js";
import { html, type SafeHtml } from "./html.js";

/** What each reason did to the part, for people. */
const EFFECT: Readonly<Record<string, string>> = {
  null_value: "null read as none",
  array_for_map: "[] read as an empty map",
  missing_field: "missing: part dropped or field left out",
  wrong_type: "wrong type: part dropped or field left out",
  unknown_value: "unknown value: shown as unknown",
};

/** The section; says so plainly when the latest answers had no odd part. */
export function odditiesSection(target: TargetSnapshot): SafeHtml {
  const parts = target.oddities ?? [];
  const body =
    parts.length === 0
      ? html`<p>The latest answers had no odd parts.</p>`
      : html`<div class="scroll">
          <table>
            <caption>
              Parts of the latest MoSAPI answers that were odd and cost only themselves
              (mosapi_upstream_oddities_total)
            </caption>
            <thead>
              <tr>
                <th scope="col">Resource</th>
                <th scope="col">Path</th>
                <th scope="col">What</th>
                <th scope="col">Answers</th>
                <th scope="col">Last seen</th>
              </tr>
            </thead>
            <tbody>
              ${parts.map(
                (part) =>
                  html`<tr>
                    <td>${part.resource}</td>
                    <td><code>${part.path}</code></td>
                    <td>${EFFECT[part.reason] ?? part.reason}</td>
                    <td class="num">${part.count}</td>
                    <td>${iso(part.lastSeenAt)}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>`;
  return html`<section aria-labelledby="oddities-title">
    <h2 id="oddities-title">Odd parts of MoSAPI answers</h2>
    ${body}
  </section>`;
}
