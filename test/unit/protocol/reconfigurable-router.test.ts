/**
 * The router the services hold across a configuration reload: a view taken before `reconfigure`
 * reaches the router built after it, the old router is disposed, and the hardware report is handed
 * to the new one so detection is not repeated.
 */
import { describe, expect, it } from "vitest";
import type { HardwareReport } from "../../../server/src/agent/model/index.js";
import type { Settings } from "../../../server/src/agent/settings.js";
import { ReconfigurableRouter, type FullRouter } from "../../../server/src/services/reconfigurable-router.js";

interface Built {
  settings: Settings;
  hardware: HardwareReport | undefined;
  disposed: boolean;
}

function recordingFactory() {
  const built: Built[] = [];
  const report = { tier: "cpu" } as unknown as HardwareReport;
  const create = (settings: Settings, hardware?: HardwareReport): FullRouter => {
    const record: Built = { settings, hardware, disposed: false };
    built.push(record);
    // Only the methods this test calls; the view forwards by name, so the rest are never reached.
    return {
      describe: () => ({ provider: "ollama", model: (settings as { models?: { coder?: string } }).models?.coder ?? "default" }),
      hardware: async () => report,
      dispose: async () => {
        record.disposed = true;
      },
    } as unknown as FullRouter;
  };
  return { built, create, report };
}

describe("ReconfigurableRouter", () => {
  it("routes every later call through the router built from the new settings", async () => {
    const { built, create, report } = recordingFactory();
    const routing = new ReconfigurableRouter(create, { models: { coder: "first" } } as Settings);
    const held = routing.router;
    expect(held.describe("coder")).toMatchObject({ model: "first" });

    await routing.reconfigure({ models: { coder: "second" } } as Settings);
    expect(held.describe("coder")).toMatchObject({ model: "second" });
    expect(built.map((b) => b.disposed)).toEqual([true, false]);
    expect(built[1]!.hardware).toBe(report);

    await routing.dispose();
    expect(built[1]!.disposed).toBe(true);
  });
});
