/**
 * Where the server stands in its life, for every handler: `initialize` starts building the services
 * (answered at once, the build finishes in the background), requests that need them wait for the
 * build or are refused before it began, and after `shutdown` every request is refused, as LSP asks.
 */
import { ErrorCodes, ResponseError } from "vscode-languageserver";
import type { Services } from "../services/build.js";
import type { ClientProfile } from "../lsp/client-profile.js";

/** What the server runs with once `initialize` has been served. */
export interface Running {
  profile: ClientProfile;
  services: Services;
}

export class Lifecycle {
  private running: Running | undefined;
  private building: Promise<Running> | undefined;
  private stopping = false;

  /** Serve with what `build` resolves to; a failed build leaves the server refusing requests. */
  start(build: Promise<Running>): Promise<Running> {
    this.building = build.then((r) => (this.running = r));
    // Requests wait for the build; an unobserved failure is reported by the caller, not as a crash.
    this.building.catch(() => undefined);
    return this.building;
  }

  get shuttingDown(): boolean {
    return this.stopping;
  }

  /** The running server, or undefined while it builds (or when the build failed). */
  current(): Running | undefined {
    return this.running;
  }

  /** The running server once built; undefined when the build failed or never began. */
  settled(): Promise<Running | undefined> {
    return this.running ? Promise.resolve(this.running) : (this.building?.catch(() => undefined) ?? Promise.resolve(undefined));
  }

  /** The running server, for a request that needs it: waits for the build, then refuses if there is none. */
  async need(): Promise<Running> {
    if (!this.stopping && this.building) await this.building;
    return this.needNow();
  }

  /** After `shutdown`, the LSP error every request is answered with. */
  refuseAfterShutdown(): void {
    if (this.stopping) throw new ResponseError(ErrorCodes.InvalidRequest, "Burrow is shutting down: no request is served after shutdown.");
  }

  /** The running server now, without waiting; the LSP errors when there is none to serve with. */
  needNow(): Running {
    this.refuseAfterShutdown();
    if (!this.running) throw new ResponseError(ErrorCodes.ServerNotInitialized, "Burrow has not been initialized yet.");
    return this.running;
  }

  /** Refuse every later request, let the build finish, and release what it built. */
  async shutdown(): Promise<void> {
    this.stopping = true;
    const r = await this.settled();
    await r?.services.dispose();
  }
}
