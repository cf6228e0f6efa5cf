/**
 * Pieces of markup both status-board pages use: status words with their colour class, the
 * emergency-threshold bar, a service's grid cell, an active incident with its latest
 * measurement, and per-collector refresh status. Every upstream string goes through
 * {@link html}, which escapes it.
 */
import { COLLECTOR_NAMES } from "../snapshot/names.js";
import type { CollectorName } from "../snapshot/names.js";
import type { CollectorStatus, IncidentDetail, TargetSnapshot } from "../snapshot/snapshot.js";
import type { MeasurementSummary } from "../mosapi/measurement.js";
import type { MetricaReport } from "../mosapi/metrica-models.js";
import type { Incident, ServiceType } from "../mosapi/models.js";
import { THRESHOLD_MARKS, THRESHOLD_MINUTES, ago, earlyWarnings, isStale, iso } from "./board.js";
import type { EarlyWarning } from "./board.js";
import { html } from "./html.js";
import type { SafeHtml } from "./html.js";

/**
 * A moment as people read it: relative (`3 min ago`) in the text, the absolute UTC time in the
 * tooltip and the `datetime` attribute; never wrapped mid-token (style `time`).
 */
export function when(ms: number, now: number): SafeHtml {
  const at = iso(ms);
  return html`<time datetime="${at}" title="${at.replace("T", " ").replace("Z", " UTC")}"
    >${ago(ms, now)}</time
  >`;
}

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
 * The share of the emergency threshold used as a bar with ticks at {@link THRESHOLD_MARKS}
 * (drawn by the style, so a bar costs a few bytes at 1,000 targets), then as text with the
 * downtime it stands for: both come from the same `state` answer, so they always agree.
 * The bar is decoration (`aria-hidden`): the text says it all.
 */
export function thresholdBar(percent: number, type?: ServiceType): SafeHtml {
  const width = Math.min(100, Math.max(0, percent));
  const tier = [...THRESHOLD_MARKS].reverse().find((mark) => percent >= mark);
  const minutes =
    type === undefined
      ? ""
      : `: ${Math.round((percent * THRESHOLD_MINUTES[type]) / 100)} of ${THRESHOLD_MINUTES[type]} min down this week`;
  return html`<div class="bar" aria-hidden="true">
      <span class="fill${tier === undefined ? "" : ` t${tier}`}" style="width: ${width}%"></span>
    </div>
    <span class="note">${formatPercent(percent)} of emergency threshold${minutes}</span>`;
}

/** Since when the target's data is stale: the time of its last good `state`. */
export function staleNote(target: TargetSnapshot, now: number): SafeHtml {
  const since = target.collectors.state?.lastSuccessAt;
  return html`<span class="note"
    ><strong>stale</strong>: refresh failing; data from
    ${since === undefined ? "an earlier refresh" : when(since, now)}</span
  >`;
}

/**
 * One service of one target as a grid cell: status, alarmed flag, emergency threshold used and
 * the downtime it means. When the latest `state` refresh failed, the last good values are shown
 * in grey as stale, with their age, never in a status colour. The `downtime` endpoint's own
 * figure (another refresh) appears only where `state` has no threshold, with its age.
 */
export function serviceCell(target: TargetSnapshot, type: ServiceType, now: number): SafeHtml {
  if (target.state === undefined) return html`<td class="s-none">no data</td>`;
  const service = target.state.services[type];
  if (service === undefined) return html`<td class="s-none">not monitored</td>`;
  const stale = isStale(target);
  const threshold = service.emergencyThreshold;
  return html`<td class="${stale ? "s-stale" : statusClass(service.status)}">
    <span class="status">${showStatus(service.status, service.rawStatus)}</span>
    ${stale ? html`<br />${staleNote(target, now)}` : ""}
    ${target.alarmed?.[type] === true ? html`<br /><span class="flag">ALARMED</span>` : ""}
    ${earlyWarningNote(earlyWarnings(target).filter((w) => w.service === type))}
    ${threshold === undefined ? downtimeNote(target, type, now) : thresholdBar(threshold, type)}
  </td>`;
}

/** `2 of 6 probes (33.3%) lose ns1.example`, or `… find DNS down` for the service itself. */
export function earlyWarningText(warning: EarlyWarning): string {
  const share = formatPercent(Math.round((warning.down / warning.probes) * 1000) / 10);
  const what =
    warning.nameServer === undefined
      ? `find ${warning.service.toUpperCase()} down`
      : `lose ${warning.nameServer}`;
  return `${warning.down} of ${warning.probes} probes (${share}) ${what}`;
}

/** A service cell's early-warning flag with the first warning, and how many more there are. */
function earlyWarningNote(warnings: readonly EarlyWarning[]): SafeHtml | "" {
  const [first, ...more] = warnings;
  if (first === undefined) return "";
  return html`<br /><span class="flag warn">EARLY WARNING</span><br /><span class="note"
      >${earlyWarningText(first)}${more.length > 0 ? ` (+${more.length} more)` : ""}</span
    >`;
}

