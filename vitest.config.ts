import path from "node:path";
import { defineConfig } from "vitest/config";

const root = import.meta.dirname;

// Unit tests are pure and fast; integration tests run on a real PostgreSQL (one fresh database per file)
// with real HTTP receivers on loopback. Browser tests live in e2e/ and run with Playwright.
export default defineConfig({
  resolve: { alias: { "@": root } },
  test: {
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["lib/**/*.test.ts", "scripts/**/*.test.ts", "bench/**/*.test.ts"],
          environment: "node",
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: [path.join(root, "tests/support/global-setup.ts")],
          setupFiles: [path.join(root, "tests/support/setup-file.ts")],
          testTimeout: 60_000,
          hookTimeout: 120_000,
          // Two cores: a few files at a time, each on its own database.
          maxWorkers: 2,
        },
      },
    ],
  },
});
