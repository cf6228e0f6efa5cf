import { describe, expect, it } from "vitest";
import { DEFAULT_HISTORY_DAYS, MAX_LISTED_DOMAINS } from "../../src/simulator/metrica.js";
import type { ScenarioTarget } from "../../src/simulator/scenario.js";
import { NOW, okBody, scenarioTarget, serve } from "./resources.js";
import { startHarness } from "./support.js";

const DAY = 86_400;
/** NOW is 2026-11-23 12:00 UTC: the latest report is for the 22nd. */
const YESTERDAY = "2026-11-22";

interface Threat {
  threatType: string;
  count: number;
  domains: string[];
}

describe("domainList/latest", () => {
  it("demo example: yesterday's report with four threat types, botnetCc not monitored", () => {
    const reply = serve(scenarioTarget("demo", "ry/example"), "v2/metrica/domainList/latest");
    expect(reply.headers).toEqual({ "Last-Modified": "Mon, 23 Nov 2026 00:00:00 GMT" });
    const body = okBody(reply);
    expect(Object.keys(body)).toEqual([
      "version",
      "tld",
      "domainListDate",
      "uniqueAbuseDomains",
      "domainListData",
    ]);
    expect(body).toMatchObject({
      version: 2,
      tld: "example",
      domainListDate: YESTERDAY,
      uniqueAbuseDomains: 40,
    });
    const data = body["domainListData"] as Threat[];
    expect(data.map((t) => [t.threatType, t.count, t.domains.length])).toEqual([
      ["spam", 12, 12],
      ["phishing", 3, 3],
      ["botnetCc", -1, 0],
      ["malware", 25, MAX_LISTED_DOMAINS],
    ]);
    expect(data[1]?.domains).toEqual(["abuse-13.example", "abuse-14.example", "abuse-15.example"]);
    expect(data[3]?.domains.at(-1)).toBe("abuse-35.example");
  });

  it("demo registrar 9999: ianaId as a number, no tld", () => {
    const body = okBody(serve(scenarioTarget("demo", "rr/9999"), "v2/metrica/domainList/latest"));
    expect(body).toEqual({
      version: 2,
      ianaId: 9999,
      domainListDate: YESTERDAY,
      uniqueAbuseDomains: 8,
      domainListData: [
        { threatType: "spam", count: 2, domains: ["abuse-1.example", "abuse-2.example"] },
        {
          threatType: "phishing",
          count: 5,
          domains: [3, 4, 5, 6, 7].map((n) => `abuse-${n}.example`),
        },
        { threatType: "botnetCc", count: 0, domains: [] },
        { threatType: "malware", count: 1, domains: ["abuse-8.example"] },
      ],
    });
  });

  it("moves to the next day at midnight UTC", () => {
    const example = scenarioTarget("demo", "ry/example");
    const midnight = Date.UTC(2026, 10, 24) / 1000;
    const at = (now: number) =>
      okBody(serve(example, "v2/metrica/domainList/latest", now))["domainListDate"];
    expect(at(midnight - 1)).toBe(YESTERDAY);
    expect(at(midnight)).toBe("2026-11-23");
  });
});

describe("domainList/<date>", () => {
  const example = scenarioTarget("demo", "ry/example");

  it("serves every kept day, the same report as latest for yesterday", () => {
    const latest = serve(example, "v2/metrica/domainList/latest");
    expect(serve(example, `v2/metrica/domainList/${YESTERDAY}`)).toEqual(latest);
    const oldest = new Date((NOW / DAY - DEFAULT_HISTORY_DAYS) * DAY * 1000)
      .toISOString()
      .slice(0, 10);
    expect(okBody(serve(example, `v2/metrica/domainList/${oldest}`))["domainListDate"]).toBe(
      oldest,
    );
  });

  it.each([
    ["2026-11-23", "today: not generated yet"],
    ["2030-01-01", "future"],
    ["2026-09-23", "older than the kept history"],
  ])("404 for %s (%s)", (date) => {
    const reply = serve(example, `v2/metrica/domainList/${date}`);
    expect(reply.status).toBe(404);
    expect(reply.body).toMatchObject({ resultCode: "404" });
  });

  it.each(["2026-02-30", "2026-13-01", "20261122", "2026-11-2", "yesterday"])(
    "400 2013 for the malformed date %s",
    (date) => {
      const reply = serve(example, `v2/metrica/domainList/${date}`);
      expect(reply.status).toBe(400);
      expect(reply.body).toMatchObject({ resultCode: "2013", message: "Bad Request" });
    },
  );
});

