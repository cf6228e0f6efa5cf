import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // .ci/run asks for a JSON report to print its `N passed, N failed` line.
    reporters: process.env["MOSAPI_TEST_REPORT"] ? ["default", "json"] : ["default"],
    ...(process.env["MOSAPI_TEST_REPORT"]
      ? { outputFile: { json: process.env["MOSAPI_TEST_REPORT"] } }
      : {}),
    // Integration tests bind loopback ports and spawn processes; keep parallelism modest on 2 cores.
    maxWorkers: 2,
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Fail on unhandled rejections anywhere: the exporter must never leak one.
    dangerouslyIgnoreUnhandledErrors: false,
    // On demand (`npx vitest run --coverage`), never enforced: `npm test` does not measure it.
    coverage: {
      provider: "v8",
      include: ["src/**/*.ts"],
    },
  },
});
