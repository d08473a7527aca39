/**
 * The hardware as the model layer knows it: detected once, in the background from the moment the
 * router is built (detection starts processes such as nvidia-smi and takes a moment), and assumed
 * to be a machine without a usable GPU until it has finished, so nothing ever waits for it merely
 * to name a model.
 */
import { detectHardware, recommend, type HardwareReport, type HardwareSource, type Recommendation } from "./hardware.js";
import type { Settings } from "../settings.js";

/** What is assumed before detection finishes: the CPU tier, the one that runs everywhere. */
function assumedCpuOnly(): HardwareReport {
  return {
    platform: process.platform,
    arch: process.arch,
    gpus: [],
    memory: null,
    gpuBudgetBytes: null,
    budgetSource: "cpu",
    container: false,
    notes: [],
    detectedInMs: 0,
  };
}

export class KnownHardware {
  private known: HardwareReport | undefined;
  private pending: Promise<HardwareReport> | undefined;

  /**
   * @param given a report already detected (tests, or a router rebuilt after a settings change);
   *   without one, detection starts now from `source`.
   */
  constructor(
    given: HardwareReport | undefined,
    private readonly source: HardwareSource | undefined,
    private readonly log: (message: string) => void,
  ) {
    this.known = given;
    if (!given) {
      void this.report().catch((err: unknown) => log(`hardware: detection failed: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  /** The detected report (detected once, then cached). */
  report(): Promise<HardwareReport> {
    if (this.known) return Promise.resolve(this.known);
    this.pending ??= detectHardware(this.source).then((report) => {
      this.known = report;
      this.log(`hardware: ${report.gpus.length} GPU(s), budget ${report.gpuBudgetBytes ?? "none"} (${report.detectedInMs} ms)`);
      return report;
    });
    return this.pending;
  }

  /** The tier for the hardware as known now (the CPU tier until detection has finished), with the settings applied. */
  recommendation(settings: Settings): Recommendation {
    return recommend(this.known ?? assumedCpuOnly(), settings);
  }
}
