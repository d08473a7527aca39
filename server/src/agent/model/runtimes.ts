/**
 * The local runtimes of the catalogue, built once per router, and what Burrow has learnt by asking
 * them: whether each answers, which models it has installed (their sizes feed the hot-swap memory
 * estimate, their parameter counts the choice of edit format), and what is loaded now.
 */
import { configuredRuntimeHost, runtimeEntries, type ProviderContext, type RuntimeEntry } from "./catalogue.js";
import type { RuntimeHost } from "./egress.js";
import { canonicalName } from "./names.js";
import type { LocalRuntime } from "./provider.js";
import { ModelError, type LoadedModel, type ModelInfo, type ModelRole, type RuntimeStatus } from "./types.js";
import type { Settings } from "../settings.js";

/** How many installed models a "model missing" error lists before it says "…". */
const MISSING_MODEL_LISTS = 8;

/** A runtime with its catalogue entry. */
export interface KnownRuntime {
  entry: RuntimeEntry;
  runtime: LocalRuntime;
}

/** The runtime hosts the user configured, which the egress gate lets through without consent. */
export function configuredRuntimeHosts(settings: Settings, env: NodeJS.ProcessEnv): RuntimeHost[] {
  return runtimeEntries.map((entry) => configuredRuntimeHost(entry, settings, env)).filter((h): h is RuntimeHost => !!h);
}

export class Runtimes {
  private readonly known: KnownRuntime[];
  private readonly installedSizes = new Map<string, number | undefined>();
  private readonly parameterSizes = new Map<string, string | undefined>();

  constructor(
    context: ProviderContext,
    private readonly log: (message: string) => void,
  ) {
    this.known = runtimeEntries.map((entry) => {
      const host = configuredRuntimeHost(entry, context.settings, context.env);
      const baseUrl = (host?.url.href ?? entry.defaultUrl).replace(/\/+$/, "");
      return { entry, runtime: entry.create({ ...context, baseUrl }) };
    });
  }

  /** Every runtime, in the catalogue's order. */
  all(): readonly KnownRuntime[] {
    return this.known;
  }

  get(name: string): KnownRuntime | undefined {
    return this.known.find((k) => k.entry.name === name);
  }

  /** The installed size of a model, once some listing has named it. */
  installedSize(model: string): number | undefined {
    return this.installedSizes.get(canonicalName(model));
  }

  /** The parameter count a runtime reported for a model ("7.6B"), once some listing has named it. */
  parameterSize(model: string): string | undefined {
    return this.parameterSizes.get(canonicalName(model));
  }

  /** Whether any listing has been read since the last download. */
  hasListings(): boolean {
    return this.installedSizes.size > 0;
  }

  /** A download changed what is installed: forget the listings. */
  forgetListings(): void {
    this.installedSizes.clear();
  }

  /** The runtime's installed models, remembered for the estimates above. */
  async installed(runtime: LocalRuntime): Promise<ModelInfo[]> {
    const models = await runtime.listModels();
    for (const m of models) {
      this.installedSizes.set(canonicalName(m.name), m.sizeBytes);
      this.parameterSizes.set(canonicalName(m.name), m.parameterSize);
    }
    return models;
  }

  /** Every runtime, probed now: reachable or why not, its version, models and what is loaded. */
  status(): Promise<RuntimeStatus[]> {
    return Promise.all(this.known.map(({ entry, runtime }) => this.statusOf(entry, runtime)));
  }

  private async statusOf(entry: RuntimeEntry, runtime: LocalRuntime): Promise<RuntimeStatus> {
    const base = { name: entry.name, label: runtime.label, url: runtime.baseUrl };
    const probe = await runtime.probe();
    if (!probe.ok) return { ...base, reachable: false, reason: probe.reason, models: [], loaded: [] };
    let models: ModelInfo[] = [];
    let loaded: LoadedModel[] = [];
    try {
      [models, loaded] = await Promise.all([this.installed(runtime), runtime.loadedModels?.() ?? []]);
    } catch (err) {
      this.log(`${entry.name}: could not list models: ${err instanceof Error ? err.message : String(err)}`);
    }
    return { ...base, reachable: true, version: probe.version, models, loaded };
  }

  /** Enrich "model missing" with what is installed, so the user can pick one instead of pulling. */
  async explainMissing(err: ModelError, runtime: LocalRuntime, role: ModelRole): Promise<ModelError> {
    if (err.kind !== "model-missing") return err;
    try {
      const installed = (await runtime.listModels()).map((m) => m.name);
      if (installed.length === 0) return err;
      const listed = installed.slice(0, MISSING_MODEL_LISTS).join(", ");
      const more = installed.length > MISSING_MODEL_LISTS ? ", …" : "";
      return new ModelError(err.kind, `${err.message} Installed: ${listed}${more} (set models.${role} to use one).`, err.retryable);
    } catch {
      return err;
    }
  }
}
