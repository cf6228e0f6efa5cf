import { describe, expect, it } from "vitest";
import { stateResponseSchema, type StateResponse } from "../../src/mosapi/models.js";
import { targetKey } from "../../src/mosapi/target.js";
import { scenarioEpoch } from "../../src/simulator/scenario.js";
import { SCENARIOS, getScenario } from "../../src/simulator/scenarios/index.js";
import { stateBody } from "../../src/simulator/state.js";

/** Every scenario is looked at the moment it starts (at its epoch). */
const NOW = scenarioEpoch(Date.UTC(2026, 10, 23, 12));

function state(scenario: string, key: string): StateResponse {
  const target = getScenario(scenario).targets.find((t) => targetKey(t) === key);
  if (target === undefined) throw new Error(`${scenario} has no ${key}`);
  return stateResponseSchema.parse(stateBody(target, 2, NOW, NOW));
}

/** status and emergencyThreshold per service, for compact expectations. */
function summary(response: StateResponse) {
  return Object.fromEntries(
    Object.entries(response.services).map(([type, s]) => [
      type,
      s.emergencyThreshold === undefined ? s.status : `${s.status} ${s.emergencyThreshold}`,
    ]),
  );
}

describe("shipped scenarios", () => {
  it("are the documented set, keyed by name", () => {
    expect(Object.keys(SCENARIOS).sort()).toEqual([
      "demo",
      "disabled",
      "dns-down",
      "early-warning",
      "healthy",
      "inconclusive",
      "maintenance",
      "rdap-incident",
      "registrar",
      "trace-incident",
      "unknown-status",
    ]);
    for (const [name, scenario] of Object.entries(SCENARIOS)) expect(scenario.name).toBe(name);
    expect(() => getScenario("nope")).toThrow(/unknown scenario "nope"; one of: demo, /);
  });

  it.each(Object.keys(SCENARIOS))(
    "%s: every target's v1 and v2 state parses; accounts and certificates name real targets",
    (name) => {
      const scenario = getScenario(name);
      const keys = scenario.targets.map(targetKey);
      for (const target of scenario.targets) {
        for (const version of [1, 2] as const) {
          expect(() =>
            stateResponseSchema.parse(stateBody(target, version, NOW, NOW)),
          ).not.toThrow();
        }
      }
      for (const grant of [...scenario.accounts, ...scenario.certificates]) {
        for (const key of grant.targets) expect(keys).toContain(key);
      }
      expect(scenario.certificates.map((c) => c.commonName)).toEqual(["rsp.demo.invalid"]);
      // Reserved names only: demo data must never look like a real TLD or registrar.
      for (const key of keys) expect(key).toMatch(/^(ry\/(example|test|xn--zckzah)|rr\/9999)$/);
    },
  );

  it("demo: example healthy with a resolved RDAP incident two days ago", () => {
    const example = state("demo", "ry/example");
    expect(example.status).toBe("up");
    expect(summary(example)).toEqual({
      dns: "up 0",
      dnssec: "up 0",
      epp: "disabled",
      rdds: "disabled",
      rdap: "up 0.694",
    });
    expect(example.services.rdap?.incidents).toEqual([
      {
        incidentId: `${NOW - 2 * 86_400 - 600}.1`,
        startTime: NOW - 2 * 86_400 - 600,
        endTime: NOW - 2 * 86_400 - 1,
        falsePositive: false,
        state: "resolved",
      },
    ]);
  });

  it("demo: test has DNS down for 25 minutes and a false positive yesterday", () => {
    const test = state("demo", "ry/test");
    expect(test.status).toBe("down");
    expect(summary(test)).toMatchObject({ dns: "down 10.417", rdap: "up 0" });
    expect(
      test.services.dns?.incidents.map((i) => [i.state, i.falsePositive, i.startTime]),
    ).toEqual([
      ["resolved", true, NOW - 86_400],
      ["active", false, NOW - 25 * 60],
    ]);
  });

  it("demo: xn--zckzah is inconclusive in both spellings; registrar 9999 is up", () => {
    const idn = state("demo", "ry/xn--zckzah");
    expect(idn.status).toBe("up");
    expect(idn.services.dns?.rawStatus).toBe("UP-inconclusive-no-probes");
    expect(idn.services.rdap?.rawStatus).toBe("Up-inconclusive-reconfig");
    expect(summary(idn)).toMatchObject({
      dns: "up-inconclusive-no-probes 0",
      rdap: "up-inconclusive-reconfig 0",
    });

    const registrar = state("demo", "rr/9999");
    expect(registrar.registrarId).toBe("9999");
    expect(registrar.tld).toBeUndefined();
    expect(summary(registrar)).toEqual({ rdds: "disabled", rdap: "up 0" });
  });

  it.each([
    [
      "healthy",
      "ry/example",
      "up",
      { dns: "up 0", dnssec: "up 0", epp: "up 0", rdds: "up 0", rdap: "up 0" },
    ],
    [
      "dns-down",
      "ry/example",
      "down",
      { dns: "down 10.417", dnssec: "up 0", epp: "disabled", rdds: "disabled", rdap: "up 0" },
    ],
    [
      "inconclusive",
      "ry/example",
      "up",
      {
        dns: "up-inconclusive-no-data 0",
        dnssec: "up-inconclusive-no-probes 0",
        epp: "disabled",
        rdds: "disabled",
        rdap: "up-inconclusive-reconfig 0",
      },
    ],
    [
      "unknown-status",
      "ry/example",
      "up",
      { dns: "unknown 0", dnssec: "up 0", epp: "disabled", rdds: "disabled", rdap: "up 0" },
    ],
    [
      "disabled",
      "ry/example",
      "up",
      { dns: "up 0", dnssec: "disabled", epp: "disabled", rdds: "disabled" },
    ],
    ["registrar", "rr/9999", "down", { rdds: "disabled", rdap: "down 1.042" }],
    [
      "rdap-incident",
      "ry/example",
      "down",
      { dns: "up 0", dnssec: "up 0", epp: "disabled", rdds: "disabled", rdap: "down 1.389" },
    ],
    ["rdap-incident", "rr/9999", "down", { rdds: "disabled", rdap: "down 1.042" }],
    [
      "maintenance",
      "ry/example",
      "up-inconclusive",
      { dns: "disabled", dnssec: "disabled", epp: "disabled", rdds: "disabled", rdap: "disabled" },
    ],
  ])("%s: %s is %s", (name, key, overall, services) => {
    const response = state(name, key);
    expect(response.status).toBe(overall);
    expect(summary(response)).toEqual(services);
  });

  it("dns-down and registrar carry one active incident; unknown-status keeps the raw value", () => {
    expect(state("dns-down", "ry/example").services.dns?.incidents).toEqual([
      expect.objectContaining({ state: "active", startTime: NOW - 1500, endTime: null }),
    ]);
    expect(state("registrar", "rr/9999").services.rdap?.incidents).toEqual([
      expect.objectContaining({ state: "active", startTime: NOW - 900 }),
    ]);
    expect(state("unknown-status", "ry/example").services.dns?.rawStatus).toBe("Weird-new-status");
  });
});
