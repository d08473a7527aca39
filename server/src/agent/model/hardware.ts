/**
 * Hardware tiers: what GPU and memory this machine has, and which Qwen2.5-Coder size and context
 * window it can run well, with the reason in words.
 *
 * The figures come from `systeminformation`, whose answers differ by platform and are not all
 * trustworthy (docs/configuration.md, "Hardware tiers"): NVIDIA memory from nvidia-smi is exact; Apple Silicon
 * reports no VRAM because memory is unified, so a share of RAM is the budget; AMD and Intel figures on
 * Linux are PCI aperture sizes, not memory, and are not trusted; virtual adapters and integrated
 * Intel graphics are no use for a model; containers usually see no GPU at all; on some systems the
 * call resolves null. Detection runs once (it starts processes such as nvidia-smi) and is cached by
 * the caller; the source is injectable so tests feed recorded outputs.
 */
import type { Settings } from "../settings.js";

/** The parts of `systeminformation`'s answers we read (its types, narrowed to what we use). */
export interface GraphicsControllerLike {
  vendor?: string;
  model?: string;
  name?: string;
  bus?: string;
  vram?: number | null;
  vramDynamic?: boolean;
  memoryTotal?: number;
  memoryFree?: number;
}

export interface HardwareSource {
  graphics(): Promise<{ controllers?: GraphicsControllerLike[] | null } | null | undefined>;
  mem(): Promise<{ total: number; available?: number; free?: number } | null | undefined>;
  /** `si.system()`: tells a container or VM apart. */
  system?(): Promise<{ model?: string; virtual?: boolean } | null | undefined>;
  platform?: NodeJS.Platform;
  arch?: string;
}

export type GpuKind = "nvidia" | "apple" | "amd" | "intel" | "virtual" | "other";

export interface GpuInfo {
  vendor: string;
  model: string;
  kind: GpuKind;
  /** Memory in MiB as reported, when reported. */
  vramMiB?: number;
  /** Whether the memory figure can be relied on for sizing a model. */
  trusted: boolean;
  note?: string;
}

export interface HardwareReport {
  platform: string;
  arch: string;
  gpus: GpuInfo[];
  memory: { totalBytes: number; availableBytes: number } | null;
  /** Bytes a model can use in fast memory (GPU memory, or the GPU's share of unified memory); null without a usable GPU. */
  gpuBudgetBytes: number | null;
  budgetSource: "nvidia" | "apple-unified" | "gpu" | "cpu";
  container: boolean;
  notes: string[];
  detectedInMs: number;
}

export type CoderSize = "1.5b" | "7b" | "14b" | "32b";

export interface Recommendation {
  model: string;
  size?: CoderSize;
  contextTokens: number;
  /** Why, in words a user can check against their machine. */
  reason: string;
  /** Other choices worth knowing, with their trade-off. */
  alternatives: { model: string; note: string }[];
  source: "hardware" | "settings";
  /** True when the model will run on the CPU. */
  cpu: boolean;
}

const GiB = 1024 ** 3;
const MiB = 1024 ** 2;
/** GPU memory kept back for the display, the driver and other programs. */
const displayReserve = 1 * GiB;

/** Download sizes and KV-cache cost per token (f16) of each coder size (research §4.1). */
export const coderSizes: readonly { size: CoderSize; weightsBytes: number; kvBytesPerToken: number; params: number }[] = [
  { size: "32b", weightsBytes: 19_851_349_856, kvBytesPerToken: 256 * 1024, params: 32.5 },
  { size: "14b", weightsBytes: 8_988_124_069, kvBytesPerToken: 192 * 1024, params: 14.7 },
  { size: "7b", weightsBytes: 4_683_087_332, kvBytesPerToken: 56 * 1024, params: 7.6 },
  { size: "1.5b", weightsBytes: 986_061_892, kvBytesPerToken: 28 * 1024, params: 1.5 },
];

/** Compute buffers and runtime overhead beside weights and KV cache. */
const overheadBytes = 0.75 * GiB;
/** The smallest context a coding task is worth running with; a tier must fit at least this. */
const minimumTierContext = 8192;
/** qwen2.5-coder's GGUF declares 32768; Ollama caps at it. */
const maximumContext = 32768;
/** On a CPU, prompt evaluation is slow enough that a larger window costs minutes per request. */
const cpuContext = 8192;
/** Apple GPUs may use about this share of unified memory (macOS's working-set limit; a heuristic). */
const appleUnifiedShare = 0.65;

