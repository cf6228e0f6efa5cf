/**
 * One target in detail (`GET /targets/<ry|rr>/<id>`): every service with its numbers, every
 * incident the last `state` lists, the latest measurement of each active incident with the full
 * probe list, name servers and error table, the latest recent measurement per service (the
 * early warning), the probe network's traces to the target's IPs, Domain METRICA by threat type,
 * and the collectors.
 * Also the page for an unknown target (404).
 */
import type { TargetSnapshot, TraceView } from "../snapshot/snapshot.js";
import type { TraceSummary } from "../mosapi/probe-network.js";
import type { AddressRole, RecentMeasurement } from "../mosapi/recent-measurement.js";
import { SERVICE_TYPES } from "../mosapi/models.js";
import type { ServiceType } from "../mosapi/models.js";
import { describeTarget } from "../mosapi/target.js";
import {
  THRESHOLD_MINUTES,
  capped,
  countActiveIncidents,
  crossesEarlyWarning,
  earlyWarnings,
  isStale,
  plural,
} from "./board.js";
import {
  activeIncidents,
  collectorSection,
  earlyWarningText,
  formatPercent,
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
    ${recentSection(target, now)} ${tracesSection(target, now)} ${metricaSection(target)}
    ${collectorSection([target], now)} ${odditiesSection(target)}`;
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

/**
 * The latest recent measurement per service (every cycle, not only in incidents): when it was
 * measured, its probes by result, and per name server how many probes lose it. Rows that cross
 * the early warning's line are marked.
 */
function recentSection(target: TargetSnapshot, now: number): SafeHtml {
  const measured = SERVICE_TYPES.flatMap((type) => {
    const detail = target.measurements?.[type];
    return detail === undefined ? [] : [{ type, detail }];
  });
  const warnings = earlyWarnings(target);
  const body =
    measured.length === 0
      ? html`<p>
          No recent measurement fetched yet. The <code>measurements</code> collector reads them
          (<code>collectors.measurements</code>, every 5 min by default; <code>0</code> turns it
          off).
        </p>`
      : html`${
            warnings.length === 0
              ? html`<p>
                  No early warning: no service still up has probes losing it or a name server.
                </p>`
              : html`<p class="incident">
                  <strong>Early warning:</strong>
                  ${warnings.map(
                    (w, i) =>
                      html`${i === 0 ? "" : "; "}${w.service.toUpperCase()} ${earlyWarningText(w)}`,
                  )}.
                </p>`
          }
          <div class="scroll">
            <table>
              <caption>
                Latest recent measurement per service: probes by result
              </caption>
              <thead>
                <tr>
                  <th scope="col">Service</th>
                  <th scope="col">Measurement</th>
                  <th scope="col">Cycle</th>
                  <th scope="col">Status</th>
                  <th scope="col">Up</th>
                  <th scope="col">Down</th>
                  <th scope="col">Offline</th>
                  <th scope="col">No result</th>
                </tr>
              </thead>
              <tbody>
                ${measured.map(({ type, detail }) => {
                  const m = detail.measurement;
                  const c = m.probeCounts;
                  return html`<tr>
                    <th scope="row">${type.toUpperCase()}</th>
                    <td>${detail.measurementId}</td>
                    <td>${when(m.cycleCalculationDateTime * 1000, now)}</td>
                    <td>${m.status}</td>
                    <td class="num">${c.up}</td>
                    <td class="num${crossesEarlyWarning(c.down, c.up + c.down) ? " s-down" : ""}">
                      ${c.down}
                    </td>
                    <td class="num">${c.offline}</td>
                    <td class="num">${c.no_result}</td>
                  </tr>`;
                })}
              </tbody>
            </table>
          </div>
          ${measured.map(({ type, detail }) => nameServerProbeTable(type, detail.measurement))}`;
  return html`<section aria-labelledby="recent-title">
    <h2 id="recent-title">Recent measurements</h2>
    ${body}
  </section>`;
}

function nameServerProbeTable(type: ServiceType, m: RecentMeasurement): SafeHtml | "" {
  if (m.nameServerProbes.length === 0) return "";
  return html`<div class="scroll">
    <table>
      <caption>
        ${type.toUpperCase()} name servers: probes that saw each up and down
      </caption>
      <thead>
        <tr>
          <th scope="col">Name server</th>
          <th scope="col">Up</th>
          <th scope="col">Down</th>
          <th scope="col">Down share</th>
        </tr>
      </thead>
      <tbody>
        ${m.nameServerProbes.map((ns) => {
          const probes = ns.up + ns.down;
          const share = probes === 0 ? 0 : (ns.down / probes) * 100;
          return html`<tr>
            <th scope="row">${ns.name}</th>
            <td class="num">${ns.up}</td>
            <td class="num">${ns.down}</td>
            <td class="num${crossesEarlyWarning(ns.down, probes) ? " s-down" : ""}">
              ${formatPercent(Math.round(share * 10) / 10)}
            </td>
          </tr>`;
        })}
      </tbody>
    </table>
  </div>`;
}

/** A page lists at most this many traces: a listing of absurdly many paths stays a page. */
export const MAX_LISTED_TRACES = 1_000;

/** What each address role is, for people. */
const ROLE_NAMES: Readonly<Record<AddressRole, string>> = {
  nameserver: "name server",
  rdds43: "RDDS43 (WHOIS)",
  rdds80: "RDDS80 (web WHOIS)",
  rdap: "RDAP",
};

/** Every IP the recent measurements tested, with its role (the first service's wins). */
function addressRoles(target: TargetSnapshot): Map<string, AddressRole> {
  const roles = new Map<string, AddressRole>();
  for (const type of SERVICE_TYPES) {
    for (const { ip, role } of target.measurements?.[type]?.measurement.targetIps ?? []) {
      if (!roles.has(ip)) roles.set(ip, role);
    }
  }
  return roles;
}

/**
 * The probe network's traces to the target's IPs (the `troubleshooting` collector): per IP,
 * which probes reach it and, where they lose packets, the hop where loss starts with its address
 * and ASN. When MoSAPI does not offer the tree to this account (404), or the collector does not
 * look, the section says why instead of showing an empty table.
 */
function tracesSection(target: TargetSnapshot, now: number): SafeHtml {
  return html`<section aria-labelledby="traces-title">
    <h2 id="traces-title">Probe-network traces</h2>
    ${tracesBody(target, now)}
  </section>`;
}

function tracesBody(target: TargetSnapshot, now: number): SafeHtml {
  const traces = target.traces;
  if (traces === null) {
    return html`<p class="incident">
      <strong>Not offered for this account:</strong> MoSAPI answered 404 on the trace tree
      (<code>networkTroubleshooting/mtr</code>), so it has no network troubleshooting data for this
      target. The exporter asks again once a day.
    </p>`;
  }
  if (traces !== undefined) return traceTables(traces, addressRoles(target), now);
  const collector = target.collectors.troubleshooting;
  if (collector === undefined) {
    return html`<p>
      The <code>troubleshooting</code> collector is off (the default) or has not run yet. Turn it on
      with <code>collectors.troubleshooting: 5m</code>: it then fetches the probes' traces while one
      of the target's services has an active incident, or every round for a target with
      <code>troubleshooting: always</code> (CONFIGURATION.md).
    </p>`;
  }
  if (collector.lastError !== undefined) {
    return html`<p>No traces fetched: the last attempt failed (see Refreshes).</p>`;
  }
  if (countActiveIncidents(target) > 0 || target.target.troubleshooting === "always") {
    return html`<p>
      No traces fetched yet: the <code>troubleshooting</code> collector looks on its next round.
    </p>`;
  }
  return html`<p>
    No active incident, so no traces fetched: the <code>troubleshooting</code> collector looks only
    while one of the target's services has an active incident. Set
    <code>troubleshooting: always</code> on the target to see them anyway.
  </p>`;
}

function traceTables(view: TraceView, roles: Map<string, AddressRole>, now: number): SafeHtml {
  if (view.traces.length === 0) {
    return html`<p>MoSAPI lists no traces to this target's addresses for today.</p>`;
  }
  const { shown, hidden } = capped(view.traces, MAX_LISTED_TRACES);
  const byIp = new Map<string, TraceSummary[]>();
  for (const trace of shown) {
    const list = byIp.get(trace.ip);
    if (list === undefined) byIp.set(trace.ip, [trace]);
    else list.push(trace);
  }
  const ips = [...byIp.keys()].sort();
  return html`${ips.map((ip) => {
    const traces = byIp.get(ip) ?? [];
    const role = roles.get(ip);
    const reached = traces.filter((t) => t.reached).length;
    return html`<div class="scroll">
      <table>
        <caption>
          ${ip} (${role === undefined ? "role unknown" : ROLE_NAMES[role]}): reached by ${reached}
          of ${plural(traces.length, "probe")}
        </caption>
        <thead>
          <tr>
            <th scope="col">Probe</th>
            <th scope="col">Reached</th>
            <th scope="col">Loss</th>
            <th scope="col">RTT</th>
            <th scope="col">Hops</th>
            <th scope="col">Traced</th>
            <th scope="col">Loss starts (hop, address, ASN)</th>
          </tr>
        </thead>
        <tbody>
          ${traces.map((t) => traceRow(t, now))}
        </tbody>
      </table>
    </div>`;
  })}
  ${hidden > 0 ? html`<p>…and ${plural(hidden, "more trace")}, not shown.</p>` : ""}`;
}

function traceRow(trace: TraceSummary, now: number): SafeHtml {
  const loss = trace.lossStart;
  return html`<tr>
    <th scope="row">${trace.probe}</th>
    <td class="${trace.reached ? "s-up" : "s-down"}">${trace.reached ? "yes" : "no"}</td>
    <td class="num">${formatPercent(trace.lossRatio * 100)}</td>
    <td class="num">
      ${trace.rttSeconds === undefined ? "—" : `${(trace.rttSeconds * 1000).toFixed(1)} ms`}
    </td>
    <td class="num">${trace.hops}</td>
    <td>${when(trace.testTime * 1000, now)}</td>
    <td>
      ${
        loss === undefined
          ? "—"
          : html`hop ${loss.hop}:
            ${loss.host === "???" ? "no answer" : loss.host}${loss.asn === undefined ? "" : ` (${loss.asn})`}`
      }
    </td>
  </tr>`;
}