/** The `downtime` endpoint's minutes with the age of the refresh they come from. */
export function downtimeNote(
  target: TargetSnapshot,
  type: ServiceType,
  now: number,
): SafeHtml | "" {
  const minutes = target.downtimeMinutes?.[type];
  if (minutes === undefined) return "";
  const at = target.collectors.downtime?.lastSuccessAt;
  return html`<br /><span class="note"
      >${minutes} min down this week (downtime
      refresh${at === undefined ? "" : html` ${when(at, now)}`})</span
    >`;
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
  now: number,
): SafeHtml {
  const measured = detail?.incidentId === incident.incidentId ? detail : undefined;
  return html`<article class="incident">
    <h3>${label}: incident ${incident.incidentId}</h3>
    <p>
      Started
      ${when(incident.startTime * 1000, now)}${incident.falsePositive ? " (flagged false positive)" : ""}.
    </p>
    ${
      measured === undefined
        ? html`<p>No measurement fetched yet for this incident.</p>`
        : measurementBlock(measured, full, now)
    }
  </article>`;
}

function measurementBlock(detail: IncidentDetail, full: boolean, now: number): SafeHtml {
  const m = detail.measurement;
  const counts = m.probeCounts;
  return html`<p>
      Latest measurement ${detail.measurementId} of the cycle
      ${when(m.cycleCalculationDateTime * 1000, now)}: ${m.status}. Probes: ${counts.up} up,
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

/**
 * A collector's last success (or `never`) and, when its last attempt failed, the error. A 403
 * on METRICA also says what it means and how to stop asking.
 */
export function collectorCell(
  name: CollectorName,
  status: CollectorStatus | undefined,
  now: number,
): SafeHtml {
  if (status === undefined) return html`<td class="s-none">not run</td>`;
  const success =
    status.lastSuccessAt === undefined ? "never" : html`ok ${when(status.lastSuccessAt, now)}`;
  const error = status.lastError;
  if (error === undefined) return html`<td>${success}</td>`;
  return html`<td class="s-down">
    ${success}<br /><strong>failed ${when(error.at, now)}</strong>: ${error.reason}:
    ${error.message}
    (${error.code})${name === "metrica" && error.reason === "forbidden" ? html`<br />${METRICA_FORBIDDEN}` : ""}
  </td>`;
}

/** What a 403 on Domain METRICA means, and the way out. */
export const METRICA_FORBIDDEN = html`<span class="note"
  >The credential lacks the METRICA role: ask ICANN to add it to the MoSAPI account, or turn the
  collector off with <code>collectors.metrica: 0s</code>.</span
>`;

/** Column headers of the per-collector table, one per collector. */
function collectorHeaders(): SafeHtml[] {
  return COLLECTOR_NAMES.map((name) => html`<th scope="col">${name}</th>`);
}

/** One cell per collector of `target`, in {@link COLLECTOR_NAMES} order. */
function collectorCells(target: TargetSnapshot, now: number): SafeHtml[] {
  return COLLECTOR_NAMES.map((name) => collectorCell(name, target.collectors[name], now));
}

/**
 * The "Refreshes" section: last success and last error per collector, one row per target.
 * With `rowHeader`, each row starts with a Target column (the board); without, the table is
 * the single target's (its detail page).
 */
export function collectorSection(
  targets: readonly TargetSnapshot[],
  now: number,
  rowHeader?: (target: TargetSnapshot) => SafeHtml,
  caption: SafeHtml | string = "Last successful refresh and last error, per collector",
): SafeHtml {
  return html`<section aria-labelledby="collectors-title">
    <h2 id="collectors-title">Refreshes</h2>
    <div class="scroll">
      <table>
        <caption>
          ${caption}
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
                ${collectorCells(target, now)}
              </tr>`,
          )}
        </tbody>
      </table>
    </div>
  </section>`;
}

/** Human names of the threat types METRICA reports; others are shown as sent. */
const THREAT_NAMES: Readonly<Record<string, string>> = {
  spam: "Spam",
  phishing: "Phishing",
  botnetCc: "Botnet command and control",
  malware: "Malware",
};

/** `Botnet command and control` for `botnetCc`; an unknown type as MoSAPI sent it. */
export function threatName(threatType: string): string {
  return (
    (Object.hasOwn(THREAT_NAMES, threatType) ? THREAT_NAMES[threatType] : undefined) ?? threatType
  );
}

/** `Spam 12, Phishing 3, Botnet command and control not monitored`, in the report's order. */
export function metricaThreatsText(report: MetricaReport): string {
  return report.threats
    .map((t) => `${threatName(t.threatType)} ${t.count === null ? "not monitored" : t.count}`)
    .join(", ");
}
