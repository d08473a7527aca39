/**
 * The context engine's public face: `createContextEngine` for the pipeline, the CLI and the
 * benchmarks, and `estimateTokens`, the one token estimate the whole project budgets with.
 */
export { createContextEngine, type ContextEngineInternals, type ContextEngineOptions, type RefreshStats } from "./engine.js";
export { estimateTokens } from "./tokens.js";
export { DEFAULT_WEIGHTS, type RankWeights } from "./rank.js";
export type { ContextEngine, ContextQuery, FileView, RankedFile, RepoContext } from "./types.js";
