/**
 * An ACP prompt (content blocks) read as Burrow's request: the user's words, and the document the
 * user points at.
 *
 * Clients put mentioned files in the prompt as `resource_link` blocks (a URI) or `resource` blocks
 * (the URI and the buffer's text), often in the middle of a sentence. Each becomes the file's name
 * in backticks at its place in the words, the way a user would name it to a colleague (and the way
 * chat recognises a named file). The first file mentioned is the task's current document; a
 * `#L10` or `#L10-20` fragment on its URI is the selection. Images and audio are not read:
 * Burrow's models are text models, and the initialize answer says so.
 */
import { isAbsolute, relative, sep } from "node:path";
import type { ContentBlock } from "@agentclientprotocol/sdk";
import { fileUriToPath } from "../agent/sandbox/uri.js";

export interface ReadPrompt {
  text: string;
  /** The first file the prompt points at. */
  document?: {
    uri: string;
    /** 1-based inclusive lines. */
    selection?: { startLine: number; endLine: number };
    /** The buffer's text, when the client embedded the whole file. */
    text?: string;
  };
}

export function readPrompt(blocks: ContentBlock[], cwd: string): ReadPrompt {
  const parts: string[] = [];
  let document: ReadPrompt["document"];
  for (const block of blocks) {
    if (block.type === "text") {
      parts.push(block.text);
      continue;
    }
    if (block.type !== "resource_link" && block.type !== "resource") continue;
    const uri = block.type === "resource_link" ? block.uri : block.resource.uri;
    const { base, selection } = splitFragment(uri);
    const path = fileUriToPath(base) ?? (isAbsolute(base) ? base : undefined);
    if (path === undefined) {
      // Not a file (an editor's own scheme, a web page): its text, if given, is context in words.
      if (block.type === "resource" && "text" in block.resource) parts.push(`\n\n${block.resource.text}\n\n`);
      continue;
    }
    parts.push(`\`${nameFor(path, cwd)}\``);
    if (document) continue;
    const embedded = block.type === "resource" && "text" in block.resource && selection === undefined ? block.resource.text : undefined;
    document = { uri: base, ...(selection ? { selection } : {}), ...(embedded !== undefined ? { text: embedded } : {}) };
  }
  return { text: joinWords(parts), ...(document ? { document } : {}) };
}

/** Words and names joined with single spaces where the client left none. */
function joinWords(parts: string[]): string {
  let out = "";
  for (const part of parts) {
    if (out !== "" && !/\s$/.test(out) && !/^[\s.,;:!?)]/.test(part)) out += " ";
    out += part;
  }
  return out.trim();
}

/** A path inside the session's folder is named relative to it, as the plan and the user name files. */
function nameFor(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split(sep).join("/") : path;
}

/** `file:///x.ts#L10-20` (or `#L10:20`, `#L10`) to the URI and 1-based lines. */
function splitFragment(uri: string): { base: string; selection?: { startLine: number; endLine: number } } {
  const hash = uri.indexOf("#");
  if (hash < 0) return { base: uri };
  const base = uri.slice(0, hash);
  const lines = /^L(\d+)(?:[-:]L?(\d+))?$/.exec(uri.slice(hash + 1));
  if (!lines) return { base };
  const startLine = Number(lines[1]);
  const endLine = lines[2] ? Number(lines[2]) : startLine;
  return startLine >= 1 && endLine >= startLine ? { base, selection: { startLine, endLine } } : { base };
}
