/**
 * Burrow's settings: one schema, read from `initializationOptions`, `workspace/configuration`
 * (section `burrow`) and, for the terminal commands, flags. Every field is optional; the defaults
 * below are what a user gets with no configuration at all.
 *
 * Keys for cloud providers are deliberately absent: they come from the environment only, never
 * from settings that a workspace file could supply.
 */
import { z } from "zod";
import type { Outcome } from "./outcome.js";

const cloudProvider = z
  .object({
    model: z.string().optional(),
    baseUrl: z.string().optional(),
  })
  .strict();

export const settingsSchema = z
  .object({
    /** `ollama` (default), `lmstudio`, or a cloud provider's name (model/catalogue.ts lists them). */
    provider: z.string().optional(),
    models: z
      .object({
        coder: z.string().optional(),
        chat: z.string().optional(),
      })
      .strict()
      .optional(),
    ollama: z
      .object({
        host: z.string().optional(),
        /** How long Ollama keeps a model loaded after a request ("10m", "24h", seconds, -1 for ever). */
        keepAlive: z.union([z.number(), z.string()]).optional(),
      })
      .strict()
      .optional(),
    /** How long to wait for a model's first byte (cold loads on a CPU take minutes) and between chunks. */
    timeouts: z
      .object({
        firstByteSeconds: z.number().positive().optional(),
        stallSeconds: z.number().positive().optional(),
      })
      .strict()
      .optional(),
    lmstudio: z.object({ host: z.string().optional() }).strict().optional(),
    cloud: z.record(z.string(), cloudProvider).optional(),
    /** Unload the chat model while the coder runs (and back) when both do not fit together. */
    hotSwap: z.boolean().optional(),
    /** Override the edit format chosen from the model's size. */
    editFormat: z.enum(["whole-file", "search-replace"]).optional(),
    /** Context window to use, in tokens, overriding the hardware tier's choice. */
    contextTokens: z.number().int().positive().optional(),
    sandbox: z
      .object({
        /** Named exceptions to the secret rules (gitignore-style patterns, e.g. ".env.example"). */
        allow: z.array(z.string()).optional(),
        maxFileBytes: z.number().int().positive().optional(),
      })
      .strict()
      .optional(),
  })
  .passthrough();

export type Settings = z.infer<typeof settingsSchema>;

export const DEFAULT_MAX_FILE_BYTES = 256 * 1024;

/**
 * Validate settings from a client. Unknown top-level keys are kept (newer clients may send more);
 * a malformed known key is reported rather than silently ignored.
 */
export function parseSettings(raw: unknown): Outcome<{ settings: Settings }> {
  if (raw === undefined || raw === null) return { ok: true, settings: {} };
  const parsed = settingsSchema.safeParse(raw);
  if (parsed.success) return { ok: true, settings: parsed.data };
  const first = parsed.error.issues[0];
  const where = first?.path.join(".") || "settings";
  return { ok: false, reason: `Burrow setting "${where}" is not valid: ${first?.message ?? "unknown problem"}.` };
}

/** Deep-merge settings, later sources winning (initializationOptions, then workspace/configuration). */
export function mergeSettings(...sources: Settings[]): Settings {
  const out: Record<string, unknown> = {};
  for (const source of sources) mergeInto(out, source as Record<string, unknown>);
  return out as Settings;
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    if (value === undefined) continue;
    const existing = target[key];
    if (isPlainObject(value) && isPlainObject(existing)) {
      const copy = { ...existing };
      mergeInto(copy, value);
      target[key] = copy;
    } else {
      target[key] = value;
    }
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
