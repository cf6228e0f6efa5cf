/**
 * SLAM arithmetic: from a service timeline to what SLAM publishes (cycles, incidents, rolling-week
 * downtime, `emergencyThreshold`, status). Pure functions of (timeline, epoch, now); all results
 * are Unix seconds. Rules follow docs/mosapi.md#state and SLAM's default configuration.
 */
import type { ScenarioTarget, ServiceTimeline, SimService, StatusSpelling } from "./scenario.js";

/** SLAM's per-service constants. */
export interface ServiceRules {
  /** Length of one measurement cycle, aligned to multiples of it in Unix time. */
  readonly cycleSeconds: number;
  /** Consecutive failed cycles that open an incident. */
  readonly failCycles: number;
  /** Consecutive successful cycles that close it. */
  readonly recoverCycles: number;
  /** Downtime that makes `emergencyThreshold` 100 (rolling week). */
  readonly thresholdMinutes: number;
}

/** SLAM defaults: DNS/DNSSEC 1-minute cycles, 3/3, 4 h; RDDS/RDAP 5-minute, EPP 1-minute, 2/2, 24 h. */
export const SERVICE_RULES: Readonly<Record<SimService, ServiceRules>> = {
  DNS: { cycleSeconds: 60, failCycles: 3, recoverCycles: 3, thresholdMinutes: 240 },
  DNSSEC: { cycleSeconds: 60, failCycles: 3, recoverCycles: 3, thresholdMinutes: 240 },
  RDDS: { cycleSeconds: 300, failCycles: 2, recoverCycles: 2, thresholdMinutes: 1440 },
  RDAP: { cycleSeconds: 300, failCycles: 2, recoverCycles: 2, thresholdMinutes: 1440 },
  EPP: { cycleSeconds: 60, failCycles: 2, recoverCycles: 2, thresholdMinutes: 1440 },
};

/** The rolling week SLAM accounts downtime over. */
export const ROLLING_WEEK_SECONDS = 7 * 24 * 3600;

/** An incident as published in `state` (field names as in the JSON). */
export interface SlamIncident {
  readonly incidentID: string;
  readonly startTime: number;
  readonly endTime: number | null;
  readonly falsePositive: boolean;
  readonly state: "Active" | "Resolved";
}

/** What SLAM reports for an enabled service at one instant. */
export interface EnabledServiceReport {
  readonly status: string;
  readonly emergencyThreshold: number;
  /** Incidents touching the rolling week, oldest first. */
  readonly incidents: readonly SlamIncident[];
  /** Rolling-week downtime in minutes (the `downtime` endpoint's value). */
  readonly downtimeMinutes: number;
}

/** What SLAM reports for a service: Disabled services carry nothing but their status. */
export type ServiceReport = { readonly status: "Disabled" } | EnabledServiceReport;

/** A maximal run of consecutive Down cycles, as cycle indices (cycle start = index × length). */
interface DownRun {
  readonly first: number;
  readonly last: number;
  readonly falsePositive: boolean;
}

/** Absolute end of a window (Unix seconds); an ongoing window never ends. */
function windowEnd(end: number | null | undefined, epoch: number): number {
  return end === undefined || end === null ? Infinity : epoch + end;
}

/** Down cycles from the outage windows, merged into runs, ignoring cycles not yet completed. */
function downRuns(
  timeline: ServiceTimeline,
  cycle: number,
  epoch: number,
  lastCycle: number,
): DownRun[] {
  const ranges: DownRun[] = [];
  for (const outage of timeline.outages ?? []) {
    const start = epoch + outage.start;
    const end = windowEnd(outage.end, epoch);
    if (end <= start) continue;
    // A cycle is Down when it overlaps the window: c·L < end and (c+1)·L > start. An ongoing
    // window (end = Infinity) runs up to the latest completed cycle.
    const first = Math.floor(start / cycle);
    const last = Math.min(Math.ceil(end / cycle) - 1, lastCycle);
    if (last >= first) ranges.push({ first, last, falsePositive: outage.falsePositive === true });
  }
  ranges.sort((a, b) => a.first - b.first);
  const runs: DownRun[] = [];
  for (const range of ranges) {
    const previous = runs.at(-1);
    if (previous !== undefined && range.first <= previous.last + 1) {
      runs[runs.length - 1] = {
        first: previous.first,
        last: Math.max(previous.last, range.last),
        falsePositive: previous.falsePositive || range.falsePositive,
      };
    } else {
      runs.push(range);
    }
  }
  return runs;
}

