/**
 * Safe HTML building for the landing page. Everything interpolated into {@link html} is escaped
 * unless it is already {@link SafeHtml}, so upstream and config strings (TLD names, statuses,
 * error messages) can never inject markup.
 */

const ESCAPES: Readonly<Record<string, string>> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

/** Escapes `& < > " '`, which makes `text` safe in element content and quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => ESCAPES[char] ?? char);
}

/** A string known to be HTML; produced only by {@link html} and {@link raw}. */
export class SafeHtml {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  toString(): string {
    return this.#value;
  }
}

/** What may be interpolated: text (escaped), numbers, markup, or lists of those (joined). */
export type HtmlValue = string | number | SafeHtml | readonly HtmlValue[];

/**
 * Marks `markup` as trusted HTML that {@link html} inserts verbatim. Only for literals written
 * in this code base, never for data.
 */
export function raw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}

/**
 * Tagged template: `` html`<td>${tld}</td>` `` escapes `tld`. Nested `html` results and
 * {@link raw} values are inserted as they are; arrays are joined without separators.
 */
export function html(strings: TemplateStringsArray, ...values: readonly HtmlValue[]): SafeHtml {
  let out = strings[0] ?? "";
  values.forEach((value, i) => {
    out += render(value) + (strings[i + 1] ?? "");
  });
  return new SafeHtml(out);
}

function render(value: HtmlValue): string {
  if (value instanceof SafeHtml) return value.toString();
  if (typeof value === "number") return String(value);
  if (typeof value === "string") return escapeHtml(value);
  return value.map(render).join("");
}
