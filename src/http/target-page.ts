/**
 * One target in detail (`GET /targets/<ry|rr>/<id>`): every service with its numbers, every
 * incident the last `state` lists, the latest measurement of each active incident with the full
 * probe list, name servers and error table, Domain METRICA by threat type, and the collectors.
 * Also the page for an unknown target (404).
 */
import type { TargetSnapshot } from "../snapshot/snapshot.js";
import { SERVICE_TYPES } from "../mosapi/models.js";
import type { ServiceType } from "../mosapi/models.js";
import { describeTarget } from "../mosapi/target.js";
import { THRESHOLD_MINUTES, capped, isStale, plural } from "./board.js";
import {
  activeIncidents,
  collectorSection,
  incidentBlock,
  METRICA_FORBIDDEN,
  serviceCell,
  showStatus,
  staleNote,
  statusClass,
  threatName,
  when,
} from "./fragments.js";
import { html } from "./html.js";
import { odditiesSection } from "./oddities-section.js";
import type { SafeHtml } from "./html.js";
import { renderPage } from "./layout.js";
import type { PageFrame } from "./layout.js";

/** What the detail page shows. */
export interface TargetPageInput extends PageFrame {
  readonly target: TargetSnapshot;
}

/** Renders the detail page of one target. */
export function renderTargetPage(input: TargetPageInput): string {
  const { target } = input;
  const name = describeTarget(target.target);
  const { now } = input;
  const content = html`<p><a href="/">← All targets</a></p>
    ${overview(target, now)} ${servicesSection(target, now)} ${incidentsSection(target, now)}
    ${metricaSection(target)} ${collectorSection([target], now)} ${odditiesSection(target)}`;
  return renderPage(input, `${name} · MoSAPI exporter`, name, content);
}

/** The 404 page for `/targets/…` paths that name no configured target. */
export function renderTargetNotFoundPage(frame: PageFrame, requested: string): string {
  const content = html`<p>No configured target is called ${requested}.</p>
    <p><a href="/">Back to all targets</a></p>`;
  return renderPage(frame, "Unknown target · MoSAPI exporter", "Unknown target", content, false);
}

function overview(target: TargetSnapshot, now: number): SafeHtml {
  const state = target.state;
  if (state === undefined) {
    return html`<p>
      Overall status:
      ${target.stateAttempted ? "no data (the state refresh failed)" : "pending first refresh"}.
    </p>`;
  }
  const status = html`<span class="status ${statusClass(state.status)}"
    >${showStatus(state.status, state.rawStatus)}</span
  >`;
  const updated =
    state.lastUpdateApiDatabase === undefined
      ? "MoSAPI did not say when it last updated this data"
      : html`ICANN last updated this data ${when(state.lastUpdateApiDatabase * 1000, now)}`;
  return html`<p>
    Overall status: ${status}${isStale(target) ? html` (${staleNote(target, now)})` : ""}.
    ${updated}; our last state refresh ${target.up ? "succeeded" : "failed"}.
  </p>`;
}

function servicesSection(target: TargetSnapshot, now: number): SafeHtml {
  return html`<section aria-labelledby="services-title">
    <h2 id="services-title">Services</h2>
    <div class="scroll">
      <table class="grid">
        <caption>
          Status, alarm and emergency threshold used per service (from the state refresh); downtime
          as the downtime endpoint reports it (its own refresh)
        </caption>
        <thead>
          <tr>
            <th scope="col">Service</th>
            <th scope="col">Status</th>
            <th scope="col">Emergency threshold (minutes a week)</th>
            <th scope="col">Downtime endpoint</th>
            <th scope="col">Incidents (active / resolved)</th>
          </tr>
        </thead>
        <tbody>
          ${SERVICE_TYPES.map((type) => serviceRow(target, type, now))}
        </tbody>
      </table>
    </div>
  </section>`;
}

