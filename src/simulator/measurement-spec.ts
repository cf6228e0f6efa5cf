/**
 * What a scenario says about the probe measurements behind a service's cycles, as plain data
 * (docs/mosapi.md#the-measurement-object). A `ServiceTimeline` gives the picture of its ordinary cycles; an
 * `Outage` gives the picture of the Down cycles it causes. Everything not stated has a default
 * (see `measurement.ts`), and numbers SLAM would not get from the scenario (RTTs, IPs, NSIDs,
 * test times) are derived from names, never random.
 */

/** How a probe sent its DNS queries. */
export type Transport = "udp" | "tcp";

/** `testedInterface[].interface` values. */
export type TestedInterfaceName = "DNS" | "DNSSEC" | "RDDS43" | "RDDS80" | "RDAP" | "EPP";

/** A probe node (its `city` is the name MoSAPI shows). */
export interface SimProbe {
  readonly city: string;
  /** Transport of its DNS/DNSSEC tests in the cycle; default `udp`. */
  readonly transport?: Transport;
  /**
   * `Offline`: the probe node was down; `No result`: it sent no data. Either way it has no test
   * data. Absent: it tested, and its status follows from its results.
   */
  readonly availability?: "Offline" | "No result";
}

/** A delegated name server of the TLD. */
export interface SimNameServer {
  readonly name: string;
  /** Addresses tested; default one IPv4 and one IPv6 address derived from the name. */
  readonly ips?: readonly string[];
}

/**
 * Tests that fail with an error code. Every field but `result` narrows which tests fail; an
 * absent one matches all. The first failure matching a test decides its result.
 */
export interface TestFailure {
  /** The code MoSAPI writes into `result`, e.g. `"-200"` (see docs/mosapi.md#measurement-error-codes). */
  readonly result: string;
  /** Name server (DNS/DNSSEC) or host/URL (RDDS, RDAP, EPP) that fails. */
  readonly target?: string;
  readonly interface?: TestedInterfaceName;
  /** Only for probes testing over this transport (DNS/DNSSEC). */
  readonly transport?: Transport;
  /** Cities of the probes that see the failure. */
  readonly probes?: readonly string[];
}

/** The measurement picture of a set of cycles; each absent field keeps its default. */
export interface MeasurementSpec {
  readonly probes?: readonly SimProbe[];
  /** DNS/DNSSEC only; default `ns1.<tld>` and `ns2.<tld>`. */
  readonly nameServers?: readonly SimNameServer[];
  /** DNS/DNSSEC: name servers a probe needs answering on all their IPs; default 2. */
  readonly minNameServersUp?: number;
  /**
   * On an outage: what fails in its Down cycles (default: every test of every probe but the last
   * fails with the service's typical error, e.g. `-200` for DNS). On a timeline: failures seen in
   * ordinary cycles (default none).
   */
  readonly failures?: readonly TestFailure[];
}
