/**
 * Pieces of markup both status-board pages use: status words with their colour class, the
 * emergency-threshold bar, a service's grid cell, an active incident with its latest
 * measurement, and per-collector refresh status. Every upstream string goes through
 * {@link html}, which escapes it.
 */
import { COLLECTOR_NAMES } from "../snapshot/names.js";
import type { CollectorStatus, IncidentDetail, TargetSnapshot } from "../snapshot/snapshot.js";
import type { MeasurementSummary } from "../mosapi/measurement.js";
import type { MetricaReport } from "../mosapi/metrica-models.js";
import type { Incident, ServiceType } from "../mosapi/models.js";
import { iso } from "./board.js";
import { html } from "./html.js";
import type { SafeHtml } from "./html.js";

/** ICANN's escalation ladder: shares of the emergency threshold marked on every bar (percent). */
export const THRESHOLD_MARKS = [10, 25, 50, 75, 100] as const;

/** Our status name; an unrecognised upstream value also shows what MoSAPI actually sent. */
export function showStatus(status: string, rawStatus: string): string {
  return status === "unknown" && rawStatus.trim().toLowerCase() !== "unknown"
    ? `unknown (${rawStatus})`
    : status;
}

/** Colour class of a status; always paired with the status text, never the only signal. */
export function statusClass(status: string): string {
  if (status === "up" || status === "down" || status === "disabled") return `s-${status}`;
  if (status.startsWith("up-inconclusive")) return "s-inconclusive";
  return "s-unknown";
}

/** `41.667%`: at most three decimals, as MoSAPI sends them. */
export function formatPercent(value: number): string {
  return `${Number(value.toFixed(3))}%`;
}

/** A probe status in words (`no_result` → `no result`). */
export function probeWord(status: string): string {
  return status.replace(/_/g, " ");
}

/**
 * The share of the emergency threshold used as a bar with ticks at {@link THRESHOLD_MARKS},
 * followed by the number as text. The bar is decoration (`aria-hidden`): the text says it all.
 */
export function thresholdBar(percent: number): SafeHtml {
  const width = Math.min(100, Math.max(0, percent));
  const tier = [...THRESHOLD_MARKS].reverse().find((mark) => percent >= mark);
  return html`<div class="bar" aria-hidden="true">
      <span class="fill${tier === undefined ? "" : ` t${tier}`}" style="width: ${width}%"></span>
      ${THRESHOLD_MARKS.map((mark) => html`<span class="mark" style="left: ${mark}%"></span>`)}
    </div>
    <span class="note">${formatPercent(percent)} of emergency threshold</span>`;
}

/** One service of one target as a grid cell: status, alarmed flag, downtime, threshold bar. */
export function serviceCell(target: TargetSnapshot, type: ServiceType): SafeHtml {
  if (target.state === undefined) return html`<td class="s-none">no data</td>`;
  const service = target.state.services[type];
  if (service === undefined) return html`<td class="s-none">not monitored</td>`;
  const threshold = service.emergencyThreshold;
  const downtime = target.downtimeMinutes?.[type];
  return html`<td class="${statusClass(service.status)}">
    <span class="status">${showStatus(service.status, service.rawStatus)}</span>
    ${target.alarmed?.[type] === true ? html`<br /><span class="flag">ALARMED</span>` : ""}
    ${downtime === undefined ? "" : html`<br /><span class="note">${downtime} min down (week)</span>`}
    ${threshold === undefined ? "" : thresholdBar(threshold)}
  </td>`;
}

/** Active incidents of a service as listed by the last good `state`. */
export function activeIncidents(target: TargetSnapshot, type: ServiceType): Incident[] {
  return target.state?.services[type]?.incidents.filter((i) => i.state === "active") ?? [];
}

/**
 * An active incident with its start and, when the `incidents` collector has it, the latest
 * measurement: failed probes (every probe when `full`), name servers down (every name server
 * when `full`), and the failing tests by error code with descriptions.
 */
export function incidentBlock(
  label: string,
  incident: Incident,
  detail: IncidentDetail | undefined,
  full: boolean,
): SafeHtml {
  const measured = detail?.incidentId === incident.incidentId ? detail : undefined;
  return html`<article class="incident">
    <h3>${label}: incident ${incident.incidentId}</h3>
    <p>
      Started
      ${iso(incident.startTime * 1000)}${incident.falsePositive ? " (flagged false positive)" : ""}.
    </p>
    ${
      measured === undefined
        ? html`<p>No measurement fetched yet for this incident.</p>`
        : measurementBlock(measured, full)
    }
  </article>`;
}

function measurementBlock(detail: IncidentDetail, full: boolean): SafeHtml {
  const m = detail.measurement;
  const counts = m.probeCounts;
  return html`<p>
      Latest measurement ${detail.measurementId} of the cycle at
      ${iso(m.cycleCalculationDateTime * 1000)}: ${m.status}. Probes: ${counts.up} up,
      ${counts.down} down, ${counts.offline} offline, ${counts.no_result} no result.
    </p>
    ${full ? fullLists(m) : failedLists(m)}
    ${m.testErrors.length === 0 ? html`<p>No failing tests.</p>` : errorTable(m)}`;
}

