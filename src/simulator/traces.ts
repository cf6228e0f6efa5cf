/**
 * The network-troubleshooting tree (docs/mosapi.md#probe-network-trees), laid out as SLAM writes it:
 * `networkTroubleshooting/mtr/<yyyy>/<mm>/<dd>/<probe>-<ip>-<cycleUnix>-<testUnix>.json.gz`.
 * Every probe traces every address of the target (name servers, RDDS and RDAP hosts of its
 * enabled services) once per 5-minute tracer round, at a moment inside it derived from the
 * names. The HTTP paths are inferred (§6); so is the day listing's key, which the simulator
 * calls `files` so that clients cannot rely on a name. Bodies are mtr's own JSON report,
 * gzipped: as a `.json.gz` file, or with `Content-Encoding: gzip` (scenario `traces.encoding`).
 */
import { gzipSync } from "node:zlib";
import { notFound, ok } from "./answers.js";
import { TREE_HISTORY_DAYS, dayBounds, listLevel, treeDays } from "./day-tree.js";
import { pick } from "./derive.js";
import type { ResourceRequest, ResourceResponse } from "./endpoints.js";
import { cyclePicture } from "./measurement-picture.js";
import type { ScenarioTarget, SimService } from "./scenario.js";
import { head } from "./service-resources.js";

/** SLAM's tracer runs every 5 minutes and spreads its traces over 295 s. */
const ROUND_SECONDS = 300;
const DAY_SECONDS = 86_400;

/** One address a probe traces, and the host name it belongs to. */
interface TracedAddress {
  readonly target: string;
  readonly ip: string;
}

const TRACED_SERVICES: readonly SimService[] = ["DNS", "RDDS", "RDAP"];

/** The probes and the addresses they trace for `target` (its enabled services only). */
export function tracedAddresses(
  target: ScenarioTarget,
  epoch: number,
): { probes: string[]; addresses: TracedAddress[] } {
  const addresses = new Map<string, TracedAddress>();
  let probes: string[] | undefined;
  for (const service of TRACED_SERVICES) {
    const timeline = target.services[service];
    if (timeline === undefined || timeline.disabled === true) continue;
    const picture = cyclePicture(target, service, timeline, epoch, 0, false);
    probes ??= picture.probes.map((p) => p.city);
    for (const tested of picture.targets.values()) {
      for (const t of tested) {
        for (const ip of t.ips) if (!addresses.has(ip)) addresses.set(ip, { target: t.target, ip });
      }
    }
  }
  return { probes: probes ?? [], addresses: [...addresses.values()] };
}

/** When the probe's trace of `ip` in tracer round `round` starts, Unix seconds. */
function testTime(probe: string, ip: string, round: number): number {
  return round * ROUND_SECONDS + pick(`mtr|${probe}|${ip}|${round}`, 1, ROUND_SECONDS - 10);
}

function fileName(probe: string, ip: string, round: number): string {
  return `${probe}-${ip}-${round * ROUND_SECONDS}-${testTime(probe, ip, round)}.json.gz`;
}

function servedTarget(request: ResourceRequest): ScenarioTarget | undefined {
  const { target } = request;
  return target.traces?.offered === false ? undefined : target;
}

const NOT_OFFERED = "Network troubleshooting data is not available for this account.";

/** First tracer round the tree holds. */
function firstRound(epoch: number): number {
  return Math.ceil((epoch - TREE_HISTORY_DAYS * DAY_SECONDS) / ROUND_SECONDS);
}

/** `networkTroubleshooting/mtr[/<yyyy>[/<mm>]]`: years, months or days that hold traces. */
export function traceListingResource(request: ResourceRequest): ResourceResponse {
  if (servedTarget(request) === undefined) return notFound(NOT_OFFERED);
  const level = listLevel(
    treeDays(firstRound(request.epoch) * ROUND_SECONDS, request.now),
    request.params,
  );
  if (level === undefined) return notFound("No traces for this period.");
  return ok({ ...head(request), [level.key]: level.values });
}

