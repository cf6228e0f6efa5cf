/** The container image's environment, as the Dockerfile sets it, for the deploy files to follow. */
import { readFileSync } from "node:fs";

const DOCKERFILE = new URL("../../Dockerfile", import.meta.url);

/**
 * The quoted value the Dockerfile gives `name` (`NAME="…"`, as its runtime stage's `ENV`
 * writes them), or undefined if it sets none. The chart and the systemd unit must set the
 * same, so that they run what BENCHMARKS.md measured.
 */
export function imageEnv(name: string): string | undefined {
  return new RegExp(`${name}="([^"]*)"`).exec(readFileSync(DOCKERFILE, "utf8"))?.[1];
}
