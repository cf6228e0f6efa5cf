/**
 * The status board (`GET /`): one server-rendered page with the fleet at a glance, worst first
 * by SLA severity. Counts by state with a filter (`?show=`, `?q=`: plain links and a GET form,
 * so a fleet of 1,000 targets stays usable), a target × service grid (status in words and
 * colour, alarmed flags, emergency threshold used and the downtime it means), the active
 * incidents with their latest measurement, the early warnings (probes losing a name server of a
 * service still Up, from the latest recent measurements), Domain METRICA totals, and the failing
 * refreshes.
 * No JavaScript; it reloads itself every minute.
 */
import type { Snapshot, TargetSnapshot } from "../snapshot/snapshot.js";
import { SERVICE_TYPES } from "../mosapi/models.js";
import { describeTarget } from "../mosapi/target.js";
import {
  BOARD_FILTERS,
  capped,
  EARLY_WARNING,
  countActiveIncidents,
  earlyWarnings,
  hasEarlyWarning,
  isFailing,
  isStale,
  plural,
  targetPath,
  worstFirst,
} from "./board.js";
import type { BoardFilter } from "./board.js";
import {
  activeIncidents,
  collectorSection,
  earlyWarningText,
  incidentBlock,
  metricaThreatsText,
  serviceCell,
  showStatus,
  staleNote,
  statusClass,
  when,
} from "./fragments.js";
import { html } from "./html.js";
import type { SafeHtml } from "./html.js";
import { renderPage } from "./layout.js";
import type { PageFrame } from "./layout.js";

/** What the landing page shows. */
export interface LandingPageInput extends PageFrame {
  readonly snapshot: Snapshot;
  /** Which targets to list (`?show=`); default `all`. */
  readonly filter?: BoardFilter;
  /** Only targets whose name or id contains this, case-insensitive (`?q=`). */
  readonly query?: string;
}

/** The filters as the board offers them, in order, with their labels. */
const FILTER_LABELS: Readonly<Record<BoardFilter, string>> = {
  all: "All",
  problems: "Any problem",
  threshold: "≥ 10 % of emergency threshold",
  down: "Down",
  alarmed: "Alarmed",
  incidents: "Active incidents",
  warning: "Early warning",
  failing: "Refresh failing",
  ok: "All well",
};

/** Renders the complete status board; targets are ordered by {@link worstFirst}. */
export function renderLandingPage(input: LandingPageInput): string {
  const filter = input.filter ?? "all";
  const query = (input.query ?? "").trim();
  const all = worstFirst(input.snapshot.targets);
  const matches = BOARD_FILTERS[filter];
  const needle = query.toLowerCase();
  const targets = all.filter(
    (t) =>
      matches(t) &&
      (needle === "" ||
        describeTarget(t.target).toLowerCase().includes(needle) ||
        t.target.id.toLowerCase().includes(needle)),
  );
  const incidents = all.reduce((sum, t) => sum + countActiveIncidents(t), 0);
  const failing = all.filter(isFailing).length;
  const warned = all.filter(hasEarlyWarning).length;
  const shown =
    targets.length === all.length ? "" : html` Showing ${plural(targets.length, "target")}.`;
  const content = html`<p>
      ${plural(all.length, "target")}, ${plural(incidents, "active incident")},
      ${plural(failing, "target")} with failing refreshes. ${plural(warned, "target")} with an early
      warning.${shown}
    </p>
    ${filterBar(all, filter, query)} ${grid(targets, input.now)}
    ${incidentSection(targets, input.now)} ${warningSection(targets, input.now)}
    ${metricaSection(targets)} ${refreshSection(targets, input.now)}`;
  return renderPage(input, "MoSAPI exporter", "MoSAPI exporter", content);
}

