/**
 * The doctor report: everything a user needs to see to understand why Burrow picked the model it
 * did and what to fix when nothing answers. It gathers the detected hardware and the tier with its
 * reason, the runtimes found (with versions and installed models), the configured chat and coder
 * models, and which cloud keys are present (by variable name only, never a value), then ends with
 * the next steps that would make Burrow work. `burrow doctor` prints it and `burrow.doctor` returns it.
 */
import { cloudProvider, runtimeEntries, runtimeEntry } from "./catalogue.js";
import { describeHardware, type HardwareReport, type Recommendation } from "./hardware.js";
import { canonicalName } from "./names.js";
import type { DescribedModel, RuntimeStatus } from "./types.js";

export interface DoctorInput {
  hardware: HardwareReport;
  /** The recommendation with the settings applied. */
  recommendation: Recommendation;
  /** What the hardware alone suggests. */
  hardwareRecommendation: Recommendation;
  runtimes: RuntimeStatus[];
  provider: string;
  coder: DescribedModel;
  chat: DescribedModel;
  hotSwap: boolean;
  cloud: { name: string; label: string; keyVariable: string; keyPresent: boolean; model: string }[];
  stateDir?: string;
  ledgerEntries: number;
}

export interface DoctorReport extends DoctorInput {
  /** Next steps, in order of importance; empty when everything is in place. */
  advice: string[];
  /** True when the configured provider can answer with the configured coder model. */
  ready: boolean;
}

/**
 * A loaded model with less than 95% of its bytes in GPU memory is reported as split between GPU and
 * CPU; the margin keeps rounding in the runtime's figures from raising a false alarm.
 */
const FULLY_ON_GPU = 0.95;

export function buildDoctorReport(input: DoctorInput): DoctorReport {
  const advice: string[] = [];
  let ready = false;
  const cloud = cloudProvider(input.provider);
  if (cloud) {
    const entry = input.cloud.find((c) => c.name === input.provider);
    if (entry?.keyPresent) ready = true;
    else advice.push(`Set ${entry?.keyVariable ?? cloud.keyVariables[0]} in the environment your editor starts Burrow in, to use ${cloud.label}.`);
  } else {
    const runtime = input.runtimes.find((r) => r.name === input.provider);
    const entry = runtimeEntry(input.provider);
    if (!runtime || !entry) {
      advice.push(`The provider "${input.provider}" is not one Burrow knows; use ${runtimeEntries.map((e) => e.name).join(", ")} or a cloud provider's name.`);
    } else if (!runtime.reachable) {
      advice.push(entry.startAdvice(input.coder.model));
      const other = input.runtimes.find((r) => r.reachable && r.name !== runtime.name);
      if (other) advice.push(`${other.label} is running at ${other.url}: set "provider": "${other.name}" to use it instead.`);
    } else {
      const minimum = entry.minimumVersion;
      if (minimum && runtime.version && olderThan(runtime.version, minimum.version)) advice.push(minimum.advice(runtime.version));
      for (const m of runtime.loaded) {
        if (m.sizeBytes && m.vramBytes !== undefined && input.hardware.gpuBudgetBytes !== null && m.vramBytes < m.sizeBytes * FULLY_ON_GPU) {
          advice.push(
            `${m.name} is loaded with only ${Math.round((m.vramBytes / m.sizeBytes) * 100)}% of it in GPU memory, so it runs partly on the CPU and slowly. A smaller model or a smaller contextTokens would fit entirely.`,
          );
        }
      }
      const installed = new Set(runtime.models.map((m) => canonicalName(m.name)));
      const missing = [...new Set([input.coder.model, input.chat.model])].filter((m) => !installed.has(canonicalName(m)));
      for (const model of missing) advice.push(entry.installAdvice(model));
      ready = !missing.includes(input.coder.model);
    }
  }
  return { ...input, advice, ready };
}

