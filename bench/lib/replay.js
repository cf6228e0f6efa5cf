/**
 * The floor of a start, measured in the same run: a bare client replays the requests the
 * exporter made until full data against the same simulator, with the same cap, and does
 * nothing with the answers. Its time is requests ÷ cap × the per-request time this simulator,
 * this machine and loopback allow, which a nominal "latency × requests ÷ cap" leaves out: the
 * simulator's own work per request (Express, answers generated per request) and the
 * scheduling of two busy processes on shared cores.
 */
import { Agent, request } from "undici";

/**
 * Parses the simulator's request log lines (`GET /ry/x/v2/... 200 12ms user`, see
 * `StartSimulatorOptions.logger`) into `{path, status, ms}`.
 */
export function parseLogLine(line) {
  const match = /^GET (\S+) (\d{3}) (\d+)ms /.exec(line);
  return match === null
    ? undefined
    : { path: match[1], status: Number(match[2]), ms: Number(match[3]) };
}

/** The target part of a MoSAPI path: `/ry/bench-00001/v2/…` → `/ry/bench-00001`. */
function targetBase(path) {
  return /^\/[^/]+\/[^/]+/.exec(path)?.[0] ?? path;
}

/**
 * Replays `entries` (from {@link parseLogLine}) against `url` with `cap` requests in flight:
 * first every login (Basic `account`, keeping each target's session cookie), then the other
 * requests in the order the simulator answered them, each with its target's cookie. Bodies are
 * read and dropped. Resolves with the wall time in ms, the requests sent and the answers that
 * were not 2xx.
 */
export async function replay(url, entries, account, cap = 4) {
  const agent = new Agent({ connections: cap, pipelining: 1 });
  const authorization = `Basic ${Buffer.from(`${account.username}:${account.password}`).toString("base64")}`;
  const cookies = new Map();
  let failed = 0;
  const send = async (path, headers) => {
    const response = await request(url + path, { dispatcher: agent, headers });
    await response.body.dump({ limit: Infinity });
    if (response.statusCode >= 300) failed += 1;
    return response;
  };
  const inParallel = async (items, one) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: cap }, async () => {
        while (next < items.length) await one(items[next++]);
      }),
    );
  };
  const logins = entries.filter((e) => e.path.endsWith("/login"));
  const others = entries.filter((e) => !e.path.endsWith("/login") && !e.path.endsWith("/logout"));
  const started = performance.now();
  try {
    await inParallel(logins, async ({ path }) => {
      const response = await send(path, { authorization });
      const cookie = [response.headers["set-cookie"]].flat()[0]?.split(";")[0];
      if (cookie !== undefined) cookies.set(targetBase(path), cookie);
    });
    await inParallel(others, async ({ path }) => {
      const cookie = cookies.get(targetBase(path));
      await send(path, cookie === undefined ? {} : { cookie });
    });
    return { ms: performance.now() - started, requests: logins.length + others.length, failed };
  } finally {
    await agent.close();
  }
}
