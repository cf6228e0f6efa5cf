/**
 * The two parts of undici the exporter uses, its Agent and its `request`, loaded on their own.
 *
 * Why: undici's index also loads fetch, WebSocket, EventSource, the cache and cookie APIs and
 * the mock agents, and its cookie module reads `globalThis.Headers`, which makes Node load its
 * own bundled copy of undici as well. On Node 26 the index costs a bare process 25 MB resident,
 * these two files 15 MB (see `src/util/builtins.ts` for the rest of that measurement).
 *
 * The paths are undici's own layout, not a public entry point: `test/mosapi/undici.test.ts`
 * checks that they are the very objects undici's index exports, so an upgrade that moves them
 * fails the tests, not the exporter. Types come from the index (type imports load nothing).
 */
import { createRequire } from "node:module";
import type { Agent, Dispatcher } from "undici";

const require = createRequire(import.meta.url);

/** undici's `Agent` class (`undici/lib/dispatcher/agent.js`). */
export const AgentClass = require("undici/lib/dispatcher/agent.js") as typeof Agent;

/** undici's `Dispatcher.prototype.request` (`undici/lib/api/api-request.js`). */
export const dispatcherRequest = require("undici/lib/api/api-request.js") as (
  this: Dispatcher,
  options: Dispatcher.RequestOptions,
) => Promise<Dispatcher.ResponseData>;

/** What {@link request} sends besides the URL: undici's request options and the dispatcher. */
export type RequestOptions = Omit<Dispatcher.RequestOptions, "origin" | "path"> & {
  readonly dispatcher: Dispatcher;
};

/**
 * Sends one request through `options.dispatcher`, as undici's top-level `request(url, options)`
 * does with an explicit dispatcher: the origin and path (with the query) come from `url`.
 */
export function request(url: string, options: RequestOptions): Promise<Dispatcher.ResponseData> {
  const { origin, pathname, search } = new URL(url);
  const { dispatcher, ...rest } = options;
  return dispatcherRequest.call(dispatcher, { ...rest, origin, path: `${pathname}${search}` });
}
