/**
 * Scenarios of the MoSAPI simulator, as plain data.
 *
 * A scenario says who may log in, which client certificates are trusted for which targets, and
 * what SLAM "measured" for every service of every target as a timeline of outage and
 * inconclusive windows. The simulator derives cycles, incidents, downtime and
 * `emergencyThreshold` from these timelines (see `slam.ts`), so a scenario never states a
 * number that SLAM would compute.
 *
 * All times are whole seconds RELATIVE to the scenario epoch (see `scenarioEpoch`): negative is
 * in the past, `end: null` (or absent) means "still ongoing".
 */
import type { Entity } from "../mosapi/target.js";
import type { MeasurementSpec } from "./measurement-spec.js";

/** Upper-case service keys, exactly as SLAM writes them in `testedServices`. */
export type SimService = "DNS" | "DNSSEC" | "RDDS" | "RDAP" | "EPP";

/** Every service key, in the order SLAM writes them. */
export const SIM_SERVICES: readonly SimService[] = ["DNS", "DNSSEC", "EPP", "RDDS", "RDAP"];

/** A window during which every probe saw the service fail. */
export interface Outage {
  readonly start: number;
  readonly end?: number | null;
  /** ICANN later flagged the incident this outage causes as a false positive. */
  readonly falsePositive?: boolean;
  /** What the probes saw in the Down cycles of this outage (overrides the timeline's). */
  readonly measurement?: MeasurementSpec;
}

/** Why SLAM could not decide: `no-data`, `no-probes` or `reconfig` (v2 only). */
export type InconclusiveReason = "no-data" | "no-probes" | "reconfig";

/** A window during which SLAM reports `Up-inconclusive-<status>` for the service. */
export interface InconclusiveWindow {
  readonly status: InconclusiveReason;
  readonly start: number;
  readonly end?: number | null;
}

/**
 * How to capitalise inconclusive statuses: `slam` writes `Up-inconclusive-…` (what SLAM emits),
 * `spec` writes `UP-inconclusive-…` (the spelling of the MoSAPI specification).
 */
export type StatusSpelling = "slam" | "spec";

/** What SLAM measured for one service of one target. */
export interface ServiceTimeline {
  /** Not monitored: reported as `{"status": "Disabled"}` only. */
  readonly disabled?: boolean;
  readonly outages?: readonly Outage[];
  readonly inconclusive?: readonly InconclusiveWindow[];
  /** A literal status reported instead of the computed one (e.g. to test unknown values). */
  readonly rawStatus?: string;
  /** Overrides the target's `statusSpelling` for this service. */
  readonly statusSpelling?: StatusSpelling;
  /** Probes, name servers and failures of ordinary (not outage) cycles. */
  readonly measurement?: MeasurementSpec;
}

/** Domain METRICA threat counts of a daily report; `-1` = threat type not monitored. */
export interface MetricaThreats {
  readonly spam: number;
  readonly phishing: number;
  readonly botnetCc: number;
  readonly malware: number;
}

/**
 * Domain METRICA for a target: one report per UTC day, the latest for yesterday (simulated
 * time), each with these counts and domains `abuse-<n>.<tld>` (docs/mosapi.md#domain-metrica).
 */
export interface MetricaSpec {
  /** `false` (like an absent `metrica`): every METRICA endpoint answers 404. */
  readonly enabled: boolean;
  readonly threats: MetricaThreats;
  /** Days of reports kept, ending yesterday; default 60. */
  readonly historyDays?: number;
}

/**
 * From `hop` on, the probe's mtr traces to every address of `target` (a name server or host
 * name of the target) lose packets during the window: the path breaks there.
 */
export interface PathBreak {
  readonly probe: string;
  readonly target: string;
  /** 1-based hop where loss starts; hops before it answer as usual. */
  readonly hop: number;
  readonly start: number;
  readonly end?: number | null;
}

/**
 * The probe network's mtr traces to the target's addresses (docs/mosapi.md#probe-network-trees). Every target
 * has them unless `offered` is false.
 */
export interface TraceSpec {
  /** `false`: the trace tree answers 404, as for an account not offered the data. */
  readonly offered?: boolean;
  /**
   * `file` (default): each trace is served as stored, a `.json.gz` body; `content-encoding`:
   * the JSON is sent with `Content-Encoding: gzip`. Which one MoSAPI does is not known.
   */
  readonly encoding?: "file" | "content-encoding";
  readonly breaks?: readonly PathBreak[];
}

/** A registry (`ry`, id = TLD A-label) or registrar (`rr`, id = IANA ID) served by the simulator. */
export interface ScenarioTarget {
  readonly entity: Entity;
  readonly id: string;
  /** A missing key means the target does not have that service (e.g. no standalone RDAP). */
  readonly services: Partial<Record<SimService, ServiceTimeline>>;
  /** `Up-inconclusive`: SLAM is under maintenance and reports every service `Disabled`. */
  readonly overall?: "Up-inconclusive";
  /** Default `slam`. */
  readonly statusSpelling?: StatusSpelling;
  /** Absent: METRICA is not enabled for the target (404). */
  readonly metrica?: MetricaSpec;
  /** Absent: traces to every address of the target, none broken. */
  readonly traces?: TraceSpec;
}

/** A Basic-auth account (RRI credentials) and the targets (`ry/example`) it may access. */
export interface Account {
  readonly username: string;
  readonly password: string;
  readonly targets: readonly string[];
}

/** A TLS client certificate identity (subject CN) and the targets it is authorized for. */
export interface CertificateIdentity {
  readonly commonName: string;
  readonly targets: readonly string[];
}

/** A complete simulated MoSAPI world. */
export interface Scenario {
  readonly name: string;
  /** One line: what the scenario shows. */
  readonly description: string;
  readonly accounts: readonly Account[];
  readonly certificates: readonly CertificateIdentity[];
  readonly targets: readonly ScenarioTarget[];
}

/** Cycle grid the scenario epoch is aligned to: the longest SLAM cycle (RDDS/RDAP, 5 min). */
const EPOCH_GRID_SECONDS = 300;

/**
 * The scenario epoch for a clock reading: the time in Unix seconds, rounded down to the 5-minute
 * grid so that timelines line up with SLAM cycles (a 10-minute RDAP outage is then exactly two
 * cycles, whatever the minute the simulator started in).
 */
export function scenarioEpoch(nowMs: number): number {
  const seconds = Math.floor(nowMs / 1000);
  return seconds - (seconds % EPOCH_GRID_SECONDS);
}
