/**
 * Node's built-in modules whose exports include lazy getters, loaded with `require` instead of
 * `import`.
 *
 * Why: importing a built-in from an ES module makes Node build its ES facade, which reads every
 * export once, lazy getters included. On Node 26 that loads, for nothing the exporter uses:
 * through `node:http`'s `WebSocket`, `CloseEvent` and `MessageEvent`, Node's bundled copy of
 * undici (an 800 kB script), web streams and worker messaging (+16 MB resident in a bare
 * process); through `node:fs`, readline, the REPL history and file watchers; through
 * `node:util`, the argument parser; through `node:crypto`, Web Crypto. Measured on the
 * exporter with 6 TLDs (Node 26): 100 → 95 MB resident, together with `src/mosapi/undici.ts`.
 * CommonJS `require` returns the exports object and reads nothing.
 *
 * ESLint forbids value imports of these four modules everywhere else in `src/`; type imports
 * are free (TypeScript erases them). `test/e2e/process.test.ts` ("what the process loads") runs
 * the exporter and checks that Node's bundled undici stays unloaded.
 */
import type * as Crypto from "node:crypto";
import type * as Fs from "node:fs";
import type * as Http from "node:http";
import { createRequire } from "node:module";
import type * as Util from "node:util";

const require = createRequire(import.meta.url);

/** `node:http`. */
export const http = require("node:http") as typeof Http;
/** `node:fs`. */
export const fs = require("node:fs") as typeof Fs;
/** `node:util`. */
export const util = require("node:util") as typeof Util;
/** `node:crypto`. */
export const crypto = require("node:crypto") as typeof Crypto;
