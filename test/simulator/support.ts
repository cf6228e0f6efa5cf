/**
 * Shared pieces of the simulator tests: a started simulator on a fake clock, plain GET requests
 * through a test-owned undici Agent, and a bounded poll for conditions reached asynchronously.
 */
import { Agent, request } from "undici";
import { afterEach } from "vitest";
import {
  startSimulator,
  type RunningSimulator,
  type StartSimulatorOptions,
} from "../../src/simulator/server.js";
import { getScenario } from "../../src/simulator/scenarios/index.js";
import type { Clock } from "../../src/util/clock.js";

/**
 * A clock that only moves when the test says so; `sleep` resolves once `advance` passes its
 * deadline. (Own copy rather than test/helpers/fake-clock.ts: the simulator tests need to see
 * how many sleeps are waiting, i.e. requests held by latency faults.)
 */
export class ManualClock implements Clock {
  #now: number;
  #sleepers: { due: number; wake: () => void }[] = [];

  /** Starts at 2026-11-23 12:00:00 UTC, on the 5-minute grid. */
  constructor(start = Date.UTC(2026, 10, 23, 12)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise((resolve, reject) => {
      const sleeper = { due: this.#now + ms, wake: resolve };
      this.#sleepers.push(sleeper);
      signal?.addEventListener("abort", () => {
        this.#sleepers = this.#sleepers.filter((s) => s !== sleeper);
        reject(signal.reason as Error);
      });
    });
  }

  /** Number of sleeps waiting. */
  get sleeping(): number {
    return this.#sleepers.length;
  }

  /** Moves time forward, waking the sleeps that fall due. */
  advance(ms: number): void {
    this.#now += ms;
    const due = this.#sleepers.filter((s) => s.due <= this.#now);
    this.#sleepers = this.#sleepers.filter((s) => s.due > this.#now);
    for (const sleeper of due) sleeper.wake();
  }
}

/** A finished HTTP exchange. */
export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** GET (or another method) through `agent`, reading the whole body. */
export async function fetchText(
  agent: Agent,
  url: string,
  options: {
    method?: "GET" | "POST" | "DELETE";
    headers?: Record<string, string>;
    body?: string;
  } = {},
): Promise<Reply> {
  const res = await request(url, {
    dispatcher: agent,
    method: options.method ?? "GET",
    headers: options.headers ?? {},
    ...(options.body === undefined ? {} : { body: options.body }),
  });
  return { status: res.statusCode, headers: res.headers, body: await res.body.text() };
}

/** The parts of a state body the HTTP tests look at. */
export interface StateJson {
  version: number;
  status: string;
  registrarID?: string;
  testedServices: Record<
    string,
    {
      status: string;
      emergencyThreshold?: number;
      incidents?: { state: string; endTime: number | null }[];
    }
  >;
}

/** Parses a reply body as a JSON object. */
export function json(reply: Reply): Record<string, unknown> {
  return JSON.parse(reply.body) as Record<string, unknown>;
}

/** Parses a state reply (unchecked: the tests assert on it). */
export function stateJson(reply: Reply): StateJson {
  return JSON.parse(reply.body) as StateJson;
}

/** `Authorization: Basic …` for a username and password. */
export function basic(username: string, password: string): Record<string, string> {
  return { authorization: `Basic ${Buffer.from(`${username}:${password}`).toString("base64")}` };
}

/** The `id=…` pair of a login reply's Set-Cookie header, ready for a Cookie header. */
export function cookieOf(reply: Reply): string {
  const header = reply.headers["set-cookie"];
  const value = Array.isArray(header) ? header[0] : header;
  const pair = value?.split(";")[0];
  if (pair === undefined) throw new Error(`no Set-Cookie in reply ${reply.status}`);
  return pair;
}

/** Polls `condition` every few milliseconds until true; fails after `timeoutMs`. */
export async function waitFor(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not reached in time");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** A simulator on a fake clock plus an agent; both closed after each test. */
export interface Harness {
  readonly sim: RunningSimulator;
  readonly clock: ManualClock;
  readonly agent: Agent;
  /** GET `path` on the simulator. */
  get(path: string, headers?: Record<string, string>): Promise<Reply>;
  /** Logs in and returns the Cookie header value. */
  login(target: string, username: string, password: string): Promise<string>;
}

const open: (() => Promise<void>)[] = [];

afterEach(async () => {
  await Promise.all(open.splice(0).map((close) => close()));
});

/** Starts a plain-HTTP simulator (default scenario `demo`) on a fresh fake clock. */
export async function startHarness(options: Partial<StartSimulatorOptions> = {}): Promise<Harness> {
  const clock = new ManualClock();
  const sim = await startSimulator({ scenario: getScenario("demo"), clock, ...options });
  const agent = new Agent();
  open.push(async () => {
    await sim.close();
    await agent.close();
  });
  const get = (path: string, headers: Record<string, string> = {}) =>
    fetchText(agent, `${sim.url}${path}`, { headers });
  return {
    sim,
    clock,
    agent,
    get,
    login: async (target, username, password) => {
      const reply = await get(`/${target}/login`, basic(username, password));
      if (reply.status !== 200) throw new Error(`login ${username} got ${reply.status}`);
      return cookieOf(reply);
    },
  };
}
