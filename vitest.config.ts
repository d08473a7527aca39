// Test runner configuration. Unit tests of agent/ run in parallel; the end-to-end tests spawn
// real processes (the built server, headless Neovim), so they get longer timeouts.
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "server/src/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
    globalSetup: ["test/global-setup.ts"],
    setupFiles: ["test/helpers/no-global-fetch.ts"],
    reporters: ["default"],
  },
});
