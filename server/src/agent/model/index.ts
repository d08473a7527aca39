/**
 * The model layer's public face: the router (which also administers models), hardware detection
 * and tiers, the egress ledger reader, the provider catalogue, and the shared types. Everything
 * else in this folder is an implementation detail behind `createModelRouter`.
 */
export { createModelRouter, type ModelRouterOptions } from "./router.js";
export type { ModelAdmin } from "./admin.js";
export { detectHardware, recommend, describeHardware, type HardwareReport, type HardwareSource, type Recommendation } from "./hardware.js";
export { readLedger, LEDGER_PATH, type LedgerEntry } from "./egress.js";
export { renderDoctorReport, type DoctorReport } from "./doctor.js";
export { cloudEntries, runtimeEntries, knownProviderNames } from "./catalogue.js";
export * from "./types.js";
