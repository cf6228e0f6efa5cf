import { Agent } from "undici";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import { startSimulator, type RunningSimulator } from "../../src/simulator/server.js";
import { createTestPki, type PemPair, type TestPki } from "../helpers/pki.js";
import { ManualClock, basic, cookieOf, fetchText } from "./support.js";

const STATE = "/ry/example/v2/monitoring/state";

let pki: TestPki;
let stranger: TestPki;
let sim: RunningSimulator;
let authorized: PemPair;
let unauthorized: PemPair;
let untrusted: PemPair;
const agents: Agent[] = [];

/** An agent trusting the test CA, optionally presenting a client certificate. */
function agentWith(client?: PemPair): Agent {
  const agent = new Agent({
    connect: {
      ca: pki.ca.cert,
      ...(client === undefined ? {} : { cert: client.cert, key: client.key }),
    },
  });
  agents.push(agent);
  return agent;
}

beforeAll(async () => {
  [pki, stranger] = await Promise.all([createTestPki(), createTestPki("stranger CA")]);
  [authorized, unauthorized, untrusted] = await Promise.all([
    pki.client("rsp.demo.invalid"),
    pki.client("other.invalid"),
    stranger.client("rsp.demo.invalid"),
  ]);
  sim = await startSimulator({
    scenario: getScenario("demo"),
    clock: new ManualClock(),
    tls: { cert: pki.server.cert, key: pki.server.key, clientCa: pki.ca.cert },
  });
});

afterAll(async () => {
  await Promise.all(agents.map((a) => a.close()));
  await sim.close();
  await Promise.all([pki.cleanup(), stranger.cleanup()]);
});

describe("TLS client authentication", () => {
  it("serves https on 127.0.0.1", () => {
    expect(sim.url).toBe(`https://127.0.0.1:${sim.port}`);
  });

  it("gives an authorized certificate data without login, for every target it is allowed", async () => {
    const agent = agentWith(authorized);
    for (const path of [STATE, "/ry/test/v2/monitoring/state", "/rr/9999/v2/monitoring/state"]) {
      const reply = await fetchText(agent, `${sim.url}${path}`);
      expect([path, reply.status]).toEqual([path, 200]);
    }
    expect(sim.stats().concurrency.peak["rsp.demo.invalid"]).toBe(1);
  });

  it("refuses a certificate whose CN is not authorized for the target", async () => {
    const reply = await fetchText(agentWith(unauthorized), `${sim.url}${STATE}`);
    expect(reply.status).toBe(401);
    expect(reply.body).toContain("other.invalid is not authorized for ry/example");
  });

  it("refuses a certificate from another CA, even with an authorized CN", async () => {
    const reply = await fetchText(agentWith(untrusted), `${sim.url}${STATE}`);
    expect(reply.status).toBe(401);
    expect(reply.body).toContain("TLS-Client-Authentication or Session Cookie");
  });

  it("refuses a connection without a certificate, which can still log in with Basic", async () => {
    const agent = agentWith();
    expect((await fetchText(agent, `${sim.url}${STATE}`)).status).toBe(401);
    const login = await fetchText(agent, `${sim.url}/ry/example/login`, {
      headers: basic("example_ry", "demo-example"),
    });
    expect(login.status).toBe(200);
    const reply = await fetchText(agent, `${sim.url}${STATE}`, {
      headers: { cookie: cookieOf(login) },
    });
    expect(reply.status).toBe(200);
  });
});

describe("TLS without a client CA", () => {
  it("does not ask for certificates: a presented one is ignored", async () => {
    const plain = await startSimulator({
      scenario: getScenario("demo"),
      clock: new ManualClock(),
      tls: { cert: pki.server.cert, key: pki.server.key },
    });
    try {
      const reply = await fetchText(agentWith(authorized), `${plain.url}${STATE}`);
      expect(reply.status).toBe(401);
    } finally {
      await plain.close();
    }
  });
});
