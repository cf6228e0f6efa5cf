import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { buildDashboards, dashboardQueries, renderDashboard } from "../../grafana/src/index.js";

const DASHBOARDS = join(import.meta.dirname, "..", "..", "grafana", "dashboards");
const METRICS_MD = join(import.meta.dirname, "..", "..", "METRICS.md");
const ALERTS = join(import.meta.dirname, "..", "..", "prometheus", "mosapi-alerts.yml");

interface Json {
  [key: string]: unknown;
}

const built = buildDashboards();
const models = built.map(({ dashboard }) => dashboard as unknown as Json);

function panelsOf(model: Json): Json[] {
  const top = (model["panels"] ?? []) as Json[];
  return top.flatMap((panel) => [panel, ...((panel["panels"] ?? []) as Json[])]);
}

function nonRowPanels(model: Json): Json[] {
  return panelsOf(model).filter((panel) => panel["type"] !== "row");
}

function variables(model: Json): Json[] {
  return ((model["templating"] as Json | undefined)?.["list"] ?? []) as Json[];
}

/** Every PromQL text of a dashboard: panel queries and variable queries. */
function expressions(model: Json): string[] {
  const exprs = nonRowPanels(model).flatMap((panel) =>
    ((panel["targets"] ?? []) as Json[]).map((target) => text(target["expr"])),
  );
  const queries = variables(model)
    .filter((variable) => variable["type"] === "query")
    .map((variable) => text(variable["query"]));
  return [...exprs, ...queries];
}

function title(model: Json): string {
  return text(model["uid"]);
}

/** A string property, or "" when absent or not a string. */
function text(value: unknown): string {
  return typeof value === "string" ? value : "";
}

