import { defineConfig, devices } from "@playwright/test";

// One port per run, chosen in the main process; the test workers inherit it through the environment.
process.env.E2E_PORT ??= String(20000 + Math.floor(Math.random() * 20000));

/**
 * Browser tests drive Debian's Chromium (apt-get install chromium): Playwright
 * cannot download its own browser on these machines. The launch flags keep
 * Chromium from calling home, which a closed network would refuse.
 */
export default defineConfig({
  testDir: "e2e",
  testMatch: "**/*.spec.ts",
  globalSetup: "./e2e/support/global-setup.ts",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 90_000,
  // Upper bounds, not targets: a loaded CI machine renders slower, and a passing check returns as soon as it holds.
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  outputDir: "test-results",
  use: {
    baseURL: `http://127.0.0.1:${process.env.E2E_PORT}`,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    viewport: { width: 1280, height: 800 },
  },
  projects: [
    {
      name: "chromium",
      use: {
        ...devices["Desktop Chrome"],
        viewport: { width: 1280, height: 800 },
        launchOptions: {
          executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
          args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic"],
        },
      },
    },
  ],
});
