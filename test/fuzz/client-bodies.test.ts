/**
 * Fuzzing the MoSAPI client with hostile 200 bodies: every endpoint the collectors read, through
 * the real client and an undici MockAgent (no network). Whatever the body, a fetch resolves with
 * a value whose numbers are all finite or rejects with a MosapiError counted as
 * `invalid_response`; it never throws anything else and never leaves a rejection unhandled
 * (vitest fails the run on one).
 */
import fc from "fast-check";
import type { MockAgent, MockPool } from "undici";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isMosapiError } from "../../src/mosapi/errors.js";
import { createMockAgent, createTestClient, ORIGIN, tld } from "../helpers/mock-mosapi.js";
import {
  classify,
  ENDPOINTS,
  fetchEndpoint,
  fixturesOf,
  FUZZ_SEED,
  hostileCorpus,
  mutate,
  mutation,
  type HostileBody,
} from "./bodies.js";

const target = tld("example", "cert");

let agent: MockAgent;
let pool: MockPool;
/** What the persistent interceptors answer next. */
let reply: HostileBody = { body: Buffer.alloc(0) };

beforeEach(() => {
  agent = createMockAgent();
  pool = agent.get(ORIGIN);
  for (const endpoint of ENDPOINTS) {
    pool
      .intercept({ path: `/ry/example/v2/${endpoint.resource}` })
      .reply(() => ({
        statusCode: 200,
        data: reply.body,
        responseOptions: { headers: reply.headers ?? {} },
      }))
      .persist();
  }
});

afterEach(async () => {
  await agent.close();
});

function answer(body: HostileBody): void {
  reply = body;
}

describe.each(ENDPOINTS)("$name", (endpoint) => {
  // A hostile value in an odd *part* costs only that part (METRICS.md#odd-parts-of-answers): such a body may be
  // accepted, but never silently — the part is reported as an oddity.
  it.each(hostileCorpus())(
    "rejects %s as invalid_response, or accepts it only with an odd part reported",
    async (_name, body) => {
      const { client, observer } = createTestClient({ dispatcher: agent });
      answer(body);
      const outcome = await Promise.allSettled([fetchEndpoint(client, target, endpoint)]);
      if (classify(outcome[0]) === "ok") {
        expect(observer.oddities.flatMap((o) => o.oddities).length).toBeGreaterThan(0);
      }
    },
  );

  it("accepts every fixture, and survives 150 mutations of them", async () => {
    const { client } = createTestClient({ dispatcher: agent });
    const fixtures = fixturesOf(endpoint);
    expect(fixtures.length).toBeGreaterThan(0);
    const seen = { ok: 0, invalid_response: 0 };
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...fixtures), mutation, async ([, fixture], m) => {
        answer({ body: Buffer.from(mutate(fixture, m)) });
        const [outcome] = await Promise.allSettled([fetchEndpoint(client, target, endpoint)]);
        seen[classify(outcome)] += 1;
      }),
      { seed: FUZZ_SEED, numRuns: 150 },
    );
    // Both branches were exercised: the property is not vacuous.
    expect(seen.ok).toBeGreaterThan(0);
    expect(seen.invalid_response).toBeGreaterThan(0);
  });

  it("survives 100 random JSON documents and 100 random byte strings", async () => {
    const { client } = createTestClient({ dispatcher: agent });
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.json({ maxDepth: 4 }).map((text) => Buffer.from(text)),
          fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)),
        ),
        async (body) => {
          answer({ body });
          const [outcome] = await Promise.allSettled([fetchEndpoint(client, target, endpoint)]);
          classify(outcome);
        },
      ),
      { seed: FUZZ_SEED, numRuns: 200 },
    );
  });
});

it("never quotes the body in the error message (it may hold anything)", async () => {
  const { client } = createTestClient({ dispatcher: agent });
  const marker = "leak-marker-7f3a";
  for (const body of [
    `{"lastUpdateApiDatabase": "${marker}"}`,
    `<html>${marker}</html>`,
    `{"status": "Up", "${marker}": 1`,
  ]) {
    answer({ body: Buffer.from(body), headers: { "content-type": "text/html" } });
    const error = await fetchEndpoint(client, target, ENDPOINTS[0]!).catch((e: unknown) => e);
    expect(isMosapiError(error)).toBe(true);
    expect((error as Error).message).not.toContain(marker);
  }
});
