/**
 * The landing page (`GET /`): one server-rendered HTML document showing, worst first, every
 * target's status, its services, active incidents, and how the refreshes go. No JavaScript; it
 * reloads itself every minute. Every string from upstream or config goes through {@link html}.
 */
import { COLLECTOR_NAMES } from "../collectors/names.js";
import type { Snapshot, TargetSnapshot } from "../collectors/snapshot.js";
import { SERVICE_TYPES } from "../mosapi/models.js";
import type { ServiceState } from "../mosapi/models.js";
import { describeTarget } from "../mosapi/target.js";
import { html, raw } from "./html.js";
import type { SafeHtml } from "./html.js";

/** Build facts shown in the header. */
export interface BuildInfo {
  readonly version: string;
  readonly revision: string;
  readonly nodeVersion: string;
  /** ms since the epoch. */
  readonly startedAt: number;
}

export interface LandingPageInput {
  readonly snapshot: Snapshot;
  readonly info: BuildInfo;
  /** ms since the epoch; the page shows uptime relative to it. */
  readonly now: number;
  readonly ready: boolean;
}

/** Overall states, best last; anything without data ranks as `unknown`. */
const STATUS_RANK: Readonly<Record<string, number>> = {
  down: 0,
  "up-inconclusive": 1,
  unknown: 2,
  up: 3,
};

/**
 * Renders the complete page. Rows are ordered worst first: targets with a failing refresh, then
 * by overall status (down, inconclusive, unknown, up), then by the highest emergency threshold
 * used; ties keep configuration order.
 */
export function renderLandingPage(input: LandingPageInput): string {
  const { snapshot, info, now, ready } = input;
  const targets = [...snapshot.targets].sort(compareWorstFirst);
  const activeIncidents = targets.reduce((sum, t) => sum + countActiveIncidents(t), 0);
  const failing = targets.filter(isFailing).length;
  return html`<!doctype html>
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta http-equiv="refresh" content="60" />
        <title>MoSAPI exporter</title>
        <style>
          ${raw(STYLE)}
        </style>
      </head>
      <body>
        <h1>MoSAPI exporter</h1>
        <p>
          Version ${info.version} (revision ${info.revision}), Node.js ${info.nodeVersion}. Up
          ${formatDuration(now - info.startedAt)}, since ${iso(info.startedAt)}.
          ${ready ? "Ready." : "Not ready: waiting for the first state refresh."}
        </p>
        <nav>
          <a href="/metrics">Metrics</a> · <a href="/-/healthy">Health</a> ·
          <a href="/-/ready">Readiness</a>
        </nav>
        <p>
          ${targets.length} target(s), ${activeIncidents} active incident(s), ${failing} with
          failing refreshes.
        </p>
        <div class="scroll">
          <table>
            <caption>
              Targets, worst first
            </caption>
            <thead>
              <tr>
                <th scope="col">Target</th>
                <th scope="col">up</th>
                <th scope="col">Status</th>
                ${SERVICE_TYPES.map((type) => html`<th scope="col">${type.toUpperCase()}</th>`)}
                <th scope="col">Active incidents</th>
                <th scope="col">Last refresh</th>
                <th scope="col">Last error</th>
              </tr>
            </thead>
            <tbody>
              ${
                targets.length === 0
                  ? html`<tr>
                      <td colspan="11">No targets configured.</td>
                    </tr>`
                  : targets.map(renderRow)
              }
            </tbody>
          </table>
        </div>
      </body>
    </html> `.toString();
}

function renderRow(target: TargetSnapshot): SafeHtml {
  const state = target.state;
  return html`<tr>
    <th scope="row">${describeTarget(target.target)}</th>
    ${renderUp(target)} ${renderOverall(target)}
    ${SERVICE_TYPES.map((type) => renderService(state?.services[type]))}
    <td>${state === undefined ? "—" : countActiveIncidents(target)}</td>
    <td>${renderRefreshes(target)}</td>
    <td>${renderErrors(target)}</td>
  </tr>`;
}

function renderOverall(target: TargetSnapshot): SafeHtml {
  const state = target.state;
  if (state === undefined) {
    return html`<td class="s-none">${target.stateAttempted ? "no data" : "pending"}</td>`;
  }
  return html`<td class="${statusClass(state.status)}">
    ${showStatus(state.status, state.rawStatus)}
  </td>`;
}

function renderUp(target: TargetSnapshot): SafeHtml {
  if (!target.stateAttempted) return html`<td class="s-none">pending</td>`;
  return target.up ? html`<td class="s-up">yes</td>` : html`<td class="s-down">no</td>`;
}

