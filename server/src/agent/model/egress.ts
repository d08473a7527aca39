/**
 * The egress gate: the one function every outbound model request passes through, and the ledger of
 * every request that left the machine.
 *
 * Burrow's users pick it because their code stays on their laptop, so the rule is simple and
 * enforced here rather than by each provider: loopback (a local Ollama or LM Studio) is always
 * reachable; a runtime host the user wrote in the settings is reachable; anything else needs the
 * user's yes for this task, asked once per task and host, and must use TLS. Every request that
 * leaves loopback is appended to the ledger under the state directory with its time, task, provider,
 * host, byte counts and the names of the workspace files it carried, never their content.
 */
import type { StateStore } from "../sandbox/types.js";
import { httpFetch, type ExchangeTally, type FetchLike, type HttpTimeouts } from "./http-client.js";
import { ModelError, type ConsentRequest } from "./types.js";

/** Who is sending, for consent and the ledger. */
export interface EgressContext {
  /** The task or chat session; consent is remembered per owner and host. */
  ownerId?: string;
  provider: string;
  /** Workspace-relative paths of the files whose text is in the request. */
  files?: string[];
  consent?: (request: ConsentRequest) => Promise<boolean>;
  timeouts?: Partial<HttpTimeouts>;
  /**
   * The host a local server passes this request on to (Ollama's cloud models run on ollama.com):
   * the request then counts as leaving the machine, for consent and for the ledger.
   */
  forwardsTo?: string;
}

export interface LedgerEntry {
  time: string;
  owner: string;
  provider: string;
  host: string;
  method: string;
  path: string;
  status: number | null;
  bytesSent: number;
  bytesReceived: number;
  files: string[];
  durationMs: number;
  outcome: ExchangeTally["outcome"];
}

export interface EgressOptions {
  /**
   * Runtime hosts the user named (settings `ollama.host`, `lmstudio.host`, or OLLAMA_HOST), as
   * written: they are reachable without per-task consent, over plain http only when written so.
   */
  runtimeHosts: RuntimeHost[];
  state?: StateStore;
  log?: (message: string) => void;
  /** Which URLs count as this machine. Tests replace it to treat a loopback fake as a remote host. */
  isLocal?: (url: URL) => boolean;
  /** Whether plain http is refused for a non-local URL; tests with a plain-http "remote" fake relax it. */
  requireTls?: boolean;
  /** Default timeouts for every request (a context may override them). */
  timeouts?: Partial<HttpTimeouts>;
}

export interface EgressGate {
  /** A `fetch` bound to one sender: consent, TLS and the ledger apply to every call. */
  fetchFor(context: EgressContext): FetchLike;
  /** True when a request to this URL leaves the machine. */
  isRemote(url: URL): boolean;
  /** Every ledger entry, oldest first (the ledger file when there is a state directory). */
  ledger(): Promise<LedgerEntry[]>;
}

export const LEDGER_PATH = "egress/ledger.jsonl";

const loopbackNames = new Set(["localhost", "127.0.0.1", "::1", "[::1]", "0:0:0:0:0:0:0:1"]);

/** Loopback addresses only: a LAN address is another machine, even if it is the user's own. */
export function isLoopback(url: URL): boolean {
  const host = url.hostname.toLowerCase();
  return loopbackNames.has(host) || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host) || host.endsWith(".localhost");
}

/** `host:port` with the scheme's default port filled in, so settings and requests compare equal. */
export function hostKey(url: URL): string {
  const port = url.port || (url.protocol === "https:" ? "443" : "80");
  return `${url.hostname.toLowerCase()}:${port}`;
}

/** A runtime host the user named, as the router resolved it. */
export interface RuntimeHost {
  url: URL;
  /** True only when the user wrote the address with http:// themselves. */
  plainHttpAllowed: boolean;
}

