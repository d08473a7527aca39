/**
 * The providers Burrow knows by name: where each one listens, which wire protocol it speaks, which
 * environment variable holds its key, and the model used when the settings name none.
 *
 * Keys are only ever read from these environment variables (never from settings, which a workspace
 * file could supply), and only their presence is ever shown.
 */

export type WireProtocol = "ollama" | "lmstudio" | "openai-compatible" | "anthropic";

export interface CloudProviderSpec {
  name: string;
  label: string;
  protocol: "openai-compatible" | "anthropic";
  baseUrl: string;
  /** Environment variables holding the key, in order of preference. */
  keyVariables: string[];
  /** An environment variable that may override the base URL. */
  baseUrlVariable?: string;
  defaultModel: string;
}

export const cloudProviders: readonly CloudProviderSpec[] = [
  {
    name: "anthropic",
    label: "Anthropic",
    protocol: "anthropic",
    baseUrl: "https://api.anthropic.com/v1",
    keyVariables: ["ANTHROPIC_API_KEY"],
    baseUrlVariable: "ANTHROPIC_BASE_URL",
    defaultModel: "claude-sonnet-4-5",
  },
  {
    name: "openai",
    label: "OpenAI",
    protocol: "openai-compatible",
    baseUrl: "https://api.openai.com/v1",
    keyVariables: ["OPENAI_API_KEY"],
    baseUrlVariable: "OPENAI_BASE_URL",
    defaultModel: "gpt-4.1",
  },
  {
    name: "gemini",
    label: "Google Gemini",
    protocol: "openai-compatible",
    baseUrl: "https://generativelanguage.googleapis.com/v1beta/openai",
    keyVariables: ["GEMINI_API_KEY", "GOOGLE_GENERATIVE_AI_API_KEY"],
    defaultModel: "gemini-2.5-flash",
  },
  {
    name: "mistral",
    label: "Mistral",
    protocol: "openai-compatible",
    baseUrl: "https://api.mistral.ai/v1",
    keyVariables: ["MISTRAL_API_KEY"],
    defaultModel: "codestral-latest",
  },
  {
    name: "groq",
    label: "Groq",
    protocol: "openai-compatible",
    baseUrl: "https://api.groq.com/openai/v1",
    keyVariables: ["GROQ_API_KEY"],
    defaultModel: "llama-3.3-70b-versatile",
  },
  {
    name: "openrouter",
    label: "OpenRouter",
    protocol: "openai-compatible",
    baseUrl: "https://openrouter.ai/api/v1",
    keyVariables: ["OPENROUTER_API_KEY"],
    defaultModel: "qwen/qwen-2.5-coder-32b-instruct",
  },
  {
    name: "deepseek",
    label: "DeepSeek",
    protocol: "openai-compatible",
    baseUrl: "https://api.deepseek.com",
    keyVariables: ["DEEPSEEK_API_KEY"],
    defaultModel: "deepseek-chat",
  },
  {
    name: "xai",
    label: "xAI",
    protocol: "openai-compatible",
    baseUrl: "https://api.x.ai/v1",
    keyVariables: ["XAI_API_KEY"],
    defaultModel: "grok-code-fast-1",
  },
  {
    name: "together",
    label: "Together AI",
    protocol: "openai-compatible",
    baseUrl: "https://api.together.xyz/v1",
    keyVariables: ["TOGETHER_API_KEY", "TOGETHER_AI_API_KEY"],
    defaultModel: "Qwen/Qwen2.5-Coder-32B-Instruct",
  },
];

export const localProviders = ["ollama", "lmstudio"] as const;

export const DEFAULT_OLLAMA_HOST = "http://127.0.0.1:11434";
export const DEFAULT_LMSTUDIO_HOST = "http://127.0.0.1:1234";

export function cloudProvider(name: string): CloudProviderSpec | undefined {
  return cloudProviders.find((p) => p.name === name.toLowerCase());
}

/** The first key variable of a provider that is set, with its value (never shown to the user). */
export function findKey(spec: CloudProviderSpec, env: NodeJS.ProcessEnv): { variable: string; value: string } | undefined {
  for (const variable of spec.keyVariables) {
    const value = env[variable];
    if (value && value.trim() !== "") return { variable, value: value.trim() };
  }
  return undefined;
}

export function knownProviderNames(): string[] {
  return [...localProviders, ...cloudProviders.map((p) => p.name)];
}
