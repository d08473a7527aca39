/**
 * The providers Burrow knows by name, and everything particular about each: where it listens, how
 * it is built, which environment variable holds its key, the model used when the settings name
 * none, and its quirks (a server that only takes a generic JSON mode, a header a gateway wants, the
 * name a runtime gives a model). The router and the administration read these fields and never
 * test a provider's name, so a new provider is its own module plus one entry here.
 *
 * Runtimes (software the user runs, on this machine or on a host they named) are listed in the
 * order `provider: "auto"` would try them. Cloud services are used only when a task or the settings
 * name one, and only after consent.
 *
 * Keys are only ever read from environment variables (never from settings, which a workspace file
 * could supply), and only their presence is ever shown.
 */
import { createAnthropicProvider } from "./anthropic.js";
import { runtimeHost, type EgressGate, type RuntimeHost } from "./egress.js";
import type { HttpTimeouts } from "./http-client.js";
import { createLmStudioProvider } from "./lmstudio.js";
import { createOllamaProvider } from "./ollama.js";
import { createOpenAiCompatibleProvider, type StructuredOutputStyle } from "./openai-compatible.js";
import type { LocalRuntime, Provider } from "./provider.js";
import { sizeOfCoder } from "./hardware.js";
import type { Settings } from "../settings.js";

/** The provider used when neither the settings nor a task name one. */
export const DEFAULT_PROVIDER = "ollama";

/** What every provider is built with. */
export interface ProviderContext {
  settings: Settings;
  env: NodeJS.ProcessEnv;
  gate: EgressGate;
  timeouts: Partial<HttpTimeouts>;
  /** Interval between download status polls, for runtimes that report downloads by polling. */
  pullPollMs?: number;
}

/** What every entry has: the name users type, the name shown, and other spellings users type ("lm-studio"). */
interface EntryBase {
  name: string;
  label: string;
  aliases?: readonly string[];
}

/** Software the user runs: Ollama, LM Studio. */
export interface RuntimeEntry extends EntryBase {
  kind: "runtime";
  /** The address as the user wrote it (a setting or an environment variable), if they did. */
  hostSetting(settings: Settings, env: NodeJS.ProcessEnv): string | undefined;
  /** The port assumed when the written address has none. */
  defaultPort: string;
  /** Where it listens when the user said nothing. */
  defaultUrl: string;
  create(context: ProviderContext & { baseUrl: string }): LocalRuntime;
  /**
   * The runtime's name for a model the settings or the hardware tier name in Ollama's tag form
   * (`qwen2.5-coder:7b`); absent when the runtime uses those names itself.
   */
  modelName?(model: string): string;
  /**
   * What the check before a task looks at: `installed` finds the model in the runtime's list;
   * `reachable` only checks that the runtime answers, for a runtime that finds and loads a
   * downloaded model itself at the first request.
   */
  preflight: "installed" | "reachable";
  /** The command that installs a model, named when a task finds it missing. */
  installCommand(model: string): string;
  /** Doctor's advice when the runtime is not running. */
  startAdvice(coderModel: string): string;
  /** Doctor's advice when a configured model is not installed. */
  installAdvice(model: string): string;
  /** The oldest version Burrow works with, and what to tell the user of an older one. */
  minimumVersion?: { version: [number, number, number]; advice(version: string): string };
}

/** A hosted service reached over the network with a key from the environment. */
export interface CloudEntry extends EntryBase {
  kind: "cloud";
  /** The wire protocol, as the configuration docs list it. */
  protocol: "openai-compatible" | "anthropic";
  baseUrl: string;
  /** Environment variables holding the key, in order of preference. */
  keyVariables: string[];
  /** An environment variable that may override the base URL. */
  baseUrlVariable?: string;
  defaultModel: string;
  /** How the service takes a JSON schema for the plan, when not OpenAI's `json_schema`. */
  structuredOutput?: StructuredOutputStyle;
  /** Headers the service wants on every request. */
  headers?: Record<string, string>;
  create(connection: CloudConnection): Provider;
}

/** What a cloud provider is built with: its entry, and the address and key found for it. */
export interface CloudConnection {
  entry: CloudEntry;
  baseUrl: string;
  apiKey?: string;
  gate: EgressGate;
  timeouts: Partial<HttpTimeouts>;
}