/** Resolve a runtime host as written in the settings or OLLAMA_HOST. */
export function runtimeHost(raw: string | undefined, defaultPort: string): RuntimeHost | undefined {
  if (!raw) return undefined;
  const url = parseRuntimeHost(raw, defaultPort);
  return url ? { url, plainHttpAllowed: /^http:\/\//i.test(raw.trim()) } : undefined;
}

function configuredRuntimeHosts(hosts: RuntimeHost[]): Map<string, { plainHttp: boolean }> {
  const out = new Map<string, { plainHttp: boolean }>();
  for (const host of hosts) out.set(hostKey(host.url), { plainHttp: host.plainHttpAllowed });
  return out;
}

/** Runtime hosts may be written as `host:port`, `:port` or a full URL (as OLLAMA_HOST allows). */
export function parseRuntimeHost(raw: string, defaultPort = "11434"): URL | undefined {
  let text = raw.trim();
  if (text === "") return undefined;
  if (text.startsWith(":")) text = `127.0.0.1${text}`;
  const explicit = /^[a-z][a-z0-9+.-]*:\/\//i.test(text);
  try {
    const url = new URL(explicit ? text : `http://${text}`);
    if (!explicit && !url.port) url.port = defaultPort;
    // A server's "listen everywhere" address means this machine when a client connects to it.
    if (url.hostname === "0.0.0.0" || url.hostname === "[::]") url.hostname = "127.0.0.1";
    url.pathname = url.pathname.replace(/\/+$/, "");
    return url;
  } catch {
    return undefined;
  }
}

export function createEgressGate(options: EgressOptions): EgressGate {
  const isLocal = options.isLocal ?? isLoopback;
  const requireTls = options.requireTls ?? true;
  const runtimeHosts = configuredRuntimeHosts(options.runtimeHosts);
  const memoryLedger: LedgerEntry[] = [];
  // One decision per owner and host: a task is asked once, not once per request.
  const decisions = new Map<string, Promise<boolean>>();
  const log = options.log ?? (() => {});
  let ledgerWrites: Promise<void> = Promise.resolve();

  function record(context: EgressContext, tally: ExchangeTally): void {
    const entry: LedgerEntry = {
      time: new Date(Date.now() - tally.durationMs).toISOString(),
      owner: context.ownerId ?? "burrow",
      provider: context.provider,
      host: context.forwardsTo ? `${context.forwardsTo} (through ${tally.url.host})` : tally.url.host,
      method: tally.method,
      path: tally.url.pathname,
      status: tally.status,
      bytesSent: tally.bytesSent,
      bytesReceived: tally.bytesReceived,
      files: context.files ?? [],
      durationMs: tally.durationMs,
      outcome: tally.outcome,
    };
    memoryLedger.push(entry);
    log(
      `egress: ${entry.provider} ${entry.method} ${entry.host}${entry.path} sent ${entry.bytesSent} B, received ${entry.bytesReceived} B (${entry.outcome})`,
    );
    if (options.state) {
      const state = options.state;
      ledgerWrites = ledgerWrites
        .then(() => state.append(LEDGER_PATH, JSON.stringify(entry)))
        .catch((err: unknown) => log(`egress: could not write the ledger: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  async function authorise(url: URL, context: EgressContext, bytes: number): Promise<void> {
    if (context.forwardsTo) return askConsent(context.forwardsTo, context, bytes);
    if (isLocal(url)) return;
    const runtime = runtimeHosts.get(hostKey(url));
    if (runtime) {
      if (url.protocol === "https:" || runtime.plainHttp) return;
    }
    if (requireTls && url.protocol !== "https:") {
      throw new ModelError(
        "egress-denied",
        `Burrow will not send anything to ${url.host} over plain http: it is not on this machine. Use an https:// address, or name the runtime host with http:// in the settings if it is a machine you trust.`,
      );
    }
    if (runtime) return;
    return askConsent(url.host, context, bytes);
  }

  async function askConsent(host: string, context: EgressContext, bytes: number): Promise<void> {
    if (!context.consent) {
      throw new ModelError(
        "egress-denied",
        `Sending to ${host} (${context.provider}) needs your consent for this task, and this request had no way to ask. Start it as a task that names the provider, or use a local model.`,
      );
    }
    const key = `${context.ownerId ?? ""}\n${host}`;
    let decision = context.ownerId ? decisions.get(key) : undefined;
    if (!decision) {
      decision = context.consent({ provider: context.provider, host, files: context.files ?? [], bytes });
      if (context.ownerId) decisions.set(key, decision);
    }
    if (!(await decision)) {
      throw new ModelError("consent-denied", `Nothing was sent: you declined sending this task to ${host}.`);
    }
  }

  return {
    isRemote: (url) => !isLocal(url),
    fetchFor(context) {
      return async (input, init = {}) => {
        const url = new URL(input instanceof Request ? input.url : String(input));
        const body = init.body;
        const bytes = typeof body === "string" ? Buffer.byteLength(body) : body instanceof Uint8Array ? body.byteLength : 0;
        await authorise(url, context, bytes);
        const local = isLocal(url) && !context.forwardsTo;
        return httpFetch(url, init, {
          timeouts: { ...options.timeouts, ...context.timeouts },
          onDone: local ? undefined : (tally) => record(context, tally),
        });
      };
    },
    async ledger() {
      await ledgerWrites;
      if (!options.state) return [...memoryLedger];
      return readLedger(options.state);
    },
  };
}

/** The ledger file's entries, oldest first; lines that are not entries are skipped. */
export async function readLedger(state: StateStore): Promise<LedgerEntry[]> {
  const text = await state.read(LEDGER_PATH);
  if (!text) return [];
  const entries: LedgerEntry[] = [];
  for (const line of text.split("\n")) {
    if (line.trim() === "") continue;
    try {
      const parsed = JSON.parse(line) as LedgerEntry;
      if (typeof parsed.host === "string" && typeof parsed.bytesSent === "number") entries.push(parsed);
    } catch {
      // A line cut short by a crash; the rest of the ledger is still worth showing.
    }
  }
  return entries;
}
