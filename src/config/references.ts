/**
 * Rules that span keys: every target names defined credentials, and no target is listed twice.
 * They read the raw file data rather than zod's output so that they still report when other
 * keys are invalid: a person fixing the file should see every problem at once.
 */
import { describeTarget, targetKey } from "../mosapi/target.js";
import type { Entity } from "../mosapi/target.js";
import { parseRegistrarId, parseTld } from "./fields.js";
import type { LocatedProblem } from "./issues.js";
import { quote } from "./quote.js";

function isRecord(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The identity of a target whose tld or registrar_id is valid, else undefined. */
function identify(
  target: Readonly<Record<string, unknown>>,
): { entity: Entity; id: string } | undefined {
  const { tld, registrar_id: registrarId } = target;
  try {
    if (typeof tld === "string" && registrarId === undefined) {
      return { entity: "ry", id: parseTld(tld) };
    }
    if ((typeof registrarId === "string" || typeof registrarId === "number") && tld === undefined) {
      return { entity: "rr", id: parseRegistrarId(registrarId) };
    }
  } catch {
    // An invalid identifier is reported by the schema; it cannot be a duplicate of anything.
  }
  return undefined;
}

/**
 * Checks the cross-key rules on the data of a config file.
 *
 * @returns one problem per target naming undefined credentials and per repeated target; none
 *   when `credentials` or `targets` is itself malformed (the schema reports that).
 */
export function checkReferences(data: unknown): LocatedProblem[] {
  if (!isRecord(data)) return [];
  const { credentials, targets } = data;
  if (!isRecord(credentials) || !Array.isArray(targets)) return [];
  const defined = Object.keys(credentials).sort();
  const problems: LocatedProblem[] = [];
  const seen = new Map<string, number>();
  targets.forEach((target: unknown, index) => {
    if (!isRecord(target)) return;
    const name = target["credentials"];
    if (typeof name === "string" && !Object.hasOwn(credentials, name)) {
      problems.push({
        segments: ["targets", index, "credentials"],
        message: `unknown credentials ${quote(name)}; defined: ${defined.length === 0 ? "none" : defined.join(", ")}`,
      });
    }
    const identity = identify(target);
    if (identity === undefined) return;
    const key = targetKey(identity);
    const first = seen.get(key);
    if (first === undefined) {
      seen.set(key, index);
    } else {
      problems.push({
        segments: ["targets", index],
        message: `duplicate target: ${describeTarget(identity)} is already listed as targets[${first}]`,
      });
    }
  });
  return problems;
}
