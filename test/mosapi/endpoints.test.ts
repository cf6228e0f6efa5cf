import { describe, expect, it } from "vitest";
import {
  assertVersion,
  endpointPath,
  ENDPOINTS,
  loginPath,
  logoutPath,
  normalizeBaseUrl,
} from "../../src/mosapi/endpoints.js";

const ry = { entity: "ry", id: "example" } as const;
const rr = { entity: "rr", id: "9999" } as const;

describe("endpointPath", () => {
  it("builds /<entity>/<id>/v<version>/<resource> from the table", () => {
    expect(endpointPath(ry, 2, "state", {})).toBe("/ry/example/v2/monitoring/state");
    expect(endpointPath(rr, 1, "downtime", { service: "rdap" })).toBe(
      "/rr/9999/v1/monitoring/rdap/downtime",
    );
    expect(endpointPath({ entity: "ry", id: "xn--9dbq2a" }, 2, "state", {})).toBe(
      "/ry/xn--9dbq2a/v2/monitoring/state",
    );
  });

  it("encodes the target id and every parameter as one segment, and appends a query", () => {
    expect(
      endpointPath(
        { entity: "ry", id: "a/b?c" },
        2,
        "metricaList",
        {},
        {
          startDate: "2025-01-01",
          endDate: "2025 01 31",
        },
      ),
    ).toBe("/ry/a%2Fb%3Fc/v2/metrica/domainLists?startDate=2025-01-01&endDate=2025+01+31");
    expect(
      endpointPath(ry, 2, "incidentMeasurement", {
        service: "dns",
        incident: "1611252000.2",
        measurement: "../state#x",
      }),
    ).toBe("/ry/example/v2/monitoring/dns/incidents/1611252000.2/measurements/..%2Fstate%23x");
  });

  it.each(["..", ".", ""])("rejects the parameter %j", (incident) => {
    expect(() => endpointPath(ry, 2, "incidentMeasurements", { service: "dns", incident })).toThrow(
      TypeError,
    );
  });

  it.each([0, -1, 1.5, Number.NaN])("rejects version %d", (version) => {
    expect(() => {
      assertVersion(version);
    }).toThrow("invalid MoSAPI version");
    expect(() => endpointPath(ry, version, "state", {})).toThrow("invalid MoSAPI version");
  });

  it("rejects an id that would walk up the path", () => {
    expect(() => endpointPath({ entity: "ry", id: ".." }, 2, "state", {})).toThrow(TypeError);
  });

  it("names every endpoint by a template that holds no id", () => {
    for (const template of Object.values(ENDPOINTS)) {
      expect(template).toMatch(/^[a-zA-Z]+(\/([a-zA-Z]+|\{[a-z]+\}))*$/);
    }
  });
});

describe("login and logout paths", () => {
  it("are unversioned", () => {
    expect(loginPath(ry)).toBe("/ry/example/login");
    expect(logoutPath(rr)).toBe("/rr/9999/logout");
  });
});

describe("normalizeBaseUrl", () => {
  it("drops trailing slashes and keeps a path prefix", () => {
    expect(normalizeBaseUrl("https://mosapi.icann.org/")).toBe("https://mosapi.icann.org");
    expect(normalizeBaseUrl("https://mosapi.icann.org")).toBe("https://mosapi.icann.org");
    expect(normalizeBaseUrl("http://127.0.0.1:8089/sim//")).toBe("http://127.0.0.1:8089/sim");
  });

  it.each(["ftp://x", "https://u:p@x", "https://x/?a=1", "https://x/#f", "not a url"])(
    "rejects %s",
    (url) => {
      expect(() => normalizeBaseUrl(url)).toThrow(TypeError);
    },
  );
});
