import { describe, expect, it } from "vitest";
import { parseTld } from "../../src/config/fields.js";
import { MAX_QUOTED_CHARS, quote } from "../../src/config/quote.js";

describe("quote", () => {
  it("quotes short values whole, as JSON literals", () => {
    expect(quote('a "b"')).toBe('"a \\"b\\""');
    expect(quote(3)).toBe("3");
    expect(quote("x".repeat(MAX_QUOTED_CHARS))).toBe(JSON.stringify("x".repeat(MAX_QUOTED_CHARS)));
  });

  it("cuts a long value and says how long it was", () => {
    expect(quote("y".repeat(1_000_000))).toBe(
      `${JSON.stringify("y".repeat(MAX_QUOTED_CHARS))}… (1000000 characters)`,
    );
  });

  it("keeps a message about a 1 MB TLD short", () => {
    expect(() => parseTld("x".repeat(1_000_000))).toThrow(
      /^invalid TLD "x{80}"… \(1000000 characters\): expected a lower-case A-label/,
    );
  });
});
