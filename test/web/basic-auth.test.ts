import bcrypt from "bcryptjs";
import { describe, expect, it } from "vitest";
import { BasicAuthVerifier, parseBasicAuthorization } from "../../src/web/basic-auth.js";

// Cost 4 keeps the real bcrypt fast in tests; production hashes use 10 or more.
const ALICE = bcrypt.hashSync("alice-password", 4);
const BOB = bcrypt.hashSync("bob-password", 5);

/** A verifier whose bcrypt calls are recorded (the hash each one used). */
function counted() {
  const hashes: string[] = [];
  const verifier = new BasicAuthVerifier(
    new Map([
      ["alice", ALICE],
      ["bob", BOB],
    ]),
    (password, hash) => {
      hashes.push(hash);
      return bcrypt.compare(password, hash);
    },
  );
  return { verifier, hashes };
}

describe("BasicAuthVerifier", () => {
  it("accepts the right password and caches the success", async () => {
    const { verifier, hashes } = counted();
    expect(await verifier.verify("alice", "alice-password")).toBe("accepted");
    expect(await verifier.verify("alice", "alice-password")).toBe("accepted");
    expect(hashes).toEqual([ALICE]);
  });

  it("rejects a wrong password, running bcrypt every time (failures are not cached)", async () => {
    const { verifier, hashes } = counted();
    expect(await verifier.verify("alice", "wrong")).toBe("rejected");
    expect(await verifier.verify("alice", "wrong")).toBe("rejected");
    expect(hashes).toEqual([ALICE, ALICE]);
  });

  it("runs one bcrypt comparison for an unknown user too, against the costliest real hash", async () => {
    const { verifier, hashes } = counted();
    // Even bob's own password must not open the door under a user name that does not exist.
    expect(await verifier.verify("mallory", "bob-password")).toBe("rejected");
    expect(hashes).toEqual([BOB]);
  });

  it("a cached success for one user does not let another user in with that password", async () => {
    const { verifier } = counted();
    expect(await verifier.verify("alice", "alice-password")).toBe("accepted");
    expect(await verifier.verify("bob", "alice-password")).toBe("rejected");
  });

  it("accepts htpasswd's $2y$ hashes", async () => {
    const verifier = new BasicAuthVerifier(new Map([["u", ALICE.replace(/^\$2b\$/, "$2y$")]]));
    expect(await verifier.verify("u", "alice-password")).toBe("accepted");
  });

  it("refuses at once past the bound of comparisons in flight; a cached login still passes", async () => {
    const waiting: ((matches: boolean) => void)[] = [];
    const verifier = new BasicAuthVerifier(
      new Map([["alice", ALICE]]),
      (password, hash) =>
        password === "alice-password"
          ? bcrypt.compare(password, hash)
          : new Promise((resolve) => waiting.push(resolve)),
      2,
    );
    expect(await verifier.verify("alice", "alice-password")).toBe("accepted");
    const wrong = [verifier.verify("alice", "w1"), verifier.verify("mallory", "w2")];
    expect(verifier.inFlight).toBe(2);
    // Unknown users take a slot too: the refusal does not tell them apart.
    expect(await verifier.verify("alice", "w3")).toBe("busy");
    expect(await verifier.verify("mallory", "w4")).toBe("busy");
    expect(await verifier.verify("alice", "alice-password")).toBe("accepted");
    expect(waiting).toHaveLength(2);
    for (const resolve of waiting) resolve(false);
    expect(await Promise.all(wrong)).toEqual(["rejected", "rejected"]);
    expect(verifier.inFlight).toBe(0);
    expect(await verifier.verify("alice", "alice-password")).toBe("accepted");
  });

  it("compares on worker threads with the real bcrypt", async () => {
    const verifier = new BasicAuthVerifier(new Map([["alice", ALICE]]));
    try {
      expect(await verifier.verify("alice", "wrong")).toBe("rejected");
      expect(await verifier.verify("mallory", "alice-password")).toBe("rejected");
      expect(await verifier.verify("alice", "alice-password")).toBe("accepted");
    } finally {
      await verifier.close();
    }
  });

  it("needs at least one user", () => {
    expect(() => new BasicAuthVerifier(new Map())).toThrow(RangeError);
  });
});

describe("parseBasicAuthorization", () => {
  const header = (text: string) => `Basic ${Buffer.from(text).toString("base64")}`;

  it("splits at the first colon, so passwords may contain colons", () => {
    expect(parseBasicAuthorization(header("alice:pa:ss"))).toEqual({
      user: "alice",
      password: "pa:ss",
    });
  });

  it("reads UTF-8 and a case-insensitive scheme", () => {
    expect(parseBasicAuthorization(header("jürgen:pässword").replace("Basic", "basic"))).toEqual({
      user: "jürgen",
      password: "pässword",
    });
  });

  it.each([
    ["absent", undefined],
    ["another scheme", "Bearer abc"],
    ["no colon", header("alice")],
    ["not base64", "Basic !!!"],
    ["empty", "Basic "],
  ])("rejects %s", (_name, value) => {
    expect(parseBasicAuthorization(value)).toBeUndefined();
  });
});