export function coderModel(size: CoderSize): string {
  return `qwen2.5-coder:${size}`;
}

function classify(c: GraphicsControllerLike, platform: string): GpuInfo {
  const vendor = (c.vendor ?? "").trim();
  const model = (c.name || c.model || "").trim();
  const text = `${vendor} ${model}`.toLowerCase();
  const vram = typeof c.vram === "number" && c.vram > 0 ? c.vram : undefined;
  if (/vmware|virtualbox|qxl|virtio|hyper-v|microsoft basic|cirrus|bochs|red hat|parallels|llvmpipe|matrox|aspeed/.test(text)) {
    return { vendor, model, kind: "virtual", vramMiB: vram, trusted: false, note: "a virtual or server display adapter, no use for models" };
  }
  if (/nvidia/.test(text)) {
    if (typeof c.memoryTotal === "number" && c.memoryTotal > 0) {
      return { vendor, model, kind: "nvidia", vramMiB: c.memoryTotal, trusted: true };
    }
    return {
      vendor,
      model,
      kind: "nvidia",
      vramMiB: vram,
      trusted: platform === "win32" && vram !== undefined && vram !== 4095 && vram !== 4096,
      note: "nvidia-smi did not report its memory (is the NVIDIA driver installed?)",
    };
  }
  if (vendor.toLowerCase() === "apple" || /apple m\d/.test(text)) {
    return { vendor, model, kind: "apple", trusted: true, note: "unified memory shared with the CPU" };
  }
  const kind: GpuKind = /\bamd\b|\bati\b|radeon|advanced micro/.test(text) ? "amd" : /intel/.test(text) ? "intel" : "other";
  if (kind === "intel" && (c.vramDynamic || /uhd|hd graphics|iris|integrated/.test(text))) {
    return { vendor, model, kind, vramMiB: vram, trusted: false, note: "integrated graphics sharing system memory" };
  }
  if (platform === "linux") {
    // On Linux these figures are PCI aperture sizes (256 MB, or a power of two with Resizable BAR), not memory.
    return { vendor, model, kind, vramMiB: vram, trusted: false, note: "its memory size cannot be read reliably on Linux" };
  }
  if (platform === "win32") {
    const capped = vram === 4095 || vram === 4096;
    return { vendor, model, kind, vramMiB: vram, trusted: vram !== undefined && !capped && !c.vramDynamic, note: capped ? "Windows caps this figure at 4 GB" : undefined };
  }
  return { vendor, model, kind, vramMiB: vram, trusted: vram !== undefined && !c.vramDynamic };
}

/** Run the probes (or read the injected recordings) and describe the machine. */
export async function detectHardware(source?: HardwareSource): Promise<HardwareReport> {
  const started = Date.now();
  const src = source ?? (await defaultSource());
  const platform = src.platform ?? process.platform;
  const arch = src.arch ?? process.arch;
  const notes: string[] = [];

  const [graphics, mem, system] = await Promise.all([
    src.graphics().catch(() => null),
    src.mem().catch(() => null),
    src.system ? src.system().catch(() => null) : Promise.resolve(null),
  ]);
  if (!graphics) notes.push("The GPU could not be queried on this system.");
  const controllers = Array.isArray(graphics?.controllers) ? graphics!.controllers! : [];
  const gpus = controllers.map((c) => classify(c, platform));
  const memory =
    mem && typeof mem.total === "number" && mem.total > 0
      ? { totalBytes: mem.total, availableBytes: mem.available ?? mem.free ?? mem.total }
      : null;
  if (!memory) notes.push("The amount of memory could not be read.");
  const container = system?.model === "Docker Container" || /container/i.test(system?.model ?? "");
  if (container && gpus.length === 0) notes.push("Running in a container that sees no GPU.");

  let gpuBudgetBytes: number | null = null;
  let budgetSource: HardwareReport["budgetSource"] = "cpu";
  for (const gpu of gpus) {
    let budget: number | null = null;
    let from: HardwareReport["budgetSource"] = "gpu";
    if (gpu.kind === "apple" && memory) {
      budget = memory.totalBytes * appleUnifiedShare;
      from = "apple-unified";
    } else if (gpu.trusted && gpu.vramMiB) {
      // Leave room for the display, the driver and other programs' GPU memory.
      budget = gpu.vramMiB * MiB - displayReserve;
      from = gpu.kind === "nvidia" ? "nvidia" : "gpu";
    }
    if (budget !== null && budget > 0 && (gpuBudgetBytes === null || budget > gpuBudgetBytes)) {
      gpuBudgetBytes = budget;
      budgetSource = from;
    }
  }
  for (const gpu of gpus) {
    if (!gpu.trusted && gpu.kind !== "virtual" && gpu.note) notes.push(`${gpu.vendor} ${gpu.model}: ${gpu.note}.`.replace(/^ /, ""));
  }
  return { platform, arch, gpus, memory, gpuBudgetBytes, budgetSource, container, notes, detectedInMs: Date.now() - started };
}

