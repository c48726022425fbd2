import { hostname, userInfo } from "node:os";
import { parseArgs } from "node:util";
import { ACCOUNT_LOCK, unlockSignIn } from "../lib/accounts/sign-in-lockout";
import type { Actor } from "../lib/audit";
import { PASSWORD_FAILURES } from "../lib/auth/failure-throttle";
import { closeDatabase } from "../lib/db";
import { dataDirectoryFromEnvironment } from "./lib/local-settings";
import { attachToEmbeddedDatabase } from "./lib/worker-settings";

/**
 * `npm run account:unlock -- EMAIL`: clears the sign-in locks of one portal
 * account (lib/accounts/sign-in-lockout.ts), so that only wrong passwords from
 * now on count, and records `user.sign_in_unlocked` in the audit trail. It
 * needs access to the database, not a portal session, so it works while every
 * admin is locked out. Without DATABASE_URL it uses the embedded database of a
 * running `npm start`, as `npm run worker` does. Exits with 1 when no user has
 * the email, and with 2 on a usage error.
 */
const USAGE = `Usage: npm run account:unlock -- EMAIL

Clears the sign-in locks of the portal user with this email, after too many
wrong passwords, and records the unlock in the audit log. Uses DATABASE_URL,
or the embedded database of a running npm start when it is unset.
`;

function exitWithError(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

function exitWithUsage(message: string): never {
  exitWithError(`${message}\n\n${USAGE}`);
}

// The audit entry names who ran the command, as the operating system reports the user and host.
function operatorLabel(): string {
  let user: string;
  try {
    user = userInfo().username;
  } catch {
    user = process.env.USER ?? `uid ${process.getuid?.() ?? "unknown"}`;
  }
  return `npm run account:unlock (${user}@${hostname()})`;
}

function parseCommandLine(): { help: boolean; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({ options: { help: { type: "boolean", short: "h" } }, allowPositionals: true });
    return { help: values.help === true, positionals };
  } catch (error) {
    exitWithUsage((error as Error).message);
  }
}

const commandLine = parseCommandLine();
if (commandLine.help) {
  process.stdout.write(USAGE);
  process.exit(0);
}
if (commandLine.positionals.length !== 1 || !commandLine.positionals[0]!.trim()) {
  exitWithUsage(`Expected one email address, got ${commandLine.positionals.length} argument(s)`);
}
const email = commandLine.positionals[0]!;

try {
  attachToEmbeddedDatabase(process.env, dataDirectoryFromEnvironment(process.env));
} catch (error) {
  exitWithError((error as Error).message);
}
if (!process.env.DATABASE_URL?.trim()) {
  exitWithError("DATABASE_URL is missing and no npm start is running here: set DATABASE_URL to the product's database");
}

const actor: Actor = { type: "system", id: null, label: operatorLabel() };
const report = await unlockSignIn(email, actor, new Date());
await closeDatabase();
if (!report) {
  process.stderr.write(`No portal user has the email "${email.trim().toLowerCase()}"; nothing was changed\n`);
  process.exit(1);
}
const windowMinutes = ACCOUNT_LOCK.windowMs / 60_000;
const locks = [
  ...(report.accountLocked ? ["locked for every address it had not signed in from"] : []),
  ...(report.lockedAddresses.length > 0 ? [`locked for ${report.lockedAddresses.join(", ")}`] : []),
];
process.stdout.write(
  [
    `Cleared the sign-in locks of ${report.email} (${report.userId}); the unlock is in the audit log.`,
    `Before: ${report.failedSignInsCleared} wrong password(s) in the last ${windowMinutes} minutes; ${locks.length > 0 ? locks.join("; ") : "not locked"}.`,
    "An address that sent too many wrong passwords for any accounts stays refused by the portal process that counted them,",
    `for up to ${PASSWORD_FAILURES.windowMs / 60_000} minutes or until the portal restarts.`,
    "",
  ].join("\n"),
);
