/**
 * clients/helix/languages.toml, checked line by line: Burrow is declared once as a stdio server,
 * and every language lists Helix's own servers first and Burrow last, limited to the features
 * Burrow provides, so it never takes over hover, completion or formatting.
 */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const file = join(dirname(fileURLToPath(import.meta.url)), "..", "..", "clients", "helix", "languages.toml");
const text = readFileSync(file, "utf8");
const BURROW_ENTRY = '{ name = "burrow", only-features = ["code-action", "workspace-command", "diagnostics"] }';

interface Language {
  name: string;
  servers: string;
}

function languages(): Language[] {
  const out: Language[] = [];
  const blocks = text.split(/^\[\[language\]\]$/m).slice(1);
  for (const block of blocks) {
    const name = /^name = "([^"]+)"$/m.exec(block)?.[1];
    const servers = /^language-servers = \[(.*)\]$/m.exec(block)?.[1];
    if (name && servers) out.push({ name, servers });
  }
  return out;
}

describe("clients/helix/languages.toml", () => {
  it("declares the burrow server once, started with --stdio", () => {
    expect(text.match(/^\[language-server\.burrow\]$/gm)).toHaveLength(1);
    expect(text).toMatch(/^command = "burrow"$/m);
    expect(text).toMatch(/^args = \["--stdio"\]$/m);
    expect(text).toMatch(/^timeout = \d+$/m);
  });

  it("covers the common languages, each once", () => {
    const names = languages().map((l) => l.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(["rust", "python", "javascript", "typescript", "tsx", "go", "c", "cpp", "java", "ruby", "lua", "bash", "markdown", "diff"]));
    expect(text.split(/^\[\[language\]\]$/m).length - 1).toBe(names.length);
  });

  it.each(languages().map((l) => [l.name, l] as const))("%s: Helix's servers first, then Burrow with only its features", (_name, language) => {
    const entries = language.servers.split(/,\s*(?![^{]*\})/).map((e) => e.trim());
    // Helix ships no server for diffs (Burrow's gate-2 document), so there Burrow stands alone.
    expect(entries.length).toBeGreaterThanOrEqual(language.name === "diff" ? 1 : 2);
    expect(entries[entries.length - 1]).toBe(BURROW_ENTRY);
    for (const entry of entries.slice(0, -1)) expect(entry).toMatch(/^"[a-z0-9_-]+"$/);
  });
});
