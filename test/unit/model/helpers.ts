/**
 * Shared pieces for the model tests: fixed hardware reports (so no test runs real detection), a
 * temporary state directory, and a router wired to fake servers.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { HardwareReport } from "../../../server/src/agent/model/hardware.js";
import { createStateStore } from "../../../server/src/agent/sandbox/state.js";
import type { StateStore } from "../../../server/src/agent/sandbox/types.js";

const GiB = 1024 ** 3;

export function cpuOnly(memoryGiB = 16): HardwareReport {
  return {
    platform: "linux",
    arch: "x64",
    gpus: [],
    memory: { totalBytes: memoryGiB * GiB, availableBytes: memoryGiB * 0.8 * GiB },
    gpuBudgetBytes: null,
    budgetSource: "cpu",
    container: false,
    notes: [],
    detectedInMs: 0,
  };
}

export function nvidia(vramGiB: number, memoryGiB = 32): HardwareReport {
  return {
    platform: "linux",
    arch: "x64",
    gpus: [{ vendor: "NVIDIA", model: "Test GPU", kind: "nvidia", vramMiB: vramGiB * 1024, trusted: true }],
    memory: { totalBytes: memoryGiB * GiB, availableBytes: memoryGiB * 0.8 * GiB },
    gpuBudgetBytes: vramGiB * GiB - GiB,
    budgetSource: "nvidia",
    container: false,
    notes: [],
    detectedInMs: 0,
  };
}

export interface TempState {
  dir: string;
  state: StateStore;
  cleanup(): void;
}

export function tempState(): TempState {
  const dir = mkdtempSync(join(tmpdir(), "burrow-model-test-"));
  return { dir, state: createStateStore(join(dir, "burrow")), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A URL nothing listens on: a port from a server that was opened and closed. */
export async function deadUrl(): Promise<string> {
  const { createServer } = await import("node:net");
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}
