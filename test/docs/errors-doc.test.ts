import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CONFIG_ERROR_CODES } from "../../src/config/errors.js";
import { toRefreshError } from "../../src/collectors/refresh.js";
import * as catalogue from "../../src/mosapi/errors.js";
import {
  AuthError,
  BadRequestError,
  ForbiddenError,
  HttpStatusError,
  InvalidResponseError,
  LoginBackoffError,
  LoginFailedError,
  MOSAPI_ERROR_CODES,
  MosapiError,
  MosapiResponseError,
  MosapiTransportError,
  NetworkError,
  NotFoundError,
  RateLimitedError,
  REFRESH_ERROR_CODES,
  SchemaError,
  SlotTimeoutError,
  TimeoutError,
  type ErrorContext,
} from "../../src/mosapi/errors.js";

const doc = readFileSync(new URL("../../docs/errors.md", import.meta.url), "utf8");

/** Rows of the table under `heading`: code → the row's other cells. */
function rowsUnder(heading: string): Map<string, string[]> {
  const start = doc.indexOf(`\n## ${heading}\n`);
  expect(start, `docs/errors.md has no "## ${heading}" section`).toBeGreaterThanOrEqual(0);
  const end = doc.indexOf("\n## ", start + 1);
  const section = doc.slice(start, end === -1 ? undefined : end);
  const rows = new Map<string, string[]>();
  for (const line of section.split("\n")) {
    const match = /^\| `([A-Z][A-Z_]+)` \|(.*)\|$/.exec(line);
    if (match?.[1] && match[2] !== undefined) {
      expect(rows.has(match[1]), `${match[1]} listed twice`).toBe(false);
      rows.set(
        match[1],
        match[2].split("|").map((cell) => cell.trim()),
      );
    }
  }
  return rows;
}

const context: ErrorContext = {
  operation: "fetch monitoring/state",
  target: "TLD example",
  endpoint: "monitoring/state",
  path: "/ry/example/v2/monitoring/state",
};

/** One instance of every concrete class of the catalogue. */
const instances: readonly MosapiError[] = [
  new TimeoutError(context, 1000),
  new SlotTimeoutError(context, 1000),
  new NetworkError(context, new Error("reset")),
  new LoginFailedError(context, "example-login"),
  new LoginBackoffError(context, "example-login", 1, 60_000, 0),
  new AuthError(context, "session"),
  new ForbiddenError(context),
  new NotFoundError(context),
  new RateLimitedError(context, undefined),
  new BadRequestError(context, {}),
  new HttpStatusError(context, 503),
  new InvalidResponseError(context, "not JSON"),
  new SchemaError(context, [], 200, undefined),
];

describe("the error catalogue", () => {
  it("has an instance above for every class src/mosapi/errors.ts exports", () => {
    const abstract = new Set<unknown>([MosapiError, MosapiTransportError, MosapiResponseError]);
    const classes = (Object.values(catalogue) as unknown[]).filter(
      (value): value is typeof MosapiError =>
        typeof value === "function" &&
        value.prototype instanceof MosapiError &&
        !abstract.has(value),
    );
    expect(classes.length).toBeGreaterThan(0);
    for (const type of classes) {
      expect(
        instances.some((error) => error.constructor === type),
        type.name,
      ).toBe(true);
    }
  });

  it("uses every code of MOSAPI_ERROR_CODES, and no other", () => {
    expect(new Set(instances.map((error) => error.code))).toEqual(new Set(MOSAPI_ERROR_CODES));
  });

  it("records a non-MoSAPI failure of a refresh under a catalogued code", () => {
    const failure = toRefreshError(new TypeError("boom"), 0);
    expect(REFRESH_ERROR_CODES).toContain(failure.code);
    expect(MOSAPI_ERROR_CODES).not.toContain(failure.code);
  });
});

describe("docs/errors.md", () => {
  it("lists every refresh error code, with the reason it counts under, and no other", () => {
    const rows = rowsUnder("Refresh errors");
    expect([...rows.keys()].sort()).toEqual([...REFRESH_ERROR_CODES].sort());
    for (const error of instances) {
      const reason = rows.get(error.code)?.[0];
      expect(reason, error.code).toMatch(new RegExp(`^\`${error.reason}\``));
    }
    const internal = toRefreshError(new TypeError("boom"), 0);
    expect(rows.get(internal.code)?.[0]).toBe(`\`${internal.reason}\``);
  });

  it("lists every configuration error code, and no other", () => {
    expect([...rowsUnder("Configuration errors").keys()].sort()).toEqual(
      [...CONFIG_ERROR_CODES].sort(),
    );
  });

  it("explains each code: what happened and what to do", () => {
    for (const heading of ["Refresh errors", "Configuration errors"]) {
      for (const [code, cells] of rowsUnder(heading)) {
        const [whatHappened, whatToDo] = cells.slice(-2);
        expect(whatHappened?.length ?? 0, code).toBeGreaterThan(20);
        expect(whatToDo?.length ?? 0, code).toBeGreaterThan(10);
      }
    }
  });
});
