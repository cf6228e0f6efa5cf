/**
 * Schemas for Domain METRICA (formerly DAAR) reports and report lists (docs/mosapi.md#domain-metrica).
 *
 * Domain names are never stored, labelled or logged: the `domains` arrays are not part of the
 * schema, so zod strips them without reading them and no schema error can quote one. What is
 * kept is per-threat counts. Reports come for registries (`tld`) and registrars (`ianaId`); the
 * owner is known from the request, so neither is kept.
 */
import { z } from "zod";
import { boundedArray } from "./models.js";
import { fallback, partsList, partsObject } from "./oddities.js";

/** Most threat types a report keeps (four are known: spam, phishing, botnetCc, malware). */
export const MAX_THREAT_TYPES = 50;

/** Longest threat type kept; longer ones are cut. */
const MAX_THREAT_TYPE_LENGTH = 64;

/** An integer as a JSON number or a string of digits (`"-1"`). */
const integer = z
  .union([
    z.number(),
    z
      .string()
      .regex(/^\s*-?\d+\s*$/)
      .transform(Number),
  ])
  .pipe(z.number().int());

function isCalendarDate(text: string): boolean {
  const date = new Date(`${text}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().startsWith(text);
}

/** `YYYY-MM-DD` naming a real calendar day (`2024-02-30` is rejected). */
const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "expected a YYYY-MM-DD date")
  .refine(isCalendarDate, "not a calendar date");

const threatSchema = partsObject({
  threatType: z.string().min(1),
  // -1 means the threat type is not monitored for this TLD: no number, not zero.
  count: integer.pipe(z.number().min(-1)).transform((n) => (n === -1 ? null : n)),
});

/**
 * `GET …/metrica/domainList/latest` and `…/domainList/<YYYY-MM-DD>` (§4). `reportTimestamp` is
 * the Unix seconds of `domainListDate` 00:00 UTC. `threats` keeps the order sent; a repeated
 * threat type keeps its first entry, and at most {@link MAX_THREAT_TYPES} types are kept.
 *
 * Per part (METRICS.md#odd-parts-of-answers): the report's core is `domainListDate` (what day it covers); a
 * missing or bad `uniqueAbuseDomains` is left out, and a bad threat entry (no type, a count
 * that is not an integer ≥ -1) costs only itself — each an oddity.
 */
export const metricaReportSchema = partsObject({
  domainListDate: isoDate,
  uniqueAbuseDomains: fallback(integer.pipe(z.number().nonnegative()), undefined, {
    expected: true,
  }),
  domainListData: partsList(threatSchema, 1_000, { expected: true }),
}).transform((raw) => {
  const threats = new Map<string, number | null>();
  for (const threat of raw.domainListData) {
    const type = threat.threatType.slice(0, MAX_THREAT_TYPE_LENGTH);
    if (!threats.has(type) && threats.size < MAX_THREAT_TYPES) threats.set(type, threat.count);
  }
  return {
    domainListDate: raw.domainListDate,
    reportTimestamp: Date.parse(`${raw.domainListDate}T00:00:00Z`) / 1000,
    uniqueAbuseDomains: raw.uniqueAbuseDomains,
    threats: [...threats].map(([threatType, count]) => ({ threatType, count })),
  };
});
export type MetricaReport = z.output<typeof metricaReportSchema>;

/** RFC 3339 date-time, as in `"2018-12-13T23:20:50.52Z"`. */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})$/;

/** Whole Unix seconds of an RFC 3339 date-time; undefined when it is not one. */
function toUnixSeconds(text: string | null | undefined): number | undefined {
  if (text === null || text === undefined || !RFC3339.test(text)) return undefined;
  const ms = Date.parse(text.replace(" ", "T"));
  return Number.isNaN(ms) ? undefined : Math.floor(ms / 1000);
}

/**
 * `GET …/metrica/domainLists` (§4): the reports that exist, in the order sent. `generatedAt` is
 * `domainListGenerationDate` in whole Unix seconds; it is left out when absent or not RFC 3339
 * (it is informational, so it does not cost the list).
 */
export const metricaListSchema = z
  .object({
    domainLists: boundedArray(
      z.object({
        domainListDate: isoDate,
        domainListGenerationDate: z.string().nullish(),
      }),
      10_000,
    ),
  })
  .transform((raw) => ({
    reports: raw.domainLists.map((entry): { date: string; generatedAt?: number } => {
      const generatedAt = toUnixSeconds(entry.domainListGenerationDate);
      return generatedAt === undefined
        ? { date: entry.domainListDate }
        : { date: entry.domainListDate, generatedAt };
    }),
  }));
export type MetricaList = z.output<typeof metricaListSchema>;
