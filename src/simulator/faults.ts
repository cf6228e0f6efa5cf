/**
 * Faults on demand: the ways MoSAPI (or whatever sits in front of it) misbehaves, injected
 * in-process or through `POST /_sim/faults`. Each fault applies to the requests it matches,
 * `times` times (default: until cleared). Latency, eviction and truncation combine with the
 * normal answer; `status`, `malformed` and `html` replace it.
 */
import type { RequestHandler, Response } from "express";
import { z } from "zod";
import { parseMosapiPath } from "./endpoints.js";
import { http } from "../util/builtins.js";

const common = {
  /** Which requests: path substring and/or target key (`ry/example`). Absent = every request. */
  match: z
    .strictObject({ path: z.string().min(1).optional(), target: z.string().min(1).optional() })
    .optional(),
  /** How many matching requests it applies to; absent = until cleared. */
  times: z.number().int().positive().optional(),
};

/** A fault as JSON (`POST /_sim/faults` body); also validates in-process faults. */
export const faultSchema = z.discriminatedUnion("kind", [
  z.strictObject({
    ...common,
    kind: z.literal("latency"),
    ms: z.number().int().min(0).max(600_000),
  }),
  z.strictObject({
    ...common,
    kind: z.literal("status"),
    status: z.number().int().min(100).max(599),
    retryAfter: z.string().min(1).optional(),
    body: z.string().optional(),
  }),
  z.strictObject({ ...common, kind: z.literal("malformed") }),
  z.strictObject({ ...common, kind: z.literal("truncated") }),
  z.strictObject({ ...common, kind: z.literal("html") }),
  z.strictObject({ ...common, kind: z.literal("evict") }),
  // Odd shapes other clients accept (METRICS.md#odd-parts-of-answers): the normal JSON answer with values
  // replaced or removed at JSON paths (keys and array indexes; `*` for every key or item).
  z.strictObject({
    ...common,
    kind: z.literal("patch"),
    edits: z
      .array(
        z.strictObject({
          path: z.array(z.union([z.string(), z.number().int().nonnegative()])).min(1),
          value: z.unknown().optional(),
          remove: z.literal(true).optional(),
        }),
      )
      .min(1),
  }),
]);

/** One injectable fault. */
export type Fault = z.output<typeof faultSchema>;

/** Kinds that answer instead of the simulator; the first matching one wins. */
const TERMINAL: ReadonlySet<Fault["kind"]> = new Set(["status", "malformed", "html"]);

interface Entry {
  readonly id: string;
  readonly fault: Fault;
  remaining: number;
}

/** The active faults, in the order they were added. */
export class FaultStore {
  #entries: Entry[] = [];
  #nextId = 1;

  /**
   * Adds a fault; returns its id.
   * @throws ZodError when the fault is not valid (unknown kind, bad status, …)
   */
  add(fault: Fault): string {
    const parsed = faultSchema.parse(fault);
    const id = `fault-${this.#nextId++}`;
    this.#entries.push({ id, fault: parsed, remaining: parsed.times ?? Infinity });
    return id;
  }

  /** Removes every fault. */
  clear(): void {
    this.#entries = [];
  }

  /**
   * The faults to apply to a request, consuming one of each one's `times`: every matching
   * non-terminal fault and the first matching terminal one.
   */
  take(path: string, targetKey: string | undefined): Fault[] {
    const chosen: Entry[] = [];
    for (const entry of this.#entries) {
      const { match } = entry.fault;
      if (match?.path !== undefined && !path.includes(match.path)) continue;
      if (match?.target !== undefined && match.target !== targetKey) continue;
      chosen.push(entry);
      if (TERMINAL.has(entry.fault.kind)) break;
    }
    for (const entry of chosen) entry.remaining -= 1;
    this.#entries = this.#entries.filter((e) => e.remaining > 0);
    return chosen.map((e) => e.fault);
  }
}

/** An nginx-style gateway error page, as seen in front of MoSAPI. */
const BAD_GATEWAY_HTML =
  "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n" +
  "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/** Looks like a state document but is not JSON (unquoted value, trailing comma). */
const MALFORMED_JSON = '{"version": 2, "lastUpdateApiDatabase": 1611253980, "status": Up,}';

/** Makes the response body end halfway; Express then sends the Content-Length of the cut body. */
function truncateBody(res: Response): void {
  const send = res.send.bind(res);
  res.send = (body?: unknown) => {
    const text =
      typeof body === "string"
        ? body
        : Buffer.isBuffer(body)
          ? body.toString("utf8")
          : JSON.stringify(body);
    return send(text.slice(0, Math.floor(text.length / 2)));
  };
}

type Edit = Extract<Fault, { kind: "patch" }>["edits"][number];

/** `value` with `edit` applied (in place where it can be). */
function applyEdit(value: unknown, path: readonly (string | number)[], edit: Edit): unknown {
  const [head, ...rest] = path;
  if (head === undefined) return edit.value;
  if (value === null || typeof value !== "object") return value;
  const container = value as Record<string | number, unknown>;
  const keys = head === "*" ? Object.keys(container) : [head];
  for (const key of keys) {
    if (rest.length === 0 && edit.remove === true) {
      if (Array.isArray(container)) container.splice(Number(key), 1);
      else Reflect.deleteProperty(container, key);
    } else {
      container[key] = applyEdit(container[key], rest, edit);
    }
  }
  return value;
}

/** Makes the JSON answer go out with `edits` applied; a body that is not JSON goes out as is. */
function patchBody(res: Response, edits: readonly Edit[]): void {
  const send = res.send.bind(res);
  res.send = (body?: unknown) => {
    const text = Buffer.isBuffer(body) ? body.toString("utf8") : body;
    if (typeof text !== "string") return send(body);
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return send(body);
    }
    for (const edit of edits) json = applyEdit(json, edit.path, edit);
    return send(JSON.stringify(json));
  };
}

/** What applying a fault needs from the simulator. */
export interface FaultDependencies {
  readonly faults: FaultStore;
  /** Resolves after `ms`; rejects when the simulator shuts down. */
  readonly sleep: (ms: number) => Promise<void>;
  /** Invalidates the sessions of one target (or all). */
  readonly evict: (targetKey?: string) => void;
  readonly counted: (kind: Fault["kind"]) => void;
}

/** Express middleware applying the matching faults before the MoSAPI routes. */
export function faultMiddleware(deps: FaultDependencies): RequestHandler {
  return async (req, res, next) => {
    for (const fault of deps.faults.take(req.path, parseMosapiPath(req.path)?.targetKey)) {
      deps.counted(fault.kind);
      switch (fault.kind) {
        case "latency":
          try {
            await deps.sleep(fault.ms);
          } catch {
            // The simulator is closing; its connections are being destroyed.
            return;
          }
          break;
        case "evict":
          deps.evict(fault.match?.target);
          break;
        case "truncated":
          truncateBody(res);
          break;
        case "patch":
          patchBody(res, fault.edits);
          break;
        case "status":
          if (fault.retryAfter !== undefined) res.set("Retry-After", fault.retryAfter);
          res
            .status(fault.status)
            .type("text/plain")
            .send(fault.body ?? http.STATUS_CODES[fault.status] ?? "");
          return;
        case "malformed":
          res.status(200).type("application/json").send(MALFORMED_JSON);
          return;
        case "html":
          res.status(502).type("text/html").send(BAD_GATEWAY_HTML);
          return;
      }
    }
    next();
  };
}