function renderService(service: ServiceState | undefined): SafeHtml {
  if (service === undefined) return html`<td class="s-none">not monitored</td>`;
  const threshold = service.emergencyThreshold;
  return html`<td class="${statusClass(service.status)}">
    ${showStatus(service.status, service.rawStatus)}${
      threshold === undefined
        ? ""
        : html`<br /><span class="threshold">${formatPercent(threshold)} of threshold</span>`
    }
  </td>`;
}

function renderRefreshes(target: TargetSnapshot): SafeHtml | string {
  const items = COLLECTOR_NAMES.flatMap((name) => {
    const status = target.collectors[name];
    if (status === undefined) return [];
    const at = status.lastSuccessAt === undefined ? "never" : iso(status.lastSuccessAt);
    return [html`<li>${name}: ${at}</li>`];
  });
  return items.length === 0
    ? "never"
    : html`<ul>
        ${items}
      </ul>`;
}

function renderErrors(target: TargetSnapshot): SafeHtml | string {
  const items = COLLECTOR_NAMES.flatMap((name) => {
    const error = target.collectors[name]?.lastError;
    if (error === undefined) return [];
    return [
      html`<li class="s-down">
        <strong>${name}</strong>: ${error.reason}: ${error.message} (${error.code},
        ${iso(error.at)})
      </li>`,
    ];
  });
  return items.length === 0
    ? "none"
    : html`<ul>
        ${items}
      </ul>`;
}

/** Our status name; an unrecognised upstream value also shows what MoSAPI actually sent. */
function showStatus(status: string, rawStatus: string): string {
  return status === "unknown" && rawStatus.trim().toLowerCase() !== "unknown"
    ? `unknown (${rawStatus})`
    : status;
}

/** Colour class; always paired with the status text, never the only signal. */
function statusClass(status: string): string {
  if (status === "up" || status === "down" || status === "disabled") return `s-${status}`;
  if (status.startsWith("up-inconclusive")) return "s-inconclusive";
  return "s-unknown";
}

function isFailing(target: TargetSnapshot): boolean {
  if (target.stateAttempted && !target.up) return true;
  return COLLECTOR_NAMES.some((name) => target.collectors[name]?.lastError !== undefined);
}

function countActiveIncidents(target: TargetSnapshot): number {
  const services = target.state?.services ?? {};
  return SERVICE_TYPES.reduce(
    (sum, type) =>
      sum + (services[type]?.incidents.filter((i) => i.state === "active").length ?? 0),
    0,
  );
}

function maxThreshold(target: TargetSnapshot): number {
  const services = target.state?.services ?? {};
  return Math.max(0, ...SERVICE_TYPES.map((type) => services[type]?.emergencyThreshold ?? 0));
}

function compareWorstFirst(a: TargetSnapshot, b: TargetSnapshot): number {
  return (
    Number(isFailing(b)) - Number(isFailing(a)) ||
    rank(a) - rank(b) ||
    maxThreshold(b) - maxThreshold(a)
  );
}

function rank(target: TargetSnapshot): number {
  return STATUS_RANK[target.state?.status ?? "unknown"] ?? 2;
}

/** `2025-01-02T03:04:05Z`: ISO-8601 to the second. */
function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function formatPercent(value: number): string {
  return `${Number(value.toFixed(3))}%`;
}

/** `3d 4h 5m`, or seconds under a minute. */
export function formatDuration(ms: number): string {
  const seconds = Math.max(0, Math.floor(ms / 1000));
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60) % 60;
  const hours = Math.floor(seconds / 3600) % 24;
  const days = Math.floor(seconds / 86400);
  return [days > 0 ? `${days}d` : "", days + hours > 0 ? `${hours}h` : "", `${minutes}m`]
    .filter((part) => part !== "")
    .join(" ");
}

/** Dark text on light tints: every pair is well above WCAG AA contrast. */
const STYLE = `
:root { color-scheme: light; }
body { font-family: system-ui, sans-serif; margin: 1rem; color: #111; background: #fff; line-height: 1.4; }
h1 { font-size: 1.5rem; margin: 0 0 .5rem; }
a { color: #0645ad; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; font-size: .9rem; }
caption { text-align: left; font-weight: bold; padding: .25rem 0; }
th, td { border: 1px solid #999; padding: .3rem .45rem; text-align: left; vertical-align: top; }
thead th { background: #e8e8e8; }
tbody th { white-space: nowrap; }
ul { margin: 0; padding-left: 1rem; }
.threshold { font-size: .8rem; }
.s-up { background: #d7f3dc; color: #0b3d17; }
.s-down { background: #fcd4d4; color: #5c0707; font-weight: bold; }
.s-inconclusive { background: #fff0bf; color: #403000; }
.s-unknown { background: #e6e0f5; color: #2b1c59; }
.s-disabled { background: #eeeeee; color: #333; }
.s-none { background: #fff; color: #444; }
`;
