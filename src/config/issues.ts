/**
 * Turns zod issues into the wording of ConfigError lines. Every message says what is wrong and
 * what is expected. Values are quoted only by the field validators that know a value is not a
 * secret; the generic wording here names a value's kind ("a number"), never the value itself,
 * so an inline password of the wrong type cannot leak.
 */
import type * as z from "zod";
import { quote } from "./quote.js";

/** A problem before its path is formatted: segments as zod reports them. */
export interface LocatedProblem {
  readonly segments: readonly PropertyKey[];
  readonly message: string;
}

/** The kind of a YAML value, for messages: `a string`, `a list`, `no value`. */
export function describeKind(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "no value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "boolean") return "a boolean";
  return `a ${typeof value}`;
}

/** A value for a message: scalars as YAML-ish literals (`"TLSv1.1"`, `3`), others by kind. */
export function describeValue(value: unknown): string {
  return typeof value === "string" || typeof value === "number" || typeof value === "boolean"
    ? quote(value)
    : describeKind(value);
}

/** `missing required key; expected X` when absent, otherwise `expected X; got <kind>`. */
export function mismatch(expected: string, input: unknown): string {
  return input === undefined
    ? `missing required key; expected ${expected}`
    : `expected ${expected}; got ${describeKind(input)}`;
}

/** Error map for a schema whose only failure of interest is a wrong type or shape. */
export function typed(expected: string): z.core.$ZodErrorMap {
  return (issue) =>
    issue.code === "invalid_type" || issue.code === "invalid_union"
      ? mismatch(expected, issue.input)
      : undefined;
}

const EXPECTED: Readonly<Record<string, string>> = {
  string: "a string",
  number: "a number",
  int: "an integer",
  boolean: "a boolean",
  object: "a mapping",
  record: "a mapping",
  array: "a list",
};

/**
 * The fallback error map for a whole parse: wording for issues no schema worded itself.
 * Structural issues only; zod's own English text is the last resort.
 */
export const configErrorMap: z.core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case "invalid_type":
      return mismatch(EXPECTED[issue.expected] ?? "a value", issue.input);
    case "invalid_key":
      return issue.issues[0]?.message;
    default:
      return undefined;
  }
};

/** Splits zod issues into one problem per unknown key and keeps the rest as they are. */
export function toProblems(issues: readonly z.core.$ZodIssue[]): LocatedProblem[] {
  return issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({
          segments: [...issue.path, key],
          // A colon without a following space makes `key:value` one plain scalar in YAML.
          message: key.includes(":")
            ? `unknown key; put a space between ":" and the value`
            : issue.message,
        }))
      : [{ segments: issue.path, message: issue.message }],
  );
}

const PLAIN_KEY = /^[A-Za-z0-9_-]+$/;

/**
 * A key as it may be shown: cut after its first colon. In YAML flow style `{password:hunter2}`
 * is one key, and its tail would be the password.
 */
export function safeKey(key: string): string {
  const colon = key.indexOf(":");
  return colon < 0 ? key : `${key.slice(0, colon + 1)}…`;
}

/** Issues with every key cut by `safeKey`, safe to keep as a ConfigError's `cause`. */
export function redactIssues(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  return issues.map((issue) => {
    const path = issue.path.map((segment) =>
      typeof segment === "string" ? safeKey(segment) : segment,
    );
    return issue.code === "unrecognized_keys"
      ? { ...issue, path, keys: issue.keys.map(safeKey) }
      : { ...issue, path };
  });
}

/**
 * Formats a key path as people write it: `targets[1].credentials`, `credentials.rsp-cert.basic`.
 * Unusual keys are quoted (`credentials["a b"]`); a key with a colon is cut by `safeKey`.
 */
export function formatPath(segments: readonly PropertyKey[]): string {
  let path = "";
  for (const segment of segments) {
    if (typeof segment === "number") {
      path += `[${segment}]`;
    } else {
      const key = safeKey(String(segment));
      if (PLAIN_KEY.test(key)) {
        path += path === "" ? key : `.${key}`;
      } else {
        path += `[${JSON.stringify(key)}]`;
      }
    }
  }
  return path;
}
