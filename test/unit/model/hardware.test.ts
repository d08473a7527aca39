/**
 * Hardware tiers from recorded `systeminformation` answers: exact NVIDIA figures, Apple unified
 * memory, AMD and Intel figures that cannot be trusted, virtual adapters, containers with no GPU,
 * and calls that resolve null or fail. Each case names the coder size and context it must lead to.
 */
import { describe, expect, it } from "vitest";
import { detectHardware, recommend, type HardwareSource } from "../../../server/src/agent/model/hardware.js";

const GiB = 1024 ** 3;

interface Case {
  name: string;
  platform: NodeJS.Platform;
  graphics: Awaited<ReturnType<HardwareSource["graphics"]>> | Error;
  memGiB: number | null;
  system?: { model: string; virtual?: boolean };
  model: string;
  context: number;
  cpu: boolean;
  reason: RegExp;
  note?: RegExp;
  alternative?: RegExp;
}

const nvidiaCard = (name: string, mib: number) => ({
  vendor: "NVIDIA Corporation",
  model: name,
  bus: "PCI",
  vram: mib,
  vramDynamic: false,
  name: `NVIDIA ${name}`,
  memoryTotal: mib,
  memoryUsed: 300,
  memoryFree: mib - 300,
});

const cases: Case[] = [
  { name: "NVIDIA 24 GB", platform: "linux", graphics: { controllers: [nvidiaCard("GeForce RTX 4090", 24564)] }, memGiB: 64, model: "qwen2.5-coder:32b", context: 12288, cpu: false, reason: /NVIDIA GPU has 24 GB/, alternative: /14b/ },
  { name: "NVIDIA 12 GB", platform: "linux", graphics: { controllers: [nvidiaCard("GeForce RTX 3060", 12288)] }, memGiB: 32, model: "qwen2.5-coder:14b", context: 8192, cpu: false, reason: /fits entirely/ },
  { name: "NVIDIA 8 GB", platform: "win32", graphics: { controllers: [nvidiaCard("GeForce RTX 3070", 8192)] }, memGiB: 16, model: "qwen2.5-coder:7b", context: 32768, cpu: false, reason: /7b/ },
  { name: "NVIDIA 4 GB", platform: "linux", graphics: { controllers: [nvidiaCard("GeForce GTX 1650", 4096)] }, memGiB: 16, model: "qwen2.5-coder:1.5b", context: 32768, cpu: false, reason: /GPU has 4\.0 GB/ },
  {
    name: "NVIDIA without nvidia-smi (aperture only)",
    platform: "linux",
    graphics: { controllers: [{ vendor: "NVIDIA Corporation", model: "TU117 [GeForce GTX 1650]", bus: "PCI", vram: 256, vramDynamic: false }] },
    memGiB: 16,
    model: "qwen2.5-coder:1.5b",
    context: 8192,
    cpu: true,
    reason: /No GPU whose memory can be used/,
    note: /nvidia-smi/,
  },
  {
    name: "Apple M2, 16 GB unified",
    platform: "darwin",
    graphics: { controllers: [{ vendor: "Apple", model: "Apple M2", bus: "Built-In", vram: null, vramDynamic: true }] },
    memGiB: 16,
    model: "qwen2.5-coder:7b",
    context: 32768,
    cpu: false,
    reason: /unified memory/,
  },
  {
    name: "Apple M3 Max, 64 GB unified",
    platform: "darwin",
    graphics: { controllers: [{ vendor: "Apple", model: "Apple M3 Max", bus: "Built-In", vram: null, vramDynamic: true }] },
    memGiB: 64,
    model: "qwen2.5-coder:32b",
    context: 32768,
    cpu: false,
    reason: /64 GB unified memory/,
  },
  {
    name: "AMD on Linux (aperture, not memory)",
    platform: "linux",
    graphics: { controllers: [{ vendor: "Advanced Micro Devices, Inc. [AMD/ATI]", model: "Navi 31 [Radeon RX 7900 XT/7900 XTX]", bus: "PCI", vram: 32768, vramDynamic: false }] },
    memGiB: 32,
    model: "qwen2.5-coder:1.5b",
    context: 8192,
    cpu: true,
    reason: /No GPU whose memory can be used/,
    note: /cannot be read reliably on Linux/,
    alternative: /7b.*CPU/,
  },
  {
    name: "AMD on Windows, capped figure",
    platform: "win32",
    graphics: { controllers: [{ vendor: "Advanced Micro Devices, Inc.", model: "AMD Radeon RX 6800", bus: "PCI", vram: 4095, vramDynamic: false }] },
    memGiB: 32,
    model: "qwen2.5-coder:1.5b",
    context: 8192,
    cpu: true,
    reason: /No GPU whose memory/,
    note: /caps this figure at 4 GB/,
  },
  {
    name: "AMD on Windows, real figure",
    platform: "win32",
    graphics: { controllers: [{ vendor: "Advanced Micro Devices, Inc.", model: "AMD Radeon RX 6800", bus: "PCI", vram: 16368, vramDynamic: false }] },
    memGiB: 32,
    model: "qwen2.5-coder:14b",
    context: 24576,
    cpu: false,
    reason: /GPU has 16 GB/,
  },
  {
    name: "Intel integrated graphics",
    platform: "linux",
    graphics: { controllers: [{ vendor: "Intel Corporation", model: "Alder Lake-P GT2 [Iris Xe Graphics]", bus: "Onboard", vram: 256, vramDynamic: false }] },
    memGiB: 16,
    model: "qwen2.5-coder:1.5b",
    context: 8192,
    cpu: true,
    reason: /No GPU whose memory can be used/,
    note: /integrated graphics/,
  },
  {
    name: "virtual machine adapter",
    platform: "linux",
    graphics: { controllers: [{ vendor: "VMware", model: "SVGA II Adapter", bus: "PCI", vram: 16, vramDynamic: false }] },
    memGiB: 8,
    model: "qwen2.5-coder:1.5b",
    context: 8192,
    cpu: true,
    reason: /No GPU whose memory can be used/,
  },
  {
    name: "container with no GPU (recorded on this machine)",
    platform: "linux",
    graphics: { controllers: [], displays: [] } as never,
    memGiB: 23.5,
    system: { model: "Docker Container", virtual: true },
    model: "qwen2.5-coder:1.5b",
    context: 8192,
    cpu: true,
    reason: /No GPU is visible \(this looks like a container\)/,
    note: /container that sees no GPU/,
    alternative: /7b.*minutes/,
  },
  { name: "graphics() resolves null (BSD)", platform: "freebsd", graphics: null, memGiB: 8, model: "qwen2.5-coder:1.5b", context: 8192, cpu: true, reason: /No GPU was found/, note: /could not be queried/ },
  { name: "graphics() throws", platform: "linux", graphics: new Error("lspci failed"), memGiB: null, model: "qwen2.5-coder:1.5b", context: 8192, cpu: true, reason: /No GPU was found/, note: /memory could not be read/ },
  { name: "controllers null", platform: "linux", graphics: { controllers: null }, memGiB: 4, model: "qwen2.5-coder:1.5b", context: 8192, cpu: true, reason: /on the CPU/ },
];