/** An incident with the Down runs it contains, before it is published. */
interface OpenIncident {
  readonly runs: DownRun[];
  readonly first: number;
  lastDown: number;
  falsePositive: boolean;
  resolved: boolean;
}

/**
 * SLAM's incident state machine over Down runs: `failCycles` consecutive failures open an incident
 * (back-dated to the first of them); inside one, only `recoverCycles` consecutive successes close
 * it, so shorter recoveries and further failures belong to the same incident.
 */
function incidentsFromRuns(runs: readonly DownRun[], rules: ServiceRules, lastCycle: number) {
  const incidents: OpenIncident[] = [];
  let open: OpenIncident | undefined;
  for (const run of runs) {
    if (open !== undefined && run.first - open.lastDown - 1 >= rules.recoverCycles) {
      open.resolved = true;
      open = undefined;
    }
    if (open !== undefined) {
      open.runs.push(run);
      open.lastDown = run.last;
      open.falsePositive ||= run.falsePositive;
    } else if (run.last - run.first + 1 >= rules.failCycles) {
      open = {
        runs: [run],
        first: run.first,
        lastDown: run.last,
        falsePositive: run.falsePositive,
        resolved: false,
      };
      incidents.push(open);
    }
  }
  if (open !== undefined && lastCycle - open.lastDown >= rules.recoverCycles) open.resolved = true;
  return incidents;
}

/** Rounds like SLAM: to 3 decimals. */
function round3(value: number): number {
  return Math.round(value * 1000) / 1000;
}

/** `Up-inconclusive-<reason>` (SLAM) or `UP-inconclusive-<reason>` (spec) when a window covers the cycle. */
function inconclusiveStatus(
  timeline: ServiceTimeline,
  spelling: StatusSpelling,
  epoch: number,
  cycleStart: number,
  cycleEnd: number,
): string | undefined {
  const window = (timeline.inconclusive ?? []).findLast(
    (w) => epoch + w.start < cycleEnd && windowEnd(w.end, epoch) > cycleStart,
  );
  if (window === undefined) return undefined;
  return `${spelling === "spec" ? "UP" : "Up"}-inconclusive-${window.status}`;
}

/** One incident with what the incident endpoints need beyond its `state` fields. */
export interface IncidentHistory {
  readonly incident: SlamIncident;
  /** The `<eventID>` part of the incident's and its measurements' IDs. */
  readonly eventNo: number;
  /** Cycle indices of its first and last measurement (cycle start = index × cycle length). */
  readonly firstCycle: number;
  /** The last Down cycle once resolved; the latest completed cycle while active. */
  readonly lastCycle: number;
  /** When the incident opened (its `failCycles`-th failed cycle completed), Unix seconds. */
  readonly openedAt: number;
}

/** Everything SLAM derived from one service's timeline up to `now`. */
export interface ServiceHistory {
  readonly rules: ServiceRules;
  /** Index of the latest completed cycle. */
  readonly lastCycle: number;
  /** Every incident so far (not only the rolling week's), oldest first. */
  readonly incidents: readonly IncidentHistory[];
  /** Down cycles as merged runs, oldest first. */
  readonly downRuns: readonly { readonly first: number; readonly last: number }[];
  /** Down cycles inside non-false-positive incidents within the rolling week before `now`. */
  readonly weekDownCycles: number;
}

/**
 * The incidents and Down cycles of one service at `now` (Unix seconds, may be fractional):
 * only completed cycles count, and the cycle starting at c·L is known once now ≥ (c+1)·L.
 */
