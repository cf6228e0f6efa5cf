/**
 * Test doubles for the MoSAPI client: a MockAgent that refuses the network, interceptor
 * builders for login/logout/data endpoints, a gate that holds requests until the test releases
 * them, a recording observer and a pino logger writing into memory.
 */
import { pino } from "pino";
import type { Logger } from "../../src/log/logger.js";
import { MockAgent } from "undici";
import type { Dispatcher, MockPool } from "undici";
import { MosapiClient } from "../../src/mosapi/client.js";
import type { MosapiClientOptions } from "../../src/mosapi/client.js";
import type { Credential } from "../../src/mosapi/credentials.js";
import type { ClientObserver } from "../../src/mosapi/observer.js";
import type { Oddity } from "../../src/mosapi/oddities.js";
import type { Target } from "../../src/mosapi/target.js";
import { FakeClock } from "./fake-clock.js";

export const ORIGIN = "https://mosapi.test";
export const PASSWORD = "pa55-Wörd:with-colon";
export const USERNAME = "example_ry";

export const basicCredential: Credential = {
  kind: "basic",
  username: USERNAME,
  password: PASSWORD,
};
export const certCredential: Credential = {
  kind: "tls_client",
  certFile: "/etc/mosapi/client.crt",
  keyFile: "/etc/mosapi/client.key",
  cert: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
  key: "-----BEGIN PRIVATE KEY-----\nKEYSECRET\n-----END PRIVATE KEY-----\n",
};

export function tld(id: string, credentials = "login"): Target {
  return { entity: "ry", id, credentials };
}

export function registrar(id: string, credentials = "login"): Target {
  return { entity: "rr", id, credentials };
}

/** A MockAgent that fails every request without an interceptor. */
export function createMockAgent(): MockAgent {
  const agent = new MockAgent();
  agent.disableNetConnect();
  return agent;
}

/** A minimal valid `monitoring/state` body. */
export function stateBody(id = "example"): Record<string, unknown> {
  return {
    version: 2,
    lastUpdateApiDatabase: 1735689600,
    tld: id,
    status: "Up",
    testedServices: {
      DNS: { status: "Up", emergencyThreshold: 0, incidents: [] },
      DNSSEC: { status: "Disabled" },
    },
  };
}

export const JSON_HEADERS = { "content-type": "application/json" };

/** `GET /<entity>/<id>/login` answered 200 with `Set-Cookie: id=<cookie>`, `times` times. */
export function interceptLogin(pool: MockPool, base: string, cookie: string, times = 1): void {
  pool
    .intercept({ path: `${base}/login`, method: "GET" })
    .reply(200, "", {
      headers: {
        "set-cookie": [`other=1; Path=/`, `id=${cookie}; Path=${base}; Secure; HttpOnly`],
      },
    })
    .times(times);
}

/** `GET /<entity>/<id>/v2/monitoring/state` answered with a valid body when sent with `cookie`. */
export function interceptState(
  pool: MockPool,
  base: string,
  cookie: string | undefined,
  times = 1,
): void {
  pool
    .intercept({
      path: `${base}/v2/monitoring/state`,
      method: "GET",
      ...(cookie === undefined ? {} : { headers: { cookie: `id=${cookie}` } }),
    })
    .reply(200, stateBody(base.split("/")[2]), { headers: JSON_HEADERS })
    .times(times);
}

/** Records what the client reports. */
export class RecordingObserver implements ClientObserver {
  readonly requests: { endpoint: string; code: string; seconds: number }[] = [];
  readonly logins: { credentials: string; ok: boolean }[] = [];
  readonly oddities: { target: Target; resource: string; oddities: readonly Oddity[] }[] = [];

  onRequest(event: { endpoint: string; code: string; seconds: number }): void {
    this.requests.push(event);
  }

  onLogin(event: { credentials: string; ok: boolean }): void {
    this.logins.push(event);
  }

  onOddities(event: { target: Target; resource: string; oddities: readonly Oddity[] }): void {
    this.oddities.push(event);
  }

  /** `endpoint code` strings, in order. */
  codes(): string[] {
    return this.requests.map((r) => `${r.endpoint} ${r.code}`);
  }
}

/** A pino logger at debug level writing JSON lines into `lines`. */
export function captureLogs(): {
  logger: Logger;
  lines: string[];
  records: () => Record<string, unknown>[];
} {
  const lines: string[] = [];
  const logger = pino(
    { level: "debug", base: null },
    {
      write: (line: string) => {
        lines.push(line);
      },
    },
  );
  return {
    logger,
    lines,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

/** Holds matching requests before they reach `inner`, until the test releases them. */
export interface Gate {
  readonly dispatcher: Dispatcher;
  /** Held requests (method and path). */
  readonly held: readonly { path: string; headers: unknown }[];
  /** Lets the first `count` held requests (default: all) through, in order. */
  release(count?: number): void;
}

export function createGate(
  inner: Dispatcher,
  matches: (options: Dispatcher.DispatchOptions) => boolean = () => true,
): Gate {
  const queue: { path: string; headers: unknown; go: () => void }[] = [];
  const dispatcher = inner.compose((dispatch) => (options, handler) => {
    if (!matches(options)) return dispatch(options, handler);
    queue.push({
      path: options.path,
      headers: options.headers,
      go: () => {
        dispatch(options, handler);
      },
    });
    return true;
  });
  return {
    dispatcher,
    get held() {
      return queue.map(({ path, headers }) => ({ path, headers }));
    },
    release(count = queue.length) {
      for (const entry of queue.splice(0, count)) entry.go();
    },
  };
}

/** Lets pending I/O callbacks and promise chains run (a few macrotask turns). */
export async function settle(turns = 10): Promise<void> {
  for (let i = 0; i < turns; i += 1) {
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

/** Everything a client test needs, with defaults: one Basic credential `login`, one `cert`. */
export function createTestClient(
  overrides: Partial<MosapiClientOptions> & { dispatcher: Dispatcher },
): {
  client: MosapiClient;
  clock: FakeClock;
  observer: RecordingObserver;
  logs: ReturnType<typeof captureLogs>;
} {
  const clock = overrides.clock instanceof FakeClock ? overrides.clock : new FakeClock();
  const observer = new RecordingObserver();
  const logs = captureLogs();
  const client = new MosapiClient({
    url: ORIGIN,
    version: 2,
    timeoutMs: 10_000,
    maxConcurrency: 4,
    credentials: new Map<string, Credential>([
      ["login", basicCredential],
      ["cert", certCredential],
    ]),
    logger: logs.logger,
    observer,
    random: () => 0.5,
    ...overrides,
    clock,
  });
  return { client, clock, observer, logs };
}