/** The landing page's short form: only what failed, as sentences. */
function failedLists(m: MeasurementSummary): SafeHtml {
  const failed = m.probes.filter((p) => p.status !== "up");
  const down = m.nameServers.filter((ns) => !ns.up);
  return html`<p>
      Failed probes:
      ${
        failed.length === 0
          ? "none"
          : failed.map((p) => `${p.city} (${probeWord(p.status)})`).join(", ")
      }.
    </p>
    ${
      m.nameServers.length === 0
        ? ""
        : html`<p>
            Name servers down: ${down.length === 0 ? "none" : down.map((ns) => ns.name).join(", ")}.
          </p>`
    }`;
}

/** The detail page's form: every probe and every name server in tables. */
function fullLists(m: MeasurementSummary): SafeHtml {
  return html`<div class="scroll">
      <table>
        <caption>
          Probes
        </caption>
        <thead>
          <tr>
            <th scope="col">City</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          ${m.probes.map(
            (p) =>
              html`<tr>
                <th scope="row">${p.city}</th>
                <td class="${statusClass(p.status === "up" ? "up" : "down")}">
                  ${probeWord(p.status)}
                </td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
    ${
      m.nameServers.length === 0
        ? ""
        : html`<div class="scroll">
            <table>
              <caption>
                Name servers
              </caption>
              <thead>
                <tr>
                  <th scope="col">Name server</th>
                  <th scope="col">Status</th>
                </tr>
              </thead>
              <tbody>
                ${m.nameServers.map(
                  (ns) =>
                    html`<tr>
                      <th scope="row">${ns.name}</th>
                      <td class="${ns.up ? "s-up" : "s-down"}">${ns.up ? "up" : "down"}</td>
                    </tr>`,
                )}
              </tbody>
            </table>
          </div>`
    }`;
}

function errorTable(m: MeasurementSummary): SafeHtml {
  return html`<div class="scroll">
    <table>
      <caption>
        Failing tests by error code
      </caption>
      <thead>
        <tr>
          <th scope="col">Interface</th>
          <th scope="col">Code</th>
          <th scope="col">Description</th>
          <th scope="col">Tests</th>
        </tr>
      </thead>
      <tbody>
        ${m.testErrors.map(
          (e) =>
            html`<tr>
              <td>${e.interface}</td>
              <td class="num">${e.code}</td>
              <td>${e.description}</td>
              <td class="num">${e.count}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}

/** A collector's last success (or `never`) and, when its last attempt failed, the error. */
export function collectorCell(status: CollectorStatus | undefined): SafeHtml {
  if (status === undefined) return html`<td class="s-none">not run</td>`;
  const success = status.lastSuccessAt === undefined ? "never" : `ok ${iso(status.lastSuccessAt)}`;
  const error = status.lastError;
  if (error === undefined) return html`<td>${success}</td>`;
  return html`<td class="s-down">
    ${success}<br /><strong>failed ${iso(error.at)}</strong>: ${error.reason}: ${error.message}
    (${error.code})
  </td>`;
}

/** Column headers of the per-collector table, one per collector. */
function collectorHeaders(): SafeHtml[] {
  return COLLECTOR_NAMES.map((name) => html`<th scope="col">${name}</th>`);
}

/** One cell per collector of `target`, in {@link COLLECTOR_NAMES} order. */
function collectorCells(target: TargetSnapshot): SafeHtml[] {
  return COLLECTOR_NAMES.map((name) => collectorCell(target.collectors[name]));
}

/**
 * The "Refreshes" section: last success and last error per collector, one row per target.
 * With `rowHeader`, each row starts with a Target column (the board); without, the table is
 * the single target's (its detail page).
 */
export function collectorSection(
  targets: readonly TargetSnapshot[],
  rowHeader?: (target: TargetSnapshot) => SafeHtml,
): SafeHtml {
  return html`<section aria-labelledby="collectors-title">
    <h2 id="collectors-title">Refreshes</h2>
    <div class="scroll">
      <table>
        <caption>
          Last successful refresh and last error, per collector
        </caption>
        <thead>
          <tr>
            ${rowHeader ? html`<th scope="col">Target</th>` : ""} ${collectorHeaders()}
          </tr>
        </thead>
        <tbody>
          ${targets.map(
            (target) =>
              html`<tr>
                ${rowHeader ? html`<th scope="row">${rowHeader(target)}</th>` : ""}
                ${collectorCells(target)}
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </section>`;
}

/** `spam 12, phishing 3, botnetCc not monitored, malware 25`, in the order of the report. */
export function metricaThreatsText(report: MetricaReport): string {
  return report.threats
    .map((t) => `${t.threatType} ${t.count === null ? "not monitored" : t.count}`)
    .join(", ");
}
