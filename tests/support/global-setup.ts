import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { applyMigrations } from "../../scripts/lib/migrations";
import { TEST_ENVIRONMENT } from "./environment";
import { testServer } from "./test-server";

declare module "vitest" {
  export interface ProvidedContext {
    serverUrl: string;
    templateDatabase: string;
  }
}

/** Prepares a template database with every migration and the job queue, which each test file copies. */
export default async function setup(project: TestProject) {
  const server = await testServer();
  const template = `wvk_template_${process.pid}_${randomBytes(3).toString("hex")}`;
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${template}`);
  const templateUrl = new URL(server.url);
  templateUrl.pathname = `/${template}`;

  await applyMigrations(templateUrl.toString());
  Object.assign(process.env, TEST_ENVIRONMENT, { DATABASE_URL: templateUrl.toString() });
  const { resetConfigForTests } = await import("../../lib/config");
  resetConfigForTests();
  const { installQueue } = await import("../../lib/dispatch/queue");
  await installQueue();

  project.provide("serverUrl", server.url);
  project.provide("templateDatabase", template);
  return async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
    await admin.end();
    await server.stop();
  };
}
