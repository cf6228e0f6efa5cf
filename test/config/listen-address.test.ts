import { describe, expect, it } from "vitest";
import { FlagError } from "../../src/config/errors.js";
import { parseListenAddress } from "../../src/config/listen-address.js";

describe("parseListenAddress", () => {
  it.each([
    [":9745", { host: undefined, port: 9745 }],
    ["127.0.0.1:9745", { host: "127.0.0.1", port: 9745 }],
    ["[::1]:9745", { host: "::1", port: 9745 }],
    ["[::]:0", { host: "::", port: 0 }],
    ["localhost:65535", { host: "localhost", port: 65535 }],
    ["exporter.example.net:9745", { host: "exporter.example.net", port: 9745 }],
  ])("parses %s", (addr, expected) => {
    expect(parseListenAddress(addr)).toEqual(expected);
  });

  it.each([
    ["9745", "no port"],
    ["127.0.0.1", "no port"],
    [":", "the port must be a number from 0 to 65535"],
    [":65536", "the port must be a number from 0 to 65535"],
    [":http", "the port must be a number from 0 to 65535"],
    ["::1:9745", "an IPv6 address needs brackets"],
    ["[127.0.0.1]:9745", "brackets must hold an IPv6 address"],
    ["bad_host:9745", "the host is not valid"],
  ])("rejects %s (%s)", (addr, why) => {
    expect(() => parseListenAddress(addr)).toThrow(
      new FlagError(
        `invalid listen address ${JSON.stringify(addr)}: ${why}; expected [host]:port, e.g. :9745, 127.0.0.1:9745 or [::1]:9745`,
      ),
    );
  });
});