function serviceRow(target: TargetSnapshot, type: ServiceType, now: number): SafeHtml {
  const incidents = target.state?.services[type]?.incidents;
  const active = incidents?.filter((i) => i.state === "active").length ?? 0;
  const downtime = target.downtimeMinutes?.[type];
  const downtimeAt = target.collectors.downtime?.lastSuccessAt;
  return html`<tr>
    <th scope="row">${type.toUpperCase()}</th>
    ${serviceCell(target, type, now)}
    <td class="num">${THRESHOLD_MINUTES[type]}</td>
    <td>
      ${
        downtime === undefined
          ? "—"
          : html`${downtime} min${downtimeAt === undefined ? "" : html`, ${when(downtimeAt, now)}`}`
      }
    </td>
    <td class="num">
      ${incidents === undefined ? "—" : `${active} / ${incidents.length - active}`}
    </td>
  </tr>`;
}

function incidentsSection(target: TargetSnapshot, now: number): SafeHtml {
  const rows = SERVICE_TYPES.flatMap((type) =>
    (target.state?.services[type]?.incidents ?? []).map(
      (incident) =>
        html`<tr>
          <th scope="row">${type.toUpperCase()}</th>
          <td>${incident.incidentId}</td>
          <td class="${incident.state === "active" ? "s-down" : "s-up"}">${incident.state}</td>
          <td>${when(incident.startTime * 1000, now)}</td>
          <td>${incident.endTime === null ? "—" : when(incident.endTime * 1000, now)}</td>
          <td>${incident.falsePositive ? "yes" : "no"}</td>
        </tr>`,
    ),
  );
  const details = SERVICE_TYPES.flatMap((type) =>
    activeIncidents(target, type).map((incident) =>
      incidentBlock(type.toUpperCase(), incident, target.incidents?.[type], true, now),
    ),
  );
  const listed = capped(rows);
  const detailed = capped(details);
  return html`<section aria-labelledby="incidents-title">
    <h2 id="incidents-title">Incidents</h2>
    ${
      rows.length === 0
        ? html`<p>No incidents listed.</p>`
        : html`<div class="scroll">
            <table>
              <caption>
                Incidents listed by MoSAPI
              </caption>
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col">Incident</th>
                  <th scope="col">State</th>
                  <th scope="col">Start</th>
                  <th scope="col">End</th>
                  <th scope="col">False positive</th>
                </tr>
              </thead>
              <tbody>
                ${listed.shown}
              </tbody>
            </table>
          </div>`
    }
    ${listed.hidden > 0 ? html`<p>…and ${plural(listed.hidden, "more incident")}, not listed.</p>` : ""}
    ${detailed.shown}
    ${
      detailed.hidden > 0
        ? html`<p>…and ${plural(detailed.hidden, "more active incident")}, not shown.</p>`
        : ""
    }
  </section>`;
}

function metricaSection(target: TargetSnapshot): SafeHtml {
  const report = target.metrica;
  const body =
    report === undefined
      ? html`<p>Not fetched yet.</p>`
      : report === null
        ? html`<p>MoSAPI has no Domain METRICA report for this target.</p>`
        : html`<div class="scroll">
            <table>
              <caption>
                Report of ${report.domainListDate}:
                ${
                  report.uniqueAbuseDomains === undefined
                    ? "An unknown number of unique abuse domains"
                    : plural(report.uniqueAbuseDomains, "unique abuse domain")
                }
              </caption>
              <thead>
                <tr>
                  <th scope="col">Threat type</th>
                  <th scope="col">Domains</th>
                </tr>
              </thead>
              <tbody>
                ${report.threats.map(
                  (t) =>
                    html`<tr>
                      <th scope="row">${threatName(t.threatType)}</th>
                      <td class="num">${t.count === null ? "not monitored" : t.count}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`;
  const error = target.collectors.metrica?.lastError;
  return html`<section aria-labelledby="metrica-title">
    <h2 id="metrica-title">Domain METRICA</h2>
    ${error?.reason === "forbidden" ? html`<p>MoSAPI answered 403. ${METRICA_FORBIDDEN}</p>` : ""}
    ${body}
  </section>`;
}
