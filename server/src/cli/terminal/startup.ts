/**
 * Waiting for a spawned server to finish `initialize`, for both terminal commands: it either
 * answers, or ends (it could not start, or crashed), or says nothing for too long. The last two
 * become one sentence for the user rather than a hang or a stack trace.
 */
import type { Outcome } from "../../agent/outcome.js";
import type { SpawnedServer } from "../spawn-server.js";
import { describeRequestError, describeServerEnd } from "./outcomes.js";

/** Long enough for a cold start on a slow laptop (the server loads grammars and reads settings). */
export const STARTUP_TIMEOUT_MS = 30_000;

export async function waitUntilReady(
  server: SpawnedServer,
  timeoutMs = STARTUP_TIMEOUT_MS,
): Promise<Outcome<object>> {
  let timer: NodeJS.Timeout | undefined;
  const silence = new Promise<"silent">((resolve) => {
    timer = setTimeout(() => resolve("silent"), timeoutMs);
    timer.unref();
  });
  try {
    const outcome = await Promise.race([
      server.ready.then(() => "ready" as const),
      server.exited.then((status) => ({ ended: status })),
      silence,
    ]);
    if (outcome === "ready") return { ok: true };
    if (outcome === "silent") {
      return { ok: false, reason: `The Burrow server did not finish starting within ${Math.round(timeoutMs / 1000)} s; run again with --verbose to see its log.` };
    }
    return { ok: false, reason: describeServerEnd(outcome.ended, server.stderrTail()) };
  } catch (err) {
    // `initialize` itself was refused (a bad setting, for instance): the server's sentence says why.
    return { ok: false, reason: describeRequestError(err).message };
  } finally {
    if (timer) clearTimeout(timer);
  }
}