export type ProviderEntry = RuntimeEntry | CloudEntry;

/** The chat-completions client, configured from a cloud entry's quirks. */
function openAiCompatible(c: CloudConnection): Provider {
  return createOpenAiCompatibleProvider({
    name: c.entry.name,
    label: c.entry.label,
    baseUrl: c.baseUrl,
    apiKey: c.apiKey,
    keyVariable: c.entry.keyVariables[0],
    gate: c.gate,
    timeouts: c.timeouts,
    structuredOutput: c.entry.structuredOutput,
    headers: c.entry.headers,
  });
}

function anthropic(c: CloudConnection): Provider {
  return createAnthropicProvider({ baseUrl: c.baseUrl, apiKey: c.apiKey, keyVariable: c.entry.keyVariables[0]!, gate: c.gate, timeouts: c.timeouts });
}

export const runtimeEntries: readonly RuntimeEntry[] = [
  {
    kind: "runtime",
    name: "ollama",
    label: "Ollama",
    hostSetting: (settings, env) => settings.ollama?.host ?? env.OLLAMA_HOST,
    defaultPort: "11434",
    defaultUrl: "http://127.0.0.1:11434",
    create: (c) => createOllamaProvider({ baseUrl: c.baseUrl, gate: c.gate, keepAlive: c.settings.ollama?.keepAlive, timeouts: c.timeouts }),
    preflight: "installed",
    installCommand: (model) => `\`ollama pull ${model}\``,
    startAdvice: (coder) =>
      `Install Ollama (https://ollama.com/download) and start it with \`ollama serve\`, or set OLLAMA_HOST if it runs elsewhere. Then: burrow models pull ${coder}`,
    installAdvice: (model) => `Install ${model}: burrow models pull ${model} (or \`ollama pull ${model}\`).`,
    minimumVersion: {
      version: [0, 5, 0],
      advice: (version) =>
        `Ollama ${version} is older than 0.5.0, which Burrow needs for structured plans (a JSON schema in "format"). Update it from https://ollama.com/download.`,
    },
  },
  {
    kind: "runtime",
    name: "lmstudio",
    label: "LM Studio",
    aliases: ["lm-studio", "lm studio"],
    hostSetting: (settings) => settings.lmstudio?.host,
    defaultPort: "1234",
    defaultUrl: "http://127.0.0.1:1234",
    create: (c) => createLmStudioProvider({ baseUrl: c.baseUrl, gate: c.gate, apiToken: c.env.LM_API_TOKEN, timeouts: c.timeouts, pullPollMs: c.pullPollMs }),
    // LM Studio names models by key, not by Ollama tag: a retry "on qwen2.5-coder:7b" means its key.
    modelName: (model) => {
      const size = sizeOfCoder(model);
      return size ? `qwen2.5-coder-${size}-instruct` : model;
    },
    preflight: "reachable",
    installCommand: (model) => `\`lms get ${model}\``,
    startAdvice: () => "Start LM Studio's server with `lms server start` (or the Developer tab), or set lmstudio.host.",
    installAdvice: (model) => `Download ${model} in LM Studio, or \`lms get ${model}\`.`,
  },
];

