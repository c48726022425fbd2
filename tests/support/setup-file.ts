import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, inject } from "vitest";
import { TEST_ENVIRONMENT } from "./environment";
import "./loopback-dns.mjs";

// Set before any module of the product is loaded, since the logger reads LOG_LEVEL when it is created.
Object.assign(process.env, TEST_ENVIRONMENT);

/** Gives each integration test file its own database, copied from the migrated template. */
const name = `wvk_test_${process.pid}_${randomBytes(4).toString("hex")}`;
const serverUrl = inject("serverUrl");

beforeAll(async () => {
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE ${inject("templateDatabase")}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  process.env.DATABASE_URL = url.toString();
  const { resetConfigForTests } = await import("../../lib/config");
  resetConfigForTests();
});

afterAll(async () => {
  const { stopProducer } = await import("../../lib/dispatch/producer");
  const { closeDatabase } = await import("../../lib/db");
  await stopProducer();
  await closeDatabase();
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  await admin.end();
});
