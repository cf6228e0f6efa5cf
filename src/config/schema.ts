/**
 * The config file's schema (CONFIGURATION.md): snake_case YAML in, a validated and normalised
 * camelCase value out (durations in ms, URL normalised, each credential and target reduced to
 * its one chosen variant). Every mapping is strict: an unknown key is an error. Secrets are not
 * resolved here (that needs files and the environment; see load.ts).
 */
import * as z from "zod";
import type { CollectorName } from "../snapshot/names.js";
import type { Target } from "../mosapi/target.js";
import {
  parseInterval,
  parseMosapiUrl,
  parseRegistrarId,
  parseSourceAddress,
  parseTimeout,
  parseTld,
} from "./fields.js";
import type { LocatedProblem } from "./issues.js";
import {
  configErrorMap,
  describeValue,
  mismatch,
  redactIssues,
  toProblems,
  typed,
} from "./issues.js";
import { checkReferences } from "./references.js";
import { quote } from "./quote.js";

/** Runs a throwing validator after a type check and reports its message as the issue. */
function checked<T, U>(schema: z.ZodType<T>, validate: (value: T) => U) {
  return schema.transform((value, ctx) => {
    try {
      return validate(value);
    } catch (error) {
      ctx.addIssue({ code: "custom", message: (error as Error).message });
      return z.NEVER;
    }
  });
}

/** A strict mapping whose errors name the keys it accepts. */
function strict<Shape extends z.ZodRawShape>(shape: Shape) {
  const keys = Object.keys(shape).join(", ");
  return z.strictObject(shape, {
    error: (issue) =>
      issue.code === "unrecognized_keys"
        ? `unknown key; expected one of ${keys}`
        : mismatch(`a mapping with keys ${keys}`, issue.input),
  });
}

/**
 * An optional section: absent or empty (`collectors:` with every line commented out) means all
 * defaults.
 */
function section<T extends z.ZodType>(schema: T) {
  return z.preprocess((value) => (value === null ? {} : value), schema).prefault({});
}

/**
 * The one option that is set, or undefined after adding an issue that names what was given
 * instead (`expected exactly one of a, b; got a, b` or `…; got none`).
 */
function exactlyOne<const Options extends readonly (readonly [key: string, value: unknown])[]>(
  options: Options,
  ctx: z.RefinementCtx,
): NonNullable<Options[number][1]> | undefined {
  const given = options.filter(([, value]) => value !== undefined);
  const [only] = given;
  // filter() does not narrow the tuple type; the callback above removed every undefined value.
  if (only !== undefined && given.length === 1) return only[1] as NonNullable<Options[number][1]>;
  const keys = (list: readonly (readonly [string, unknown])[]) =>
    list.map(([key]) => key).join(", ");
  ctx.addIssue({
    code: "custom",
    message: `expected exactly one of ${keys(options)}; got ${given.length === 0 ? "none" : keys(given)}`,
  });
  return undefined;
}

/** `wrap(value)`, or undefined when the optional value is absent. */
function ifSet<T, U>(value: T | undefined, wrap: (value: T) => U): U | undefined {
  return value === undefined ? undefined : wrap(value);
}

const text = (expected: string) => z.string({ error: typed(expected) });
const nonEmpty = (expected: string) => text(expected).min(1, { error: "must not be empty" });
const filePath = () => nonEmpty("a file path");
const durationInput = (expected: string) =>
  z.union([z.string(), z.number()], { error: typed(expected) });

function noLineBreak(what: string) {
  return (value: string): string => {
    if (/[\r\n]/.test(value)) throw new Error(`${what} must not contain a line break`);
    return value;
  };
}

const tlsSchema = strict({
  ca_file: filePath().optional(),
  min_version: z
    .enum(["TLSv1.2", "TLSv1.3"], {
      error: (issue) => `invalid value ${describeValue(issue.input)}; expected TLSv1.2 or TLSv1.3`,
    })
    .default("TLSv1.2"),
  insecure_skip_verify: z.boolean({ error: typed("true or false") }).default(false),
});

const mosapiSchema = strict({
  url: checked(text("an http or https URL"), parseMosapiUrl).default("https://mosapi.icann.org"),
  version: checked(z.number({ error: typed("1 or 2") }), (version) => {
    if (version !== 1 && version !== 2) {
      throw new Error(`invalid version ${version}; expected 1 or 2`);
    }
    return version;
  }).default(2),
  timeout: checked(durationInput("a duration such as 15s"), parseTimeout).prefault("15s"),
  max_concurrency: checked(z.number({ error: typed("an integer of at least 1") }), (count) => {
    if (!Number.isInteger(count) || count < 1) {
      throw new Error(`invalid value ${count}; expected an integer of at least 1`);
    }
    return count;
  }).default(4),
  source_address: checked(text("an IP address"), parseSourceAddress).optional(),
  tls: section(tlsSchema),
}).transform((mosapi) => ({
  url: mosapi.url,
  version: mosapi.version,
  timeoutMs: mosapi.timeout,
  maxConcurrency: mosapi.max_concurrency,
  ...(mosapi.source_address === undefined ? {} : { sourceAddress: mosapi.source_address }),
  tls: {
    ...(mosapi.tls.ca_file === undefined ? {} : { caFile: mosapi.tls.ca_file }),
    minVersion: mosapi.tls.min_version,
    insecureSkipVerify: mosapi.tls.insecure_skip_verify,
  },
}));

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const basicSchema = strict({
  username: checked(nonEmpty("a user name"), (username) => {
    if (/[:\r\n]/.test(username)) {
      throw new Error('invalid user name: must not contain ":" or a line break');
    }
    return username;
  }),
  password: checked(nonEmpty("a string"), noLineBreak("the password")).optional(),
  password_file: filePath().optional(),
  password_env: checked(text("an environment variable name"), (name) => {
    if (!ENV_NAME.test(name)) {
      throw new Error(
        `invalid environment variable name ${quote(name)}: expected letters, digits and "_", not starting with a digit`,
      );
    }
    return name;
  }).optional(),
}).transform((basic, ctx) => {
  const source = exactlyOne(
    [
      ["password", ifSet(basic.password, (value) => ({ key: "password" as const, value }))],
      [
        "password_file",
        ifSet(basic.password_file, (file) => ({ key: "password_file" as const, file })),
      ],
      [
        "password_env",
        ifSet(basic.password_env, (variable) => ({ key: "password_env" as const, variable })),
      ],
    ],
    ctx,
  );
  return source === undefined
    ? z.NEVER
    : { kind: "basic" as const, username: basic.username, source };
});

