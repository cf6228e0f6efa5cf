/**
 * The status board (`GET /`): one server-rendered page with the fleet at a glance, worst first.
 * A target × service grid (status in words and colour, alarmed flags, downtime, emergency
 * threshold used), the active incidents with their latest measurement, Domain METRICA totals,
 * and how each collector's refreshes go. No JavaScript; it reloads itself every minute.
 */
import type { Snapshot, TargetSnapshot } from "../snapshot/snapshot.js";
import { SERVICE_TYPES } from "../mosapi/models.js";
import { describeTarget } from "../mosapi/target.js";
import { capped, countActiveIncidents, isFailing, targetPath, worstFirst } from "./board.js";
import {
  activeIncidents,
  collectorSection,
  incidentBlock,
  metricaThreatsText,
  serviceCell,
  showStatus,
  statusClass,
} from "./fragments.js";
import { html } from "./html.js";
import type { SafeHtml } from "./html.js";
import { renderPage } from "./layout.js";
import type { PageFrame } from "./layout.js";

export type { BuildInfo } from "./layout.js";

/** What the landing page shows. */
export interface LandingPageInput extends PageFrame {
  readonly snapshot: Snapshot;
}

/** Renders the complete status board; targets are ordered by {@link worstFirst}. */
export function renderLandingPage(input: LandingPageInput): string {
  const targets = worstFirst(input.snapshot.targets);
  const incidents = targets.reduce((sum, t) => sum + countActiveIncidents(t), 0);
  const failing = targets.filter(isFailing).length;
  const content = html`<p>
      ${targets.length} target(s), ${incidents} active incident(s), ${failing} with failing
      refreshes.
    </p>
    ${grid(targets)} ${incidentSection(targets)} ${metricaSection(targets)}
    ${collectorSection(targets, targetLink)}`;
  return renderPage(input, "MoSAPI exporter", "MoSAPI exporter", content);
}

function targetLink(target: TargetSnapshot): SafeHtml {
  return html`<a href="${targetPath(target.target)}">${describeTarget(target.target)}</a>`;
}

function grid(targets: readonly TargetSnapshot[]): SafeHtml {
  return html`<section aria-labelledby="grid-title">
    <h2 id="grid-title">Services</h2>
    <p class="note">
      Bars show the share of the rolling-week emergency threshold used, with marks at ICANN's
      escalation steps 10, 25, 50, 75 and 100 %.
    </p>
    <div class="scroll" id="grid">
      <table class="grid">
        <caption>
          Every target and service, worst first
        </caption>
        <thead>
          <tr>
            <th scope="col">Target</th>
            <th scope="col">Refresh</th>
            <th scope="col">Status</th>
            ${SERVICE_TYPES.map((type) => html`<th scope="col">${type.toUpperCase()}</th>`)}
            <th scope="col">Active incidents</th>
          </tr>
        </thead>
        <tbody>
          ${
            targets.length === 0
              ? html`<tr>
                  <td colspan="${SERVICE_TYPES.length + 4}">No targets configured.</td>
                </tr>`
              : targets.map(gridRow)
          }
        </tbody>
      </table>
    </div>
  </section>`;
}

function gridRow(target: TargetSnapshot): SafeHtml {
  const state = target.state;
  return html`<tr>
    <th scope="row">${targetLink(target)}</th>
    ${refreshCell(target)} ${overallCell(target)}
    ${SERVICE_TYPES.map((type) => serviceCell(target, type))}
    <td class="num">${state === undefined ? "—" : countActiveIncidents(target)}</td>
  </tr>`;
}

function refreshCell(target: TargetSnapshot): SafeHtml {
  if (!target.stateAttempted) return html`<td class="s-none">pending</td>`;
  if (!target.up) return html`<td class="s-down">failing</td>`;
  return isFailing(target)
    ? html`<td class="s-inconclusive">partly failing</td>`
    : html`<td class="s-up">ok</td>`;
}

function overallCell(target: TargetSnapshot): SafeHtml {
  const state = target.state;
  if (state === undefined) {
    return html`<td class="s-none">${target.stateAttempted ? "no data" : "pending"}</td>`;
  }
  return html`<td class="${statusClass(state.status)}">
    <span class="status">${showStatus(state.status, state.rawStatus)}</span>
  </td>`;
}

function incidentSection(targets: readonly TargetSnapshot[]): SafeHtml {
  const blocks = targets.flatMap((target) =>
    SERVICE_TYPES.flatMap((type) =>
      activeIncidents(target, type).map((incident) =>
        incidentBlock(
          `${describeTarget(target.target)} ${type.toUpperCase()}`,
          incident,
          target.incidents?.[type],
          false,
        ),
      ),
    ),
  );
  const { shown, hidden } = capped(blocks);
  return html`<section aria-labelledby="incidents-title">
    <h2 id="incidents-title">Active incidents</h2>
    ${blocks.length === 0 ? html`<p>No active incidents.</p>` : shown}
    ${hidden > 0 ? html`<p>…and ${hidden} more active incident(s), not shown.</p>` : ""}
  </section>`;
}

function metricaSection(targets: readonly TargetSnapshot[]): SafeHtml {
  const withReport = targets.filter((t) => t.metrica !== undefined && t.metrica !== null);
  const total = withReport.reduce((sum, t) => sum + (t.metrica?.uniqueAbuseDomains ?? 0), 0);
  return html`<section aria-labelledby="metrica-title">
    <h2 id="metrica-title">Domain METRICA</h2>
    <div class="scroll">
      <table>
        <caption>
          Latest abuse reports: ${total} unique abuse domain(s) over ${withReport.length} report(s)
        </caption>
        <thead>
          <tr>
            <th scope="col">Target</th>
            <th scope="col">Report date</th>
            <th scope="col">Unique abuse domains</th>
            <th scope="col">By threat type</th>
          </tr>
        </thead>
        <tbody>
          ${targets.map((target) => {
            const report = target.metrica;
            if (report === undefined || report === null) {
              return html`<tr>
                <th scope="row">${targetLink(target)}</th>
                <td colspan="3">${report === null ? "no report" : "not fetched"}</td>
              </tr>`;
            }
            return html`<tr>
              <th scope="row">${targetLink(target)}</th>
              <td>${report.domainListDate}</td>
              <td class="num">${report.uniqueAbuseDomains ?? "—"}</td>
              <td>${metricaThreatsText(report)}</td>
            </tr>`;
          })}
        </tbody>
      </table>
    </div>
  </section>`;
}