/** `networkTroubleshooting/mtr/<yyyy>/<mm>/<dd>`: the names of that day's trace files. */
export function traceDayResource(request: ResourceRequest): ResourceResponse {
  const target = servedTarget(request);
  if (target === undefined) return notFound(NOT_OFFERED);
  const bounds = dayBounds(request.params);
  if (bounds === undefined) return notFound("No traces for this day.");
  const { probes, addresses } = tracedAddresses(target, request.epoch);
  const from = Math.max(firstRound(request.epoch), Math.ceil(bounds.start / ROUND_SECONDS));
  const to = Math.min(
    Math.floor(request.now / ROUND_SECONDS),
    Math.ceil(bounds.end / ROUND_SECONDS) - 1,
  );
  const files: string[] = [];
  for (let round = to; round >= from; round--) {
    for (const probe of probes) {
      for (const { ip } of addresses) {
        // A trace still running has no file yet.
        if (testTime(probe, ip, round) + 20 <= request.now) files.push(fileName(probe, ip, round));
      }
    }
  }
  if (files.length === 0) return notFound("No traces for this day.");
  return ok({ ...head(request), files });
}

function routerAddress(key: string): string {
  return pick(`net|${key}`, 0, 1) === 0
    ? `198.51.100.${pick(`a|${key}`, 1, 254)}`
    : `203.0.113.${pick(`b|${key}`, 1, 254)}`;
}

/** mtr's JSON report of one trace (`mtr --json --no-dns --aslookup --report-cycles 10`). */
export function mtrReport(
  target: ScenarioTarget,
  epoch: number,
  probe: string,
  address: TracedAddress,
  test: number,
): Record<string, unknown> {
  const { ip } = address;
  const hops = pick(`hops|${probe}|${ip}`, 6, 12);
  const broken = (target.traces?.breaks ?? []).find((b) => {
    const end = b.end === undefined || b.end === null ? Infinity : epoch + b.end;
    return (
      b.probe === probe && b.target === address.target && epoch + b.start <= test && test < end
    );
  });
  const hubs: Record<string, unknown>[] = [];
  let rtt = 0;
  for (let count = 1; count <= hops; count++) {
    const last = count === hops;
    rtt += pick(`rtt|${probe}|${ip}|${count}`, 1, 25);
    if (broken !== undefined && count > broken.hop + 2) break;
    const lost = broken !== undefined && count > broken.hop;
    const loss = broken === undefined || count < broken.hop ? 0 : count === broken.hop ? 70 : 100;
    const avg = lost ? 0 : rtt;
    hubs.push({
      count,
      host: lost ? "???" : last ? ip : routerAddress(`${probe}|${ip}|${count}`),
      ASN: lost ? "AS???" : `AS${64496 + pick(`asn|${probe}|${ip}|${count}`, 0, 15)}`,
      "Loss%": loss,
      Snt: 10,
      Last: avg,
      Avg: avg,
      Best: Math.max(0, avg - 1),
      Wrst: avg === 0 ? 0 : avg + 2,
      StDev: avg === 0 ? 0 : 0.5,
    });
  }
  return {
    report: {
      mtr: {
        src: `${probe.toLowerCase().replace(/[^a-z0-9]+/g, "-")}.probe.invalid`,
        dst: ip,
        tos: 0,
        tests: 10,
        psize: "64",
        bitpattern: "0x00",
      },
      hubs,
    },
  };
}

/** `…/<yyyy>/<mm>/<dd>/<probe>-<ip>-<cycle>-<test>.json.gz`: one trace, gzipped. */
export function traceFileResource(request: ResourceRequest): ResourceResponse {
  const target = servedTarget(request);
  if (target === undefined) return notFound(NOT_OFFERED);
  const bounds = dayBounds(request.params);
  const match = /^(.+)-([0-9a-f.:]+)-(\d{1,11})-(\d{1,11})\.json\.gz$/.exec(
    request.params["file"] ?? "",
  );
  const [, probe = "", ip = "", cycle = "", test = ""] = match ?? [];
  const round = Number(cycle) / ROUND_SECONDS;
  const { probes, addresses } = tracedAddresses(target, request.epoch);
  const address = addresses.find((a) => a.ip === ip);
  if (
    bounds === undefined ||
    match === null ||
    address === undefined ||
    !probes.includes(probe) ||
    !Number.isInteger(round) ||
    round < firstRound(request.epoch) ||
    Number(cycle) < bounds.start ||
    Number(cycle) >= bounds.end ||
    testTime(probe, ip, round) !== Number(test) ||
    Number(test) + 20 > request.now
  ) {
    return notFound("No such trace.");
  }
  const json = Buffer.from(
    JSON.stringify(mtrReport(target, request.epoch, probe, address, Number(test))),
  );
  const raw = gzipSync(json);
  return target.traces?.encoding === "content-encoding"
    ? {
        status: 200,
        body: undefined,
        raw,
        headers: { "content-type": "application/json", "content-encoding": "gzip" },
      }
    : { status: 200, body: undefined, raw, headers: { "content-type": "application/gzip" } };
}
