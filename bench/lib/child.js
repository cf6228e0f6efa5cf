/** Starting and talking to benchmark child processes. */
import { fork } from "node:child_process";
import { once } from "node:events";

/**
 * Forks `script` with `args` (and --expose-gc) and resolves with its first message; `env`, when
 * given, is the child's whole environment.
 */
export async function forkChild(script, args, { env } = {}) {
  const child = fork(script, args, {
    execArgv: ["--expose-gc"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
    ...(env === undefined ? {} : { env }),
  });
  const exited = once(child, "exit").then(([code]) => {
    throw new Error(`${script} exited with ${code} before it was ready`);
  });
  const [first] = await Promise.race([once(child, "message"), exited]);
  exited.catch(() => {});
  return { child, first };
}

/** Asks a child for its process.cpuUsage() and memoryUsage(). */
export async function usage(child) {
  child.send("usage");
  const [message] = await once(child, "message");
  return message;
}

/** Stops a child and waits for it to exit. */
export async function stopChild(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, "exit");
  child.kill("SIGTERM");
  await exited;
}

/** Sends `message` to a child and resolves with its answer. */
export async function ask(child, message) {
  child.send(message);
  const [answer] = await once(child, "message");
  return answer;
}