async function defaultSource(): Promise<HardwareSource> {
  const si = await import("systeminformation");
  return {
    graphics: () => si.graphics(),
    mem: () => si.mem(),
    system: () => si.system(),
  };
}

function bytesNeeded(size: (typeof coderSizes)[number], context: number): number {
  return size.weightsBytes + size.kvBytesPerToken * context + overheadBytes;
}

/** The largest context step (up to the model's 32K) that fits the budget, or undefined when none does. */
export function largestFittingContext(size: CoderSize, budgetBytes: number, floor = 4096): number | undefined {
  const spec = coderSizes.find((s) => s.size === size)!;
  let best: number | undefined;
  for (const context of [4096, 8192, 12288, 16384, 24576, 32768]) {
    if (context < floor || context > maximumContext) continue;
    if (bytesNeeded(spec, context) <= budgetBytes) best = context;
  }
  return best;
}

function gib(bytes: number): string {
  const value = bytes / GiB;
  return `${value >= 10 ? Math.round(value) : value.toFixed(1)} GB`;
}

/** The coder size, context and reason for this machine; settings win where they say something. */
export function recommend(report: HardwareReport, settings: Settings = {}): Recommendation {
  const hardware = recommendFromHardware(report);
  const configured = settings.models?.coder;
  if (!configured && settings.contextTokens === undefined) return hardware;
  if (!configured) {
    return {
      ...hardware,
      contextTokens: settings.contextTokens!,
      reason: `${hardware.reason} The context window is ${settings.contextTokens} tokens because the setting contextTokens says so.`,
      source: "settings",
    };
  }
  const size = sizeOfCoder(configured);
  let contextTokens = settings.contextTokens ?? hardware.contextTokens;
  if (settings.contextTokens === undefined && size) {
    const budget = report.gpuBudgetBytes;
    const fitted = budget !== null ? largestFittingContext(size, budget) : undefined;
    contextTokens = fitted ?? cpuContext;
  }
  return {
    model: configured,
    size,
    contextTokens,
    reason: `Using ${configured} because the setting models.coder names it (this machine alone would suggest ${hardware.model}: ${hardware.reason})`,
    alternatives: configured === hardware.model ? hardware.alternatives : [{ model: hardware.model, note: "what this machine's hardware suggests" }],
    source: "settings",
    cpu: hardware.cpu,
  };
}