export const cloudEntries: readonly CloudEntry[] = [
  {
    kind: "cloud",
    name: "anthropic",
    label: "Anthropic",
    protocol: "anthropic",
    baseUrl: "https://api.anthropic.com/v1",
    keyVariables: ["ANTHROPIC_API_KEY"],
    baseUrlVariable: "ANTHROPIC_BASE_URL",
    defaultModel: "claude-sonnet-4-5",
    create: anthropic,
  },
  {
    kind: "cloud",
    name: "openai",
    label: "OpenAI",
    protocol: "openai-compatible",
    baseUrl: "https://api.openai.com/v1",
    keyVariables: ["OPENAI_API_KEY"],
    baseUrlVariable: "OPENAI_BASE_URL",
    defaultModel: "gpt-4.1",
    create: openAiCompatible,
  },
  {
    kind: "cloud",
    name: "gemini",
    label: "Google Gemini",
    protocol: "openai-compatible",
    baseUrl: "https://generativelanguage.googleapis.com/v1beta/openai",
    keyVariables: ["GEMINI_API_KEY", "GOOGLE_GENERATIVE_AI_API_KEY"],
    defaultModel: "gemini-2.5-flash",
    create: openAiCompatible,
  },
  {
    kind: "cloud",
    name: "mistral",
    label: "Mistral",
    protocol: "openai-compatible",
    baseUrl: "https://api.mistral.ai/v1",
    keyVariables: ["MISTRAL_API_KEY"],
    defaultModel: "codestral-latest",
    create: openAiCompatible,
  },
  {
    kind: "cloud",
    name: "groq",
    label: "Groq",
    protocol: "openai-compatible",
    baseUrl: "https://api.groq.com/openai/v1",
    keyVariables: ["GROQ_API_KEY"],
    defaultModel: "llama-3.3-70b-versatile",
    // The schema goes as an instruction under its generic JSON mode.
    structuredOutput: "json_object",
    create: openAiCompatible,
  },
  {
    kind: "cloud",
    name: "openrouter",
    label: "OpenRouter",
    protocol: "openai-compatible",
    baseUrl: "https://openrouter.ai/api/v1",
    keyVariables: ["OPENROUTER_API_KEY"],
    defaultModel: "qwen/qwen-2.5-coder-32b-instruct",
    // OpenRouter attributes requests to an application by this header.
    headers: { "x-title": "Burrow" },
    create: openAiCompatible,
  },
  {
    kind: "cloud",
    name: "deepseek",
    label: "DeepSeek",
    protocol: "openai-compatible",
    baseUrl: "https://api.deepseek.com",
    keyVariables: ["DEEPSEEK_API_KEY"],
    defaultModel: "deepseek-chat",
    // The schema goes as an instruction under its generic JSON mode.
    structuredOutput: "json_object",
    create: openAiCompatible,
  },
  {
    kind: "cloud",
    name: "xai",
    label: "xAI",
    protocol: "openai-compatible",
    baseUrl: "https://api.x.ai/v1",
    keyVariables: ["XAI_API_KEY"],
    defaultModel: "grok-code-fast-1",
    create: openAiCompatible,
  },
  {
    kind: "cloud",
    name: "together",
    label: "Together AI",
    protocol: "openai-compatible",
    baseUrl: "https://api.together.xyz/v1",
    keyVariables: ["TOGETHER_API_KEY", "TOGETHER_AI_API_KEY"],
    defaultModel: "Qwen/Qwen2.5-Coder-32B-Instruct",
    create: openAiCompatible,
  },
];

export const providerEntries: readonly ProviderEntry[] = [...runtimeEntries, ...cloudEntries];

/** The catalogue's name for what a user typed ("LM Studio" → "lmstudio"); an unknown name is returned as typed, lower-cased. */
export function canonicalProviderName(typed: string): string {
  const name = typed.trim().toLowerCase();
  return providerEntries.find((e) => e.name === name || e.aliases?.includes(name))?.name ?? name;
}

export function providerEntry(name: string): ProviderEntry | undefined {
  const canonical = canonicalProviderName(name);
  return providerEntries.find((e) => e.name === canonical);
}

export function cloudProvider(name: string): CloudEntry | undefined {
  const entry = providerEntry(name);
  return entry?.kind === "cloud" ? entry : undefined;
}

export function runtimeEntry(name: string): RuntimeEntry | undefined {
  const entry = providerEntry(name);
  return entry?.kind === "runtime" ? entry : undefined;
}

/** The address of a runtime as the user configured it (for the egress gate), if they did. */
export function configuredRuntimeHost(entry: RuntimeEntry, settings: Settings, env: NodeJS.ProcessEnv): RuntimeHost | undefined {
  return runtimeHost(entry.hostSetting(settings, env), entry.defaultPort);
}

/** The first key variable of a provider that is set, with its value (never shown to the user). */
export function findKey(spec: CloudEntry, env: NodeJS.ProcessEnv): { variable: string; value: string } | undefined {
  for (const variable of spec.keyVariables) {
    const value = env[variable];
    if (value && value.trim() !== "") return { variable, value: value.trim() };
  }
  return undefined;
}

export function knownProviderNames(): string[] {
  return providerEntries.map((p) => p.name);
}
