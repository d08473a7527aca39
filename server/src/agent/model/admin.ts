/**
 * Administering models, apart from answering requests: what the runtimes have installed, downloads,
 * the doctor report, the recommendation for this machine, the egress ledger, and the quick check a
 * task runs before reading the repository. `burrow doctor`, `burrow models …`, `burrow egress` and
 * their LSP commands use it; it reads the same catalogue and runtimes as the router.
 */
import { cloudEntries, findKey, runtimeEntry } from "./catalogue.js";
import { buildDoctorReport, renderDoctorReport, type DoctorReport } from "./doctor.js";
import type { EgressGate, LedgerEntry } from "./egress.js";
import type { HardwareReport, Recommendation } from "./hardware.js";
import { recommend } from "./hardware.js";
import type { KnownHardware } from "./known-hardware.js";
import { canonicalName } from "./names.js";
import type { Runtimes } from "./runtimes.js";
import { ModelError, type DescribedModel, type ModelInfo, type ModelOverrides, type ModelRole, type PullProgress, type RuntimeStatus } from "./types.js";
import { refuse, refuseWith, type Outcome, type Refusal } from "../outcome.js";
import { codeOfModelError, type CodedRefusal } from "../../protocol/errors.js";
import type { Settings } from "../settings.js";

/** How many installed models a preflight failure suggests instead. */
const PREFLIGHT_SUGGESTS = 5;

export interface ModelAdmin {
  /** Models installed in every reachable local runtime; a refusal when none is reachable. */
  listModels(): Promise<Outcome<{ models: ModelInfo[]; runtimes: RuntimeStatus[] }>>;
  /**
   * Download a model into the configured runtime when it can download, else into the first runtime
   * of the catalogue that can (Ollama), reporting progress.
   */
  pull(name: string, onProgress: (progress: PullProgress) => void, signal?: AbortSignal): Promise<Outcome<{ model: string }, CodedRefusal>>;
  doctor(): Promise<{ report: DoctorReport; text: string }>;
  egressLedger(): Promise<LedgerEntry[]>;
  recommend(): Promise<Recommendation & { installed?: boolean }>;
  /** The hardware report (detected once, then cached). */
  hardware(): Promise<HardwareReport>;
  /** The runtimes, probed now. */
  runtimes(): Promise<RuntimeStatus[]>;
  /**
   * Is the local runtime a request with this role would go to running, and does it have the
   * model? Cloud providers are not probed (that would send a request before consent).
   */
  preflight(role: ModelRole, overrides?: ModelOverrides): Promise<Outcome<object, Refusal & { code: "runtime-unreachable" | "model-missing" }>>;
  dispose(): Promise<void>;
}

/** What the administration needs from the router it sits beside. */
export interface AdminParts {
  settings: Settings;
  env: NodeJS.ProcessEnv;
  stateDir?: string;
  gate: EgressGate;
  hardware: KnownHardware;
  runtimes: Runtimes;
  /** The configured provider's catalogue name. */
  provider: () => string;
  describe: (role: ModelRole, overrides?: ModelOverrides) => DescribedModel;
  modelFor: (role: ModelRole, provider: string) => string;
  dispose: () => Promise<void>;
}

export function createModelAdmin(parts: AdminParts): ModelAdmin {
  const { settings, env, runtimes } = parts;

  const admin: ModelAdmin = {
    async listModels() {
      const statuses = await runtimes.status();
      const reachable = statuses.filter((r) => r.reachable);
      if (reachable.length === 0) return refuse(`No model runtime is running. ${statuses.map((r) => r.reason).join(" ")}`);
      return { ok: true, models: reachable.flatMap((r) => r.models), runtimes: statuses };
    },

    async pull(name, onProgress, signal) {
      const configured = runtimes.get(parts.provider());
      const target = configured?.runtime.pull ? configured : runtimes.all().find((k) => k.runtime.pull);
      if (!target?.runtime.pull) return refuseWith("config", "No model runtime Burrow knows can download models.");
      try {
        await target.runtime.pull(name, onProgress, signal);
        runtimes.forgetListings();
        return { ok: true, model: name };
      } catch (err) {
        const failure = err instanceof ModelError ? err : new ModelError("bad-response", String(err));
        return refuseWith(codeOfModelError(failure.kind), failure.message);
      }
    },

    async doctor() {
      const [report, statuses] = await Promise.all([parts.hardware.report(), runtimes.status()]);
      const doctorReport = buildDoctorReport({
        hardware: report,
        recommendation: recommend(report, settings),
        hardwareRecommendation: recommend(report, {}),
        runtimes: statuses,
        provider: parts.provider(),
        coder: parts.describe("coder"),
        chat: parts.describe("chat"),
        hotSwap: settings.hotSwap !== false,
        cloud: cloudEntries.map((spec) => {
          const key = findKey(spec, env);
          return { name: spec.name, label: spec.label, keyVariable: key?.variable ?? spec.keyVariables[0]!, keyPresent: !!key, model: parts.modelFor("coder", spec.name) };
        }),
        stateDir: parts.stateDir,
        ledgerEntries: (await parts.gate.ledger()).length,
      });
      return { report: doctorReport, text: renderDoctorReport(doctorReport) };
    },

    egressLedger: () => parts.gate.ledger(),

    async recommend() {
      const report = await parts.hardware.report();
      const recommendation = recommend(report, settings);
      // Installed where the user's requests go: the configured runtime, else the catalogue's first.
      const where = runtimes.get(parts.provider()) ?? runtimes.all()[0];
      if (!where) return recommendation;
      const model = where.entry.modelName?.(recommendation.model) ?? recommendation.model;
      try {
        const installed = await runtimes.installed(where.runtime);
        return { ...recommendation, installed: installed.some((m) => canonicalName(m.name) === canonicalName(model)) };
      } catch {
        return recommendation;
      }
    },

    hardware: () => parts.hardware.report(),
    runtimes: () => runtimes.status(),

    async preflight(role, overrides = {}) {
      const chosen = parts.describe(role, overrides);
      const entry = runtimeEntry(chosen.provider);
      if (!entry) return { ok: true };
      const status = (await runtimes.status()).find((r) => r.name === entry.name);
      if (!status) return { ok: true };
      if (!status.reachable) return refuseWith("runtime-unreachable", status.reason ?? `${status.label} is not reachable at ${status.url}.`);
      if (entry.preflight === "installed" && !status.models.some((m) => canonicalName(m.name) === canonicalName(chosen.model))) {
        const installed = status.models.map((m) => m.name).slice(0, PREFLIGHT_SUGGESTS).join(", ");
        return refuseWith(
          "model-missing",
          `The model ${chosen.model} is not installed in ${status.label}. Install it with ${entry.installCommand(chosen.model)}${installed ? `, or choose one that is installed (${installed})` : ""}.`,
        );
      }
      return { ok: true };
    },

    dispose: parts.dispose,
  };
  return admin;
}
