import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

const projectDirectory = path.resolve(import.meta.dirname, "..", "..");

/**
 * Starts a long-running part of the product (the portal, a worker) in its own
 * process group, so stopping it also stops whatever it spawned (npx, tsx and
 * next each start a child of their own), and so a terminal's Ctrl-C reaches it
 * only through the parent, which stops the parts in order.
 */
export function startService(command: string, args: string[], env: NodeJS.ProcessEnv): ChildProcess {
  const binary = path.join(projectDirectory, "node_modules", ".bin", command);
  return spawn(binary, args, { cwd: projectDirectory, env, stdio: "inherit", detached: true });
}

/** Sends SIGTERM to a service's process group and waits for it to exit, with SIGKILL after `graceMs`. */
export function stopService(child: ChildProcess, graceMs = 20_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return resolve();
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // The group is already gone.
      }
    };
    const timer = setTimeout(() => kill("SIGKILL"), graceMs);
    child.once("exit", () => {
      clearTimeout(timer);
      // Anything the service left behind in its group goes too.
      kill("SIGKILL");
      resolve();
    });
    kill("SIGTERM");
  });
}