/** Counts by state, each a link to the board filtered to it, and a search form. */
function filterBar(all: readonly TargetSnapshot[], current: BoardFilter, query: string): SafeHtml {
  const filters = Object.keys(FILTER_LABELS) as BoardFilter[];
  const link = (name: BoardFilter) => {
    const count = all.filter(BOARD_FILTERS[name]).length;
    const label = html`${FILTER_LABELS[name]}: <strong>${count}</strong>`;
    const href = name === "all" ? "/" : `/?show=${name}`;
    return name === current && query === ""
      ? html`<li><a href="${href}" aria-current="page" class="current">${label}</a></li>`
      : html`<li><a href="${href}">${label}</a></li>`;
  };
  return html`<nav aria-label="Filter targets" class="filters">
    <ul>
      ${filters.map(link)}
    </ul>
    <form method="get" action="/">
      <label>Target <input type="search" name="q" value="${query}" /></label>
      <label
        >Show
        <select name="show">
          ${filters.map((name) =>
            name === current
              ? html`<option value="${name}" selected>${FILTER_LABELS[name]}</option>`
              : html`<option value="${name}">${FILTER_LABELS[name]}</option>`,
          )}
        </select></label
      >
      <button type="submit">Filter</button>
    </form>
  </nav>`;
}

function targetLink(target: TargetSnapshot): SafeHtml {
  return html`<a href="${targetPath(target.target)}">${describeTarget(target.target)}</a>`;
}

function grid(targets: readonly TargetSnapshot[], now: number): SafeHtml {
  return html`<section aria-labelledby="grid-title">
    <h2 id="grid-title">Services</h2>
    <p class="note">
      Bars show the share of the rolling-week emergency threshold used, with marks at ICANN's
      escalation steps 10, 25, 50, 75 and 100 %.
    </p>
    <div class="scroll" id="grid">
      <table class="grid">
        <caption>
          Every target and service, worst first: emergency threshold used, down, alarmed, active
          incidents, early warnings, then failing refreshes
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
                  <td colspan="${SERVICE_TYPES.length + 4}">No targets to show.</td>
                </tr>`
              : targets.map((target) => gridRow(target, now))
          }
        </tbody>
      </table>
    </div>
  </section>`;
}

function gridRow(target: TargetSnapshot, now: number): SafeHtml {
  const state = target.state;
  return html`<tr>
    <th scope="row">${targetLink(target)}</th>
    ${refreshCell(target)} ${overallCell(target, now)}
    ${SERVICE_TYPES.map((type) => serviceCell(target, type, now))}
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

function overallCell(target: TargetSnapshot, now: number): SafeHtml {
  const state = target.state;
  if (state === undefined) {
    return html`<td class="s-none">${target.stateAttempted ? "no data" : "pending"}</td>`;
  }
  const stale = isStale(target);
  return html`<td class="${stale ? "s-stale" : statusClass(state.status)}">
    <span class="status">${showStatus(state.status, state.rawStatus)}</span>
    ${stale ? html`<br />${staleNote(target, now)}` : ""}
  </td>`;
}

function incidentSection(targets: readonly TargetSnapshot[], now: number): SafeHtml {
  const blocks = targets.flatMap((target) => {
    const own = SERVICE_TYPES.flatMap((type) =>
      activeIncidents(target, type).map((incident) =>
        incidentBlock(
          `${describeTarget(target.target)} ${type.toUpperCase()}`,
          incident,
          target.incidents?.[type],
          false,
          now,
        ),
      ),
    );
    // The target's traces after its last incident, in the same item: a cap never splits them.
    const last = own.pop();
    return last === undefined ? [] : [...own, html`${last}${tracesNote(target)}`];
  });
  const { shown, hidden } = capped(blocks);
  return html`<section aria-labelledby="incidents-title">
    <h2 id="incidents-title">Active incidents</h2>
    ${blocks.length === 0 ? html`<p>No active incidents.</p>` : shown}
    ${hidden > 0 ? html`<p>…and ${plural(hidden, "more active incident")}, not shown.</p>` : ""}
  </section>`;
}

/** Traces that lose packets a fleet view names; the target's page lists them all. */
const NOTED_TRACES = 3;