/** Whether a dotted version is older than `minimum`; versions that do not parse count as new enough. */
export function olderThan(version: string, minimum: [number, number, number]): boolean {
  const match = /(\d+)\.(\d+)(?:\.(\d+))?/.exec(version);
  if (!match) return false;
  const parts = [Number(match[1]), Number(match[2]), Number(match[3] ?? 0)];
  for (let i = 0; i < 3; i++) {
    if (parts[i]! !== minimum[i]) return parts[i]! < minimum[i]!;
  }
  return false;
}

function mb(bytes: number | undefined): string {
  if (bytes === undefined) return "";
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.round(bytes / 1e6)} MB`;
}

/** The report as plain text for a terminal (no colour: it may be piped into an issue). */
export function renderDoctorReport(report: DoctorReport): string {
  const lines: string[] = [];
  const section = (title: string) => {
    if (lines.length > 0) lines.push("");
    lines.push(title);
  };

  section("Hardware");
  for (const line of describeHardware(report.hardware)) lines.push(`  ${line}`);

  section("Recommended coder model");
  const tier = report.hardwareRecommendation;
  lines.push(`  ${tier.model}, context of ${tier.contextTokens} tokens${tier.cpu ? ", on the CPU" : ""}`);
  lines.push(`  Why: ${tier.reason}`);
  for (const alt of tier.alternatives) lines.push(`  Also possible: ${alt.model}: ${alt.note}`);

  section("Runtimes");
  for (const runtime of report.runtimes) {
    if (!runtime.reachable) {
      lines.push(`  ${runtime.label} at ${runtime.url}: not running`);
      continue;
    }
    lines.push(`  ${runtime.label} at ${runtime.url}: running${runtime.version ? `, version ${runtime.version}` : ""}`);
    if (runtime.models.length === 0) lines.push("    no models installed");
    for (const m of runtime.models) {
      const inMemory = runtime.loaded.find((l) => canonicalName(l.name) === canonicalName(m.name));
      const where =
        inMemory?.vramBytes !== undefined && inMemory.sizeBytes
          ? `loaded, ${Math.round((inMemory.vramBytes / inMemory.sizeBytes) * 100)}% on the GPU${inMemory.contextTokens ? `, context ${inMemory.contextTokens}` : ""}`
          : m.loaded || inMemory
            ? "loaded"
            : "";
      const details = [mb(m.sizeBytes), m.parameterSize, m.quantization, where].filter(Boolean).join(", ");
      lines.push(`    ${m.name}${details ? ` (${details})` : ""}`);
    }
  }

  section("Configured");
  lines.push(`  Provider: ${report.provider}`);
  const describe = (m: DescribedModel) => `${m.model} via ${m.provider}, context of ${m.contextTokens} tokens${m.remote ? ", leaves this machine" : ", on this machine"}`;
  lines.push(`  Coder model: ${describe(report.coder)}`);
  lines.push(`  Chat model: ${describe(report.chat)}`);
  const swapping = canonicalName(report.coder.model) !== canonicalName(report.chat.model);
  lines.push(`  Hot-swap: ${report.hotSwap ? (swapping ? "on (the chat model is unloaded while the coder runs, when both do not fit)" : "on (nothing to swap: chat and coder are the same model)") : "off"}`);
  if (report.recommendation.source === "settings") lines.push(`  Settings: ${report.recommendation.reason}`);

  section("Cloud providers (used only when a task names one and you agree)");
  for (const c of report.cloud) {
    lines.push(`  ${c.label.padEnd(14)} ${c.keyPresent ? `key present in ${c.keyVariable}` : `no key (${c.keyVariable} not set)`}; model ${c.model}`);
  }

  section("State");
  lines.push(`  Directory: ${report.stateDir ?? "not set"}`);
  lines.push(`  Egress ledger: ${report.ledgerEntries} request${report.ledgerEntries === 1 ? "" : "s"} recorded as leaving this machine (burrow egress)`);

  section(report.ready ? "Ready" : "Next steps");
  if (report.advice.length === 0) lines.push("  Everything is in place.");
  for (const step of report.advice) lines.push(`  - ${step}`);
  return lines.join("\n") + "\n";
}