const tlsClientSchema = strict({ cert_file: filePath(), key_file: filePath() }).transform(
  (files) => ({ kind: "tls_client" as const, certFile: files.cert_file, keyFile: files.key_file }),
);

const credentialSchema = strict({
  basic: basicSchema.optional(),
  tls_client: tlsClientSchema.optional(),
}).transform(
  (credential, ctx) =>
    exactlyOne(
      [
        ["basic", credential.basic],
        ["tls_client", credential.tls_client],
      ],
      ctx,
    ) ?? z.NEVER,
);

const CREDENTIALS_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

const credentialsSchema = z.record(
  z.string().regex(CREDENTIALS_NAME, {
    error:
      'invalid credentials name; expected up to 64 letters, digits, "_" and "-", starting with a letter or digit',
  }),
  credentialSchema,
  { error: typed("a mapping from credentials names to basic or tls_client") },
);

const targetSchema = strict({
  tld: checked(text("a TLD such as example"), parseTld).optional(),
  registrar_id: checked(
    z.union([z.string(), z.number()], { error: typed("a registrar ID such as 9999") }),
    parseRegistrarId,
  ).optional(),
  credentials: text("the name of an entry under credentials"),
  troubleshooting: z
    .enum(["always", "incidents"], {
      error: (issue) => `invalid value ${describeValue(issue.input)}; expected always or incidents`,
    })
    .optional(),
}).transform((target, ctx): Target => {
  const identity = exactlyOne(
    [
      ["tld", ifSet(target.tld, (id) => ({ entity: "ry" as const, id }))],
      ["registrar_id", ifSet(target.registrar_id, (id) => ({ entity: "rr" as const, id }))],
    ],
    ctx,
  );
  if (identity === undefined) return z.NEVER;
  return {
    ...identity,
    credentials: target.credentials,
    ...(target.troubleshooting === "always" ? { troubleshooting: "always" as const } : {}),
  };
});

const interval = (fallback: string) =>
  checked(
    durationInput("a duration such as 90s, 5m or 6h, or 0 to disable"),
    parseInterval,
  ).prefault(fallback);

const collectorsSchema = strict({
  state: interval("60s"),
  alarmed: interval("5m"),
  downtime: interval("5m"),
  incidents: interval("5m"),
  metrica: interval("6h"),
  measurements: interval("5m"),
  // Opt-in: traces are many small files, and most operators only need them in an incident.
  troubleshooting: interval("0"),
} satisfies Record<CollectorName, z.ZodType>);

/**
 * The whole config file, key by key. Cross-key rules (credentials references, duplicate
 * targets) live in references.ts; `validateConfig` applies both.
 */
export const configSchema = strict({
  mosapi: section(mosapiSchema),
  credentials: credentialsSchema,
  targets: z
    .array(targetSchema, { error: typed("a list of targets") })
    .min(1, { error: "expected at least one target" }),
  collectors: section(collectorsSchema),
});

/** The validated config file before secrets are resolved (load.ts turns it into a Config). */
export type ParsedConfig = z.output<typeof configSchema>;
/** One validated credentials entry, its secret not yet resolved. */
export type ParsedCredential = ParsedConfig["credentials"][string];
/** Where a Basic password comes from, as written in the file. */
export type PasswordSpec = Extract<ParsedCredential, { kind: "basic" }>["source"];

/** The outcome of `validateConfig`. */
export type Validation =
  | { readonly ok: true; readonly config: ParsedConfig }
  | { readonly ok: false; readonly problems: readonly LocatedProblem[]; readonly cause: unknown };

/**
 * Validates the data of a config file (YAML already parsed) against every rule, collecting all
 * problems rather than stopping at the first.
 *
 * @returns the parsed config, or every problem found with the ZodError (if any) as `cause`.
 */
export function validateConfig(data: unknown): Validation {
  const result = configSchema.safeParse(data, { error: configErrorMap });
  const problems = [
    ...(result.success ? [] : toProblems(result.error.issues)),
    ...checkReferences(data),
  ];
  if (result.success && problems.length === 0) return { ok: true, config: result.data };
  // The ZodError lists unknown keys verbatim; a key can hold a password (see safeKey).
  const cause = result.success ? undefined : new z.ZodError(redactIssues(result.error.issues));
  return { ok: false, problems, cause };
}
