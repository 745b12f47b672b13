import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // A private TMPDIR per run; the run fails if anything is left in it or in the checkout.
    globalSetup: ["test/leak-guard.global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Real programs under real allocators: two workers keep a 2-core machine responsive.
    maxWorkers: 2,
  },
});