export function serviceHistory(
  service: SimService,
  timeline: ServiceTimeline,
  epoch: number,
  now: number,
): ServiceHistory {
  const rules = SERVICE_RULES[service];
  const cycle = rules.cycleSeconds;
  const lastCycle = Math.floor(now / cycle) - 1;
  const runs = downRuns(timeline, cycle, epoch, lastCycle);
  const firstWeekCycle = Math.ceil((now - ROLLING_WEEK_SECONDS) / cycle);

  let weekDownCycles = 0;
  const incidents = incidentsFromRuns(runs, rules, lastCycle).map((incident, index) => {
    const startTime = incident.first * cycle;
    const endTime = incident.resolved ? (incident.lastDown + 1) * cycle - 1 : null;
    if (!incident.falsePositive) {
      for (const run of incident.runs) {
        weekDownCycles += Math.max(0, run.last - Math.max(run.first, firstWeekCycle) + 1);
      }
    }
    return {
      incident: {
        // SLAM's ids are "<start>.<eventID>"; the event id here is the incident's ordinal.
        incidentID: `${startTime}.${index + 1}`,
        startTime,
        endTime,
        falsePositive: incident.falsePositive,
        state: endTime === null ? "Active" : "Resolved",
      },
      eventNo: index + 1,
      firstCycle: incident.first,
      lastCycle: incident.resolved ? incident.lastDown : lastCycle,
      openedAt: (incident.first + rules.failCycles) * cycle,
    } satisfies IncidentHistory;
  });
  return {
    rules,
    lastCycle,
    incidents,
    downRuns: runs.map(({ first, last }) => ({ first, last })),
    weekDownCycles,
  };
}

/**
 * The status SLAM gives one completed cycle: `Down` inside a Down run, else the inconclusive
 * status of a window covering it, else `Up`. (A timeline's `rawStatus` is not a cycle result.)
 */
export function cycleStatus(
  history: ServiceHistory,
  timeline: ServiceTimeline,
  spelling: StatusSpelling,
  epoch: number,
  cycleIndex: number,
): string {
  if (history.downRuns.some((run) => run.first <= cycleIndex && cycleIndex <= run.last)) {
    return "Down";
  }
  const cycle = history.rules.cycleSeconds;
  return (
    inconclusiveStatus(timeline, spelling, epoch, cycleIndex * cycle, (cycleIndex + 1) * cycle) ??
    "Up"
  );
}

/**
 * What SLAM publishes for one enabled service at `now`: status of the latest completed cycle,
 * incidents touching the rolling week, downtime (Down cycles inside non-false-positive incidents
 * within [now − 7 d, now], each counting its full cycle length) and
 * `emergencyThreshold = round(downtime × 100 ÷ threshold, 3)`, not capped.
 *
 * @param epoch scenario epoch (Unix seconds) the timeline is relative to
 * @param now current time in Unix seconds (may be fractional)
 */
export function evaluateService(
  service: SimService,
  timeline: ServiceTimeline,
  spelling: StatusSpelling,
  epoch: number,
  now: number,
): EnabledServiceReport {
  const history = serviceHistory(service, timeline, epoch, now);
  const { rules } = history;
  const weekStart = now - ROLLING_WEEK_SECONDS;
  const downtimeMinutes = (history.weekDownCycles * rules.cycleSeconds) / 60;
  return {
    status:
      timeline.rawStatus ?? cycleStatus(history, timeline, spelling, epoch, history.lastCycle),
    emergencyThreshold: round3((downtimeMinutes * 100) / rules.thresholdMinutes),
    incidents: history.incidents
      .map((h) => h.incident)
      .filter((i) => i.endTime === null || i.endTime >= weekStart),
    downtimeMinutes,
  };
}

/**
 * Every service of a target as SLAM reports it, keyed by the upper-case service name. A service
 * missing from the scenario is missing here; during SLAM maintenance (`overall:
 * "Up-inconclusive"`) and for `disabled` timelines the report is `{status: "Disabled"}`.
 */
export function evaluateTarget(
  target: ScenarioTarget,
  epoch: number,
  now: number,
): Partial<Record<SimService, ServiceReport>> {
  const reports: Partial<Record<SimService, ServiceReport>> = {};
  for (const [service, timeline] of Object.entries(target.services) as [
    SimService,
    ServiceTimeline,
  ][]) {
    const spelling = timeline.statusSpelling ?? target.statusSpelling ?? "slam";
    reports[service] =
      target.overall === "Up-inconclusive" || timeline.disabled === true
        ? { status: "Disabled" }
        : evaluateService(service, timeline, spelling, epoch, now);
  }
  return reports;
}

/** The target's overall status: `Down` iff a service is exactly `Down`, else `Up` (or maintenance). */
export function overallStatus(
  target: ScenarioTarget,
  reports: Partial<Record<SimService, ServiceReport>>,
): string {
  if (target.overall !== undefined) return target.overall;
  return Object.values(reports).some((r) => r.status === "Down") ? "Down" : "Up";
}
