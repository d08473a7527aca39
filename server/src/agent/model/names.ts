/**
 * Model names as runtimes compare them. Ollama reads a bare name as `name:latest`, so
 * `llama3.2` and `llama3.2:latest` are the same model; LM Studio keys have no tags and pass through.
 */
export function canonicalName(name: string): string {
  const trimmed = name.trim();
  const lastSegment = trimmed.split("/").pop() ?? trimmed;
  return lastSegment.includes(":") ? trimmed : `${trimmed}:latest`;
}
