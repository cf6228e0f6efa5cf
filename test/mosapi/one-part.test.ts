/**
 * Per-part leniency as a property: take real answers (the golden fixtures), change one part at
 * a time (null, missing, wrong type, `[]` for `{}`, extra fields, changed case) and check that
 * the answer still parses (the target stays up) and that everything not changed comes out
 * exactly as it did from the unchanged answer.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { metricaReportSchema } from "../../src/mosapi/metrica-models.js";
import { stateResponseSchema } from "../../src/mosapi/models.js";
import { recordOddities } from "../../src/mosapi/oddities.js";
import { FUZZ_SEED } from "../fuzz/bodies.js";
import { fixtureText } from "../helpers/fixtures.js";

type Json = Record<string, unknown>;

const fixture = (name: string): Json => JSON.parse(fixtureText(`mosapi/${name}.json`)) as Json;

/** How one part is changed. `undefined` as a result removes the part. */
const MUTATIONS = {
  null: () => null,
  missing: () => undefined,
  string: () => "odd",
  number: () => 42,
  emptyArray: () => [],
  extraFields: (part: unknown) =>
    part !== null && typeof part === "object" && !Array.isArray(part)
      ? { ...part, addedByAnotherProducer: { nested: [1, 2] }, Status: "Down" }
      : part,
} as const satisfies Record<string, (part: unknown) => unknown>;
type Mutation = keyof typeof MUTATIONS;
const mutation = fc.constantFrom(...(Object.keys(MUTATIONS) as Mutation[]));

/** A copy of `record` with `key` changed by `m` (removed when the mutation says so). */
function withPart(record: Json, key: string, m: Mutation): Json {
  const changed = MUTATIONS[m](record[key]);
  const others = Object.entries(record).filter(([k]) => k !== key);
  return Object.fromEntries(changed === undefined ? others : [...others, [key, changed]]);
}

function parseState(body: unknown) {
  return recordOddities(() => stateResponseSchema.parse(body)).value;
}

const STATE_FIXTURES = ["state-dns-down", "state-healthy", "state-registrar", "state-maintenance"];

describe("monitoring/state, one part changed", () => {
  it("one service changed: the others, the overall status and the timestamps survive exactly", () => {
    const cases = STATE_FIXTURES.flatMap((name) => {
      const body = fixture(name);
      return Object.keys(body["testedServices"] as Json).map((key) => ({ name, body, key }));
    });
    fc.assert(
      fc.property(fc.constantFrom(...cases), mutation, ({ body, key }, m) => {
        const before = parseState(body);
        const services = withPart(body["testedServices"] as Json, key, m);
        const after = parseState({ ...body, testedServices: services });
        expect(after.status).toBe(before.status);
        expect(after.lastUpdateApiDatabase).toBe(before.lastUpdateApiDatabase);
        const changed = key.toLowerCase();
        for (const [type, service] of Object.entries(before.services)) {
          if (type === changed) continue;
          expect(after.services[type as keyof typeof after.services]).toEqual(service);
        }
        if (m === "extraFields") expect(after).toEqual(before);
      }),
      { seed: FUZZ_SEED, numRuns: 200 },
    );
  });

  it("one incident changed: the other incidents and services survive exactly", () => {
    const body = fixture("state-dns-down");
    const dns = (body["testedServices"] as Json)["DNS"] as Json;
    const incidents = dns["incidents"] as Json[];
    const fields = Object.keys(incidents[0]!);
    fc.assert(
      fc.property(
        fc.nat(incidents.length - 1),
        fc.option(fc.constantFrom(...fields), { nil: undefined }),
        mutation,
        (index, field, m) => {
          const before = parseState(body);
          const changedIncident =
            field === undefined
              ? MUTATIONS[m](incidents[index])
              : withPart(incidents[index]!, field, m);
          const list = incidents.map((incident, i) => (i === index ? changedIncident : incident));
          const after = parseState({
            ...body,
            testedServices: {
              ...(body["testedServices"] as Json),
              DNS: { ...dns, incidents: list.filter((i) => i !== undefined) },
            },
          });
          const changedId = before.services.dns!.incidents[index]!.incidentId;
          for (const incident of before.services.dns!.incidents) {
            if (incident.incidentId === changedId) continue;
            expect(after.services.dns!.incidents).toContainEqual(incident);
          }
          expect(after.services.dns!.status).toBe(before.services.dns!.status);
          expect(after.services.dns!.emergencyThreshold).toBe(
            before.services.dns!.emergencyThreshold,
          );
          expect(after.services.dnssec).toEqual(before.services.dnssec);
          expect(after.services.rdap).toEqual(before.services.rdap);
        },
      ),
      { seed: FUZZ_SEED, numRuns: 200 },
    );
  });

  it("the case of a service key does not matter", () => {
    for (const name of STATE_FIXTURES) {
      const body = fixture(name);
      const lower = Object.fromEntries(
        Object.entries(body["testedServices"] as Json).map(([k, v]) => [k.toLowerCase(), v]),
      );
      expect(parseState({ ...body, testedServices: lower })).toEqual(parseState(body));
    }
  });
});

describe("Domain METRICA report, one part changed", () => {
  it("one threat type changed: the date, the other threat types survive exactly", () => {
    const body = fixture("metrica-report-tld");
    const threats = body["domainListData"] as Json[];
    fc.assert(
      fc.property(
        fc.nat(threats.length - 1),
        fc.option(fc.constantFrom("threatType", "count"), { nil: undefined }),
        mutation,
        (index, field, m) => {
          const parse = (value: unknown) =>
            recordOddities(() => metricaReportSchema.parse(value)).value;
          const before = parse(body);
          const changed =
            field === undefined
              ? MUTATIONS[m](threats[index])
              : withPart(threats[index]!, field, m);
          const list = threats.map((threat, i) => (i === index ? changed : threat));
          const after = parse({ ...body, domainListData: list.filter((t) => t !== undefined) });
          expect(after.domainListDate).toBe(before.domainListDate);
          expect(after.uniqueAbuseDomains).toBe(before.uniqueAbuseDomains);
          const changedType = String((threats[index] as Json)["threatType"]);
          for (const threat of before.threats) {
            if (threat.threatType === changedType) continue;
            expect(after.threats).toContainEqual(threat);
          }
        },
      ),
      { seed: FUZZ_SEED, numRuns: 200 },
    );
  });
});
