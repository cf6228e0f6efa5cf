import { describe, expect, it } from "vitest";
import {
  loginPath,
  logoutPath,
  normalizeBaseUrl,
  versionedPath,
} from "../../src/mosapi/endpoints.js";

const ry = { entity: "ry", id: "example" } as const;
const rr = { entity: "rr", id: "9999" } as const;

describe("versionedPath", () => {
  it("builds /<entity>/<id>/v<version>/<resource>", () => {
    expect(versionedPath(ry, 2, "monitoring/state")).toBe("/ry/example/v2/monitoring/state");
    expect(versionedPath(rr, 1, "monitoring/rdap/downtime")).toBe(
      "/rr/9999/v1/monitoring/rdap/downtime",
    );
  });

  it("encodes each segment and appends a query", () => {
    expect(
      versionedPath({ entity: "ry", id: "a/b?c" }, 2, "metrica/domainLists", {
        startDate: "2025-01-01",
        endDate: "2025 01 31",
      }),
    ).toBe("/ry/a%2Fb%3Fc/v2/metrica/domainLists?startDate=2025-01-01&endDate=2025+01+31");
    expect(versionedPath(ry, 2, "monitoring/dns/incidents/1611252000.2")).toBe(
      "/ry/example/v2/monitoring/dns/incidents/1611252000.2",
    );
    expect(versionedPath({ entity: "ry", id: "xn--9dbq2a" }, 2, "monitoring/state")).toBe(
      "/ry/xn--9dbq2a/v2/monitoring/state",
    );
  });

  it.each(["../state", "monitoring//state", "monitoring/.", ""])(
    "rejects the resource %j",
    (resource) => {
      expect(() => versionedPath(ry, 2, resource)).toThrow(TypeError);
    },
  );

  it.each([0, -1, 1.5, Number.NaN])("rejects version %d", (version) => {
    expect(() => versionedPath(ry, version, "monitoring/state")).toThrow("invalid MoSAPI version");
  });

  it("rejects an id that would walk up the path", () => {
    expect(() => versionedPath({ entity: "ry", id: ".." }, 2, "monitoring/state")).toThrow(
      TypeError,
    );
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
