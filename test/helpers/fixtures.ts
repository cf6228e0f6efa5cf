/** Reads test fixtures and builds snapshots from them. */
import { readFileSync } from "node:fs";
import type { TargetSnapshot } from "../../src/snapshot/snapshot.js";
import { stateResponseSchema, type StateResponse } from "../../src/mosapi/models.js";
import type { Target } from "../../src/mosapi/target.js";

const FIXTURES = new URL("../fixtures/", import.meta.url);

/** Text of `test/fixtures/<path>`. */
export function fixtureText(path: string): string {
  return readFileSync(new URL(path, FIXTURES), "utf8");
}

/** A `test/fixtures/mosapi/<name>.json` body, parsed as MoSAPI state. */
export function stateFixture(name: string): StateResponse {
  return stateResponseSchema.parse(JSON.parse(fixtureText(`mosapi/${name}.json`)));
}

/** A registry target using credentials `creds`. */
export function tld(id: string): Target {
  return { entity: "ry", id, credentials: "creds" };
}

/** A registrar target using credentials `creds`. */
export function registrar(id: string): Target {
  return { entity: "rr", id, credentials: "creds" };
}

/** A target entry whose last `state` refresh at `at` (ms) succeeded with `state`. */
export function healthyEntry(target: Target, state: StateResponse, at: number): TargetSnapshot {
  return {
    target,
    up: true,
    stateAttempted: true,
    state,
    collectors: { state: { lastSuccessAt: at } },
  };
}