/**
 * Where the paths to the target break, from the probe network's traces (when the
 * `troubleshooting` collector has them): how many reach their address, and the first few
 * probes that lose packets with the hop where loss starts.
 */
function tracesNote(target: TargetSnapshot): SafeHtml | "" {
  const traces = target.traces?.traces ?? [];
  if (traces.length === 0) return "";
  const reached = traces.filter((t) => t.reached).length;
  const lossy = traces.filter((t) => t.lossStart !== undefined);
  const named = lossy.slice(0, NOTED_TRACES).map((t) => {
    const start = t.lossStart;
    const where =
      start === undefined
        ? ""
        : ` from hop ${start.hop} (${start.host === "???" ? "no answer" : start.host}${start.asn === undefined ? "" : `, ${start.asn}`})`;
    return `${t.probe} → ${t.ip}: loss${where}`;
  });
  const more = lossy.length > NOTED_TRACES ? `; ${lossy.length - NOTED_TRACES} more` : "";
  return html`<p class="note">
    Probe-network traces: ${reached} of ${plural(traces.length, "trace")} reach their
    address${named.length === 0 ? "" : `; ${named.join("; ")}${more}`}.
    <a href="${targetPath(target.target)}#traces-title">All traces</a>
  </p>`;
}

const NOT_MEASURED =
  ": no recent measurement fetched yet (the measurements collector, collectors.measurements)";

/**
 * The early warnings of the targets shown, one row per service or name server the probes lose;
 * at most {@link capped}'s number of rows, saying how many it left out.
 */
function warningSection(targets: readonly TargetSnapshot[], now: number): SafeHtml {
  const rows = targets.flatMap((target) =>
    earlyWarnings(target).map(
      (warning) =>
        html`<tr>
          <th scope="row">${targetLink(target)}</th>
          <td>${warning.service.toUpperCase()}</td>
          <td>${earlyWarningText(warning)}</td>
          <td>${when(warning.cycle * 1000, now)}</td>
        </tr>`,
    ),
  );
  const { shown, hidden } = capped(rows);
  const measured = targets.some((t) => t.measurements !== undefined);
  const line = `at least ${EARLY_WARNING.share * 100} % and ${EARLY_WARNING.minProbes} probes`;
  return html`<section aria-labelledby="warnings-title">
    <h2 id="warnings-title">Early warnings</h2>
    ${
      rows.length === 0
        ? html`<p>No early warnings${measured ? "" : NOT_MEASURED}.</p>`
        : html`<div class="scroll">
            <table>
              <caption>
                Probes losing a name server (or the service) in the latest recent measurement while
                the service is still up: ${line}, as the alert MosapiNameServerLosingProbes; SLAM
                counts a name server down at 51 %
              </caption>
              <thead>
                <tr>
                  <th scope="col">Target</th>
                  <th scope="col">Service</th>
                  <th scope="col">Probes</th>
                  <th scope="col">Measured cycle</th>
                </tr>
              </thead>
              <tbody>
                ${shown}
              </tbody>
            </table>
          </div>`
    }
    ${hidden > 0 ? html`<p>…and ${plural(hidden, "more early warning")}, not shown.</p>` : ""}
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
          Latest abuse reports: ${plural(total, "unique abuse domain")} over
          ${plural(withReport.length, "report")}
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

/**
 * The board's "Refreshes" table lists only targets with a failing collector (each target's
 * page has all of them), so it stays short at 1,000 targets.
 */
function refreshSection(targets: readonly TargetSnapshot[], now: number): SafeHtml {
  const failing = targets.filter(isFailing);
  const fine = targets.length - failing.length;
  return failing.length === 0
    ? html`<section aria-labelledby="collectors-title">
        <h2 id="collectors-title">Refreshes</h2>
        <p>No failing refreshes among the ${plural(fine, "target")} shown.</p>
      </section>`
    : collectorSection(
        failing,
        now,
        targetLink,
        `Failing refreshes: last success and last error per collector (${plural(fine, "other target")} fine)`,
      );
}