describe("domainLists", () => {
  const example = scenarioTarget("demo", "ry/example");
  const lists = (query: Record<string, string>) =>
    okBody(serve(example, "v2/metrica/domainLists", NOW, query));

  it("defaults to the 31 days ending yesterday, oldest first, with RFC 3339 generation dates", () => {
    const body = lists({});
    expect(Object.keys(body)).toEqual(["version", "tld", "domainLists"]);
    const entries = body["domainLists"] as {
      domainListDate: string;
      domainListGenerationDate: string;
    }[];
    expect(entries).toHaveLength(31);
    expect(entries[0]?.domainListDate).toBe("2026-10-23");
    expect(entries.at(-1)).toEqual({
      domainListDate: YESTERDAY,
      domainListGenerationDate: "2026-11-23T00:00:00Z",
    });
  });

  it("lists the reports inside startDate…endDate (both inclusive)", () => {
    expect(lists({ startDate: "2026-11-20", endDate: "2026-11-21" })["domainLists"]).toEqual([
      { domainListDate: "2026-11-20", domainListGenerationDate: "2026-11-21T00:00:00Z" },
      { domainListDate: "2026-11-21", domainListGenerationDate: "2026-11-22T00:00:00Z" },
    ]);
    // Days without a report (today, the future) are simply absent.
    expect(lists({ startDate: "2026-11-22", endDate: "2026-11-30" })["domainLists"]).toEqual([
      { domainListDate: YESTERDAY, domainListGenerationDate: "2026-11-23T00:00:00Z" },
    ]);
    expect(lists({ startDate: "2026-11-01", endDate: "2026-12-02" })["domainLists"]).toHaveLength(
      22,
    );
  });

  it("registrars get ianaId", () => {
    const body = okBody(serve(scenarioTarget("demo", "rr/9999"), "v2/metrica/domainLists"));
    expect(body["ianaId"]).toBe(9999);
    expect(body).not.toHaveProperty("tld");
  });

  it.each([
    [{ startDate: "2026-10-01", endDate: "2026-11-02" }, "2011"],
    [{ startDate: "2026-09-01" }, "2011"],
    [{ startDate: "2026-11-20", endDate: "2026-11-19" }, "2012"],
    [{ startDate: "2026-11-31" }, "2013"],
    [{ startDate: "1795435200" }, "2013"],
    [{ endDate: "22.11.2026" }, "2014"],
    [{ startDate: "x", endDate: "y" }, "2013"],
  ])("400 for %j with code %s", (query, code) => {
    const reply = serve(example, "v2/metrica/domainLists", NOW, query);
    expect(reply.status).toBe(400);
    expect(reply.body).toEqual({
      resultCode: code,
      message: "Bad Request",
      description: expect.any(String) as string,
    });
  });
});

describe("METRICA not enabled", () => {
  const disabled: ScenarioTarget = {
    entity: "ry",
    id: "example",
    services: {},
    metrica: { enabled: false, threats: { spam: 1, phishing: 1, botnetCc: 1, malware: 1 } },
  };

  it.each([
    ["demo test (no metrica)", scenarioTarget("demo", "ry/test")],
    ["demo xn--zckzah", scenarioTarget("demo", "ry/xn--zckzah")],
    ["enabled: false", disabled],
  ])("%s: 404 for all three, even for a malformed date", (_name, target) => {
    for (const path of [
      "v2/metrica/domainList/latest",
      `v2/metrica/domainList/${YESTERDAY}`,
      "v2/metrica/domainList/not-a-date",
      "v2/metrica/domainLists",
    ]) {
      const reply = serve(target, path, NOW, { startDate: "bad" });
      expect([path, reply.status]).toEqual([path, 404]);
    }
  });

  it("is v2 only", () => {
    expect(serve(scenarioTarget("demo", "ry/example"), "v1/metrica/domainList/latest").status).toBe(
      404,
    );
  });
});

describe("over HTTP", () => {
  it("serves reports, lists and errors with Last-Modified, deterministically", async () => {
    const h = await startHarness();
    const cookie = await h.login("ry/example", "example_ry", "demo-example");
    const latest = await h.get("/ry/example/v2/metrica/domainList/latest", { cookie });
    expect(latest.status).toBe(200);
    expect(latest.headers["last-modified"]).toBe("Mon, 23 Nov 2026 00:00:00 GMT");
    expect((await h.get("/ry/example/v2/metrica/domainList/latest", { cookie })).body).toBe(
      latest.body,
    );
    const range = await h.get(
      "/ry/example/v2/metrica/domainLists?startDate=2026-11-01&endDate=2026-12-15",
      { cookie },
    );
    expect(range.status).toBe(400);
    expect(JSON.parse(range.body)).toMatchObject({ resultCode: "2011" });
    const dated = await h.get("/ry/example/v2/metrica/domainList/2026-11-21", { cookie });
    expect(JSON.parse(dated.body)).toMatchObject({ domainListDate: "2026-11-21" });

    h.sim.advanceClock(DAY);
    // The session expired meanwhile (15 minutes).
    const again = await h.login("ry/example", "example_ry", "demo-example");
    const next = await h.get("/ry/example/v2/metrica/domainList/latest", { cookie: again });
    expect(JSON.parse(next.body)).toMatchObject({ domainListDate: "2026-11-23" });

    const test = await h.login("ry/test", "test_ry", "demo-test");
    const none = await h.get("/ry/test/v2/metrica/domainList/latest", { cookie: test });
    expect(none.status).toBe(404);
    expect(JSON.parse(none.body)).toMatchObject({ resultCode: "404", message: "Not Found" });
  });
});