function recommendFromHardware(report: HardwareReport): Recommendation {
  const budget = report.gpuBudgetBytes;
  const where =
    report.budgetSource === "apple-unified"
      ? `about ${gib(budget ?? 0)} of this Mac's ${gib(report.memory?.totalBytes ?? 0)} unified memory can hold a model`
      : report.budgetSource === "nvidia"
        ? `the NVIDIA GPU has ${gib((budget ?? 0) + displayReserve)} of memory`
        : `the GPU has ${gib((budget ?? 0) + displayReserve)} of memory`;

  if (budget !== null) {
    for (const spec of coderSizes) {
      const context = largestFittingContext(spec.size, budget, minimumTierContext);
      if (context === undefined) continue;
      const alternatives: Recommendation["alternatives"] = [];
      const bigger = coderSizes[coderSizes.indexOf(spec) - 1];
      if (bigger) {
        alternatives.push({
          model: coderModel(bigger.size),
          note: `needs about ${gib(bytesNeeded(bigger, minimumTierContext))} at an 8K context; it would run partly on the CPU here, several times slower`,
        });
      }
      if (spec.size === "32b") {
        const fourteen = largestFittingContext("14b", budget);
        if (fourteen && fourteen > context) alternatives.push({ model: coderModel("14b"), note: `fits with a ${fourteen / 1024}K context, for larger files` });
      }
      return {
        model: coderModel(spec.size),
        size: spec.size,
        contextTokens: context,
        reason: `${capitalise(where)}: ${coderModel(spec.size)} (about ${gib(spec.weightsBytes)}) fits entirely in it with a ${context / 1024}K context.`,
        alternatives,
        source: "hardware",
        cpu: false,
      };
    }
  }

  const why =
    report.gpus.length === 0
      ? report.container
        ? "No GPU is visible (this looks like a container)"
        : "No GPU was found"
      : budget === null
        ? "No GPU whose memory can be used for models was found"
        : `The GPU's ${gib(budget + displayReserve)} cannot hold even a 7B model with an 8K context`;
  const alternatives: Recommendation["alternatives"] = [];
  const seven = coderSizes.find((s) => s.size === "7b")!;
  const available = report.memory?.availableBytes ?? 0;
  if (available >= bytesNeeded(seven, cpuContext) + 2 * GiB) {
    alternatives.push({
      model: coderModel("7b"),
      note: `fits in the ${gib(available)} of free memory and writes better edits, but on a CPU expect a few tokens a second: minutes for each plan and edit`,
    });
  }
  return {
    model: coderModel("1.5b"),
    size: "1.5b",
    contextTokens: cpuContext,
    reason: `${why}, so the model runs on the CPU: ${coderModel("1.5b")} is the size that stays responsive there, with an 8K context to keep prompt reading quick.`,
    alternatives,
    source: "hardware",
    cpu: true,
  };
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** The coder size named in a model tag like `qwen2.5-coder:7b` or `qwen2.5-coder:14b-instruct-q8_0`. */
export function sizeOfCoder(model: string): CoderSize | undefined {
  const match = /qwen2\.5-coder:(1\.5b|7b|14b|32b)/i.exec(model);
  return match ? (match[1]!.toLowerCase() as CoderSize) : undefined;
}

/** Parameter count in billions from a model name or a runtime's parameter-size figure ("7.6B", "494M"). */
export function parameterBillions(...hints: (string | undefined)[]): number | undefined {
  for (const hint of hints) {
    if (!hint) continue;
    const size = sizeOfCoder(hint);
    if (size) return coderSizes.find((s) => s.size === size)!.params;
    const match = /(?:^|[^\d.])(\d+(?:\.\d+)?)\s*([bm])(?![a-z])/i.exec(hint);
    if (match) {
      const value = parseFloat(match[1]!);
      return match[2]!.toLowerCase() === "m" ? value / 1000 : value;
    }
  }
  return undefined;
}

/** Rough memory a model needs at a context, for the hot-swap "do both fit" check. */
export function estimateModelBytes(model: string, sizeBytes: number | undefined, contextTokens: number): number {
  const size = sizeOfCoder(model);
  const spec = size ? coderSizes.find((s) => s.size === size) : undefined;
  const weights = sizeBytes ?? spec?.weightsBytes ?? 5 * GiB;
  // Without the architecture, assume a mid-size model's KV cost per token.
  const kv = spec?.kvBytesPerToken ?? 128 * 1024;
  return weights + kv * contextTokens + overheadBytes;
}

/** A short description of the machine for doctor output. */
export function describeHardware(report: HardwareReport): string[] {
  const lines: string[] = [];
  lines.push(`System: ${report.platform} ${report.arch}${report.container ? " (container)" : ""}`);
  if (report.memory) lines.push(`Memory: ${gib(report.memory.totalBytes)} total, ${gib(report.memory.availableBytes)} available`);
  if (report.gpus.length === 0) lines.push("GPU: none found");
  for (const gpu of report.gpus) {
    const memory = gpu.kind === "apple" ? "unified memory" : gpu.vramMiB ? `${gib(gpu.vramMiB * MiB)}${gpu.trusted ? "" : " (reported, not trusted)"}` : "memory unknown";
    lines.push(`GPU: ${[gpu.vendor, gpu.model].filter(Boolean).join(" ") || "unknown"}, ${memory}`);
  }
  for (const note of report.notes) lines.push(`Note: ${note}`);
  return lines;
}
