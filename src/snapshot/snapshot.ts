/**
 * The immutable picture of everything we know about MoSAPI, replaced whole on every update.
 * Scrapes, the landing page and readiness read it; only the refresh loops write it, through
 * {@link SnapshotStore}. A scrape never calls MoSAPI.
 */
import type { RefreshErrorCode } from "../mosapi/errors.js";
import type { FailureReason } from "../mosapi/failure.js";
import type { MeasurementSummary } from "../mosapi/measurement.js";
import type { MetricaReport } from "../mosapi/metrica-models.js";
import type { TraceSummary } from "../mosapi/probe-network.js";
import type { RecentMeasurement } from "../mosapi/recent-measurement.js";
import type { ServiceType, StateResponse } from "../mosapi/models.js";
import type { Oddity } from "../mosapi/oddities.js";
import type { Target } from "../mosapi/target.js";
import type { CollectorName } from "./names.js";

/** The last failure of one collector for one target. */
export interface RefreshError {
  readonly reason: FailureReason;
  /** Stable error code, e.g. `MOSAPI_LOGIN_FAILED` (docs/errors.md). */
  readonly code: RefreshErrorCode;
  /** Human message; never contains a secret. */
  readonly message: string;
  /** When it happened, ms since the epoch. */
  readonly at: number;
}

/** Refresh bookkeeping of one collector for one target. */
export interface CollectorStatus {
  /** ms since the epoch of the last successful refresh. */
  readonly lastSuccessAt?: number;
  /** Set while the most recent attempt failed; cleared by the next success. */
  readonly lastError?: RefreshError;
}

/** The latest measurement of one active incident. */
export interface IncidentDetail {
  readonly incidentId: string;
  readonly measurementId: string;
  readonly measurement: MeasurementSummary;
}

/** The latest recent measurement of one service (`monitoring/<svc>/measurements/…`). */
export interface RecentMeasurementDetail {
  /** `<cycleStart>.json` as listed; never fetched again while it stays the latest. */
  readonly measurementId: string;
  readonly measurement: RecentMeasurement;
}

/**
 * The probe network's newest trace per probe × IP of a target, while the `troubleshooting`
 * collector looks (an active incident, or `troubleshooting: always`).
 */
export interface TraceView {
  /** Sorted by probe, then IP. */
  readonly traces: readonly TraceSummary[];
}

/** What we hold for one target: the last good data and how its refreshes went. */
export interface TargetSnapshot {
  readonly target: Target;
  /** True iff the most recent `state` refresh succeeded (`mosapi_up`). */
  readonly up: boolean;
  /** True once the first `state` refresh finished, success or failure (`/-/ready`). */
  readonly stateAttempted: boolean;
  /** Last good `monitoring/state` body; kept across failures. */
  readonly state?: StateResponse;
  /** `monitoring/<svc>/alarmed` per service: true = `Yes`, false = `No` (Disabled/unknown absent). */
  readonly alarmed?: Readonly<Partial<Record<ServiceType, boolean>>>;
  /** `monitoring/<svc>/downtime` per service, in minutes (rolling week). */
  readonly downtimeMinutes?: Readonly<Partial<Record<ServiceType, number>>>;
  /** Latest measurement of the active incident, per service that has one. */
  readonly incidents?: Readonly<Partial<Record<ServiceType, IncidentDetail>>>;
  /** Domain METRICA: the latest report, or `null` when MoSAPI has none for the target (404). */
  readonly metrica?: MetricaReport | null;
  /** The latest recent measurement per monitored service (the early warning). */
  readonly measurements?: Readonly<Partial<Record<ServiceType, RecentMeasurementDetail>>>;
  /**
   * Traces to the target's IPs; absent while the collector does not look, `null` when MoSAPI
   * answered 404 on the trace tree (not offered for this account).
   */
  readonly traces?: TraceView | null;
  readonly collectors: Readonly<Partial<Record<CollectorName, CollectorStatus>>>;
  /** Odd parts of the latest answers (collectors/oddities.ts); absent when there were none. */
  readonly oddities?: readonly OddPart[];
}

/** An odd part of the latest answer of one resource (METRICS.md#odd-parts-of-answers). */
export interface OddPart extends Oddity {
  /** The resource whose latest answer had it, e.g. `monitoring/rdap/alarmed`. */
  readonly resource: string;
  /** Answers with this odd part (same endpoint, reason and path) since the exporter started. */
  readonly count: number;
  /** When the latest of them arrived, ms since the epoch. */
  readonly lastSeenAt: number;
}

/** Everything, at one instant. */
export interface Snapshot {
  /** Increases on every change; renderers may cache their output per version. */
  readonly version: number;
  /** Targets in configuration order. */
  readonly targets: readonly TargetSnapshot[];
}