describe("grafana dashboards", () => {
  it("are committed exactly as the TypeScript sources generate them", () => {
    const committed = readdirSync(DASHBOARDS)
      .filter((file) => file.endsWith(".json"))
      .sort();
    expect(committed).toEqual(built.map(({ file }) => file).sort());
    for (const { file, dashboard } of built) {
      // Regenerate with: npm run dashboards
      expect(readFileSync(join(DASHBOARDS, file), "utf8"), file).toBe(renderDashboard(dashboard));
    }
  });

  it("render deterministically (sorted keys, 2-space indent, trailing newline)", () => {
    for (const { dashboard } of built) {
      const text = renderDashboard(dashboard);
      expect(text.endsWith("}\n")).toBe(true);
      expect(text).toBe(
        renderDashboard(
          buildDashboards().find((d) => d.dashboard.uid === dashboard.uid)!.dashboard,
        ),
      );
      expect(text).toContain('\n  "uid": ');
    }
  });

  it("have fixed, unique uids of at most 40 characters and unique panel ids", () => {
    const uids = models.map((model) => model["uid"]);
    expect(uids).toEqual(["mosapi-fleet", "mosapi-tld", "mosapi-abuse", "mosapi-exporter"]);
    for (const model of models) {
      const ids = panelsOf(model).map((panel) => panel["id"]);
      expect(new Set(ids).size, title(model)).toBe(ids.length);
      expect(ids.every((id) => typeof id === "number" && id > 0)).toBe(true);
    }
  });

  it("never contain a ${DS_…} import placeholder", () => {
    for (const { dashboard } of built) {
      expect(renderDashboard(dashboard)).not.toContain("${DS_");
    }
  });

  it("have a $datasource variable used by every panel and every query", () => {
    const ref = { type: "prometheus", uid: "${datasource}" };
    for (const model of models) {
      const variable = variables(model).find((v) => v["name"] === "datasource");
      expect(variable, title(model)).toMatchObject({ type: "datasource", query: "prometheus" });
      for (const v of variables(model).filter((v) => v["type"] === "query")) {
        expect(v["datasource"], `${title(model)} $${text(v["name"])}`).toEqual(ref);
      }
      for (const panel of nonRowPanels(model)) {
        const where = `${title(model)} / ${text(panel["title"])}`;
        expect(panel["datasource"], where).toEqual(ref);
        const targets = (panel["targets"] ?? []) as Json[];
        expect(targets.length, where).toBeGreaterThan(0);
        for (const target of targets) expect(target["datasource"], where).toEqual(ref);
      }
    }
  });

  it("give every panel a title, a description and a unit", () => {
    for (const model of models) {
      for (const panel of nonRowPanels(model)) {
        const where = `${title(model)} / ${text(panel["title"])}`;
        expect(text(panel["title"]).trim(), where).not.toBe("");
        expect(text(panel["description"]).trim(), where).not.toBe("");
        const defaults = (panel["fieldConfig"] as Json | undefined)?.["defaults"] as
          Json | undefined;
        expect(text(defaults?.["unit"]), where).not.toBe("");
      }
    }
  });

  it("use $__rate_interval in every rate(), irate() and increase()", () => {
    const ranged = /\b(?:rate|irate|increase)\(([^()]*(?:\([^()]*\))*[^()]*)\)/g;
    for (const model of models) {
      for (const expr of expressions(model)) {
        for (const match of expr.matchAll(ranged)) {
          expect(match[1], `${title(model)}: ${expr}`).toMatch(/\[\$__rate_interval\]$/);
        }
      }
    }
  });

  it("query only metrics documented in METRICS.md (and prom-client's process_/nodejs_)", () => {
    const documented = new Set(readFileSync(METRICS_MD, "utf8").match(/mosapi_[a-z_]+/g) ?? []);
    const used = new Set<string>();
    for (const model of models) {
      for (const expr of expressions(model)) {
        for (const name of expr.match(/mosapi_[a-z_]+/g) ?? []) {
          used.add(name.replace(/_(?:bucket|sum|count)$/, ""));
        }
        for (const name of expr.match(/\b[a-z_]+(?=\{|\[| *\))/g) ?? []) {
          if (!name.startsWith("mosapi_") && /_(?:total|seconds|bytes|fds)$/.test(name)) {
            expect(name, `${title(model)}: ${expr}`).toMatch(/^(?:process|nodejs)_/);
          }
        }
      }
    }
    const undocumented = [...used].filter((name) => !documented.has(name));
    expect(undocumented).toEqual([]);
    expect(used.size).toBeGreaterThan(20);
  });

  it("use only the variables each dashboard defines", () => {
    const builtins = new Set(["__rate_interval", "__range", "__interval"]);
    for (const model of models) {
      const defined = new Set(variables(model).map((v) => text(v["name"])));
      for (const expr of expressions(model)) {
        for (const [, name] of expr.matchAll(/\$\{?(\w+)/g)) {
          expect(defined.has(name!) || builtins.has(name!), `${title(model)}: $${name!}`).toBe(
            true,
          );
        }
      }
    }
  });

  it("link the fleet overview to the TLD detail dashboard", () => {
    const fleet = renderDashboard(built[0]!.dashboard);
    expect(fleet).toContain("/d/mosapi-tld/");
    for (const model of models) {
      expect(model["links"], title(model)).toEqual([
        expect.objectContaining({ type: "dashboards", tags: ["mosapi"], keepTime: true }),
      ]);
    }
  });

  it("list every panel query for end-to-end evaluation", () => {
    const queries = dashboardQueries();
    const total = models.reduce(
      (sum, model) =>
        sum + nonRowPanels(model).reduce((n, p) => n + ((p["targets"] ?? []) as Json[]).length, 0),
      0,
    );
    expect(queries).toHaveLength(total);
    expect(new Set(queries.map((q) => q.dashboard))).toEqual(
      new Set(["mosapi-fleet", "mosapi-tld", "mosapi-abuse", "mosapi-exporter"]),
    );
    for (const query of queries) {
      expect(query.panel).not.toBe("");
      expect(query.expr).toMatch(/mosapi_|process_|nodejs_/);
    }
  });

  it("colour the early warning where the shipped alert fires and where SLAM counts a name server down", () => {
    const groups = (parse(readFileSync(ALERTS, "utf8")) as { groups: { rules: Json[] }[] }).groups;
    const rule = groups
      .flatMap((group) => group.rules)
      .find((r) => r["alert"] === "MosapiNameServerLosingProbes");
    const expr = text(rule?.["expr"]);
    // The alert: share of probes down >= S, and at least N probes down.
    const share = Number(/\(mosapi_measurement_nameserver_probes\) >= ([\d.]+)/.exec(expr)?.[1]);
    const atLeast = /\{status="down"\}\) >= (\d+)/.exec(expr)?.[1];
    expect(share).toBeGreaterThan(0);
    expect(atLeast).toBeDefined();
    const expected = [
      { color: "green", value: null },
      { color: "orange", value: share },
      // SLAM: a name server is down for the cycle when 51 % of the probes lose it.
      { color: "red", value: 0.51 },
    ];
    const coloured: string[] = [];
    for (const model of models) {
      for (const panel of nonRowPanels(model)) {
        const targets = (panel["targets"] ?? []) as Json[];
        if (!targets.some((t) => text(t["expr"]).includes("mosapi_measurement_nameserver_probes")))
          continue;
        const where = `${title(model)} / ${text(panel["title"])}`;
        const config = panel["fieldConfig"] as {
          defaults: Json;
          overrides: { properties: Json[] }[];
        };
        const steps = [
          config.defaults["thresholds"],
          ...config.overrides.flatMap((o) =>
            o.properties.filter((p) => p["id"] === "thresholds").map((p) => p["value"]),
          ),
        ]
          .filter((t): t is Json => t !== undefined)
          .map((t) => t["steps"]);
        expect(steps, where).toEqual([expected]);
        coloured.push(where);
        // A panel that lists only name servers worth a look uses the alert's probe floor.
        for (const t of targets) {
          for (const [, floor] of text(t["expr"]).matchAll(/ >= (\d+)\)/g)) {
            expect(floor, where).toBe(atLeast);
          }
        }
      }
    }
    expect(coloured).toEqual([
      "mosapi-fleet / Name servers losing probes while the service is Up",
      "mosapi-tld / Probes losing each name server",
      "mosapi-tld / Probes losing each name server over time",
    ]);
  });
});
