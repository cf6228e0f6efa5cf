import bcrypt from "bcryptjs";
import { afterEach, describe, expect, it } from "vitest";
import { BcryptPool } from "../../src/web/bcrypt-pool.js";

const HASH = bcrypt.hashSync("right", 4);
const pools: BcryptPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((pool) => pool.close()));
});

function pool(size: number): BcryptPool {
  const created = new BcryptPool(size);
  pools.push(created);
  return created;
}

describe("BcryptPool", () => {
  it("answers many comparisons across its workers, each with its own result", async () => {
    const p = pool(2);
    const passwords = Array.from({ length: 10 }, (_, i) => (i % 3 === 0 ? "right" : `wrong${i}`));
    const results = await Promise.all(passwords.map((password) => p.compare(password, HASH)));
    expect(results).toEqual(passwords.map((password) => password === "right"));
  });

  it("answers false for a malformed hash instead of failing", async () => {
    expect(await pool(1).compare("x", "not a hash")).toBe(false);
  });

  it("fails closed once closed: pending and later comparisons are false", async () => {
    const p = pool(1);
    const pending = p.compare("right", HASH);
    await p.close();
    expect(await pending).toBe(false);
    expect(await p.compare("right", HASH)).toBe(false);
  });

  it("needs at least one worker", () => {
    expect(() => new BcryptPool(0)).toThrow(RangeError);
  });
});
