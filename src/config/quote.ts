/**
 * Quoting config values in messages. A message quotes what it refuses so the user can find it,
 * but a stray megabyte (a pasted file, a runaway template) must not become the message.
 */

/** Longest value quoted whole; longer ones are cut and their length given. */
export const MAX_QUOTED_CHARS = 80;

/** `value` as a JSON literal: whole up to {@link MAX_QUOTED_CHARS} characters, else cut. */
export function quote(value: string | number | boolean): string {
  const text = String(value);
  if (text.length <= MAX_QUOTED_CHARS) return JSON.stringify(value);
  return `${JSON.stringify(text.slice(0, MAX_QUOTED_CHARS))}… (${text.length} characters)`;
}
