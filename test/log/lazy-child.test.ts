import { describe, expect, it, vi } from "vitest";
import { lazyChild } from "../../src/log/lazy-child.js";
import { createLogger } from "../../src/log/logger.js";
import { createLogSink } from "../helpers/log-sink.js";

describe("lazyChild", () => {
  it("makes the child on first use only, once, with the bindings computed then", () => {
    const sink = createLogSink();
    const parent = createLogger({ level: "info", format: "json", destination: sink.destination });
    const child = vi.spyOn(parent, "child");
    const bindings = vi.fn(() => ({ collector: "state", target: "TLD example" }));
    const log = lazyChild(parent, bindings);
    expect(child).not.toHaveBeenCalled();
    expect(bindings).not.toHaveBeenCalled();
    log().info("one");
    log().warn("two");
    expect(child).toHaveBeenCalledTimes(1);
    expect(bindings).toHaveBeenCalledTimes(1);
    expect(sink.records()).toMatchObject([
      { msg: "one", collector: "state", target: "TLD example" },
      { msg: "two", collector: "state", target: "TLD example" },
    ]);
  });
});
