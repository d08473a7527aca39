/**
 * The model router the services share, reconfigurable in place. Settings from
 * `workspace/configuration` may arrive after the task manager and chat were given their router;
 * `reconfigure` then builds a router from the new settings and every later request goes to it,
 * while requests already running finish on the old one, which is then disposed.
 *
 * The services hold `router`, a view that forwards each call to whichever router is current. It
 * forwards by name rather than method by method, so a method added to the router's interface
 * reaches every holder without a change here.
 */
import type { HardwareReport, ModelAdmin } from "../agent/model/index.js";
import type { ModelRouter } from "../agent/model/types.js";
import type { Settings } from "../agent/settings.js";

export type FullRouter = ModelRouter & ModelAdmin;

/** Builds a router for these settings; `hardware` is passed on so detection is not repeated. */
export type RouterFactory = (settings: Settings, hardware?: HardwareReport) => FullRouter;

export class ReconfigurableRouter {
  /** The stable view every service holds. */
  readonly router: FullRouter;
  private current: FullRouter;

  constructor(
    private readonly create: RouterFactory,
    settings: Settings,
  ) {
    this.current = create(settings);
    this.router = new Proxy({} as FullRouter, {
      get: (_view, key) => {
        const target = this.current;
        const value: unknown = Reflect.get(target, key, target);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
  }

  /** Route every later request through a router built from `settings`. */
  async reconfigure(settings: Settings): Promise<void> {
    const hardware = await this.current.hardware().catch(() => undefined);
    const previous = this.current;
    this.current = this.create(settings, hardware);
    void previous.dispose();
  }

  dispose(): Promise<void> {
    return this.current.dispose();
  }
}