function source(c: Case): HardwareSource {
  return {
    platform: c.platform,
    arch: c.platform === "darwin" ? "arm64" : "x64",
    graphics: async () => {
      if (c.graphics instanceof Error) throw c.graphics;
      return c.graphics;
    },
    mem: async () => (c.memGiB === null ? null : { total: c.memGiB * GiB, available: c.memGiB * 0.85 * GiB }),
    system: async () => c.system ?? { model: "Desktop" },
  };
}

describe("hardware tiers from recorded systeminformation output", () => {
  for (const c of cases) {
    it(c.name, async () => {
      const report = await detectHardware(source(c));
      const rec = recommend(report);
      expect(rec.model).toBe(c.model);
      expect(rec.contextTokens).toBe(c.context);
      expect(rec.cpu).toBe(c.cpu);
      expect(rec.reason).toMatch(c.reason);
      if (c.note) expect(report.notes.join(" ")).toMatch(c.note);
      if (c.alternative) expect(rec.alternatives.map((a) => `${a.model}: ${a.note}`).join(" ")).toMatch(c.alternative);
    });
  }

  it("offers 7b on a CPU only when memory allows, saying it will be slow", async () => {
    const small = recommend(await detectHardware({ platform: "linux", graphics: async () => ({ controllers: [] }), mem: async () => ({ total: 6 * GiB, available: 4 * GiB }) }));
    expect(small.alternatives).toEqual([]);
    const large = recommend(await detectHardware({ platform: "linux", graphics: async () => ({ controllers: [] }), mem: async () => ({ total: 32 * GiB, available: 28 * GiB }) }));
    expect(large.alternatives[0]!.model).toBe("qwen2.5-coder:7b");
    expect(large.alternatives[0]!.note).toMatch(/on a CPU expect a few tokens a second/);
  });

  it("lets the settings override the model and the context", async () => {
    const report = await detectHardware(source(cases[2]!));
    const configured = recommend(report, { models: { coder: "qwen2.5-coder:14b" } });
    expect(configured).toMatchObject({ model: "qwen2.5-coder:14b", source: "settings" });
    expect(configured.reason).toMatch(/models\.coder/);
    expect(configured.reason).toMatch(/qwen2\.5-coder:7b/);
    expect(recommend(report, { contextTokens: 16384 })).toMatchObject({ model: "qwen2.5-coder:7b", contextTokens: 16384, source: "settings" });
  });

  it("runs real detection on this machine without failing", async () => {
    const report = await detectHardware();
    expect(report.platform).toBe(process.platform);
    expect(recommend(report).model).toMatch(/^qwen2\.5-coder:/);
  });
});
