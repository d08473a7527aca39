/**
 * Reading an ACP prompt: words and mentioned files joined into one sentence the way a user names
 * files, the first file as the task's current document, a line fragment as its selection, and an
 * embedded whole file as its buffer.
 */
import { describe, expect, it } from "vitest";
import type { ContentBlock } from "@agentclientprotocol/sdk";
import { readPrompt } from "../../../server/src/acp/prompt.js";

const CWD = "/home/u/project";
const text = (t: string): ContentBlock => ({ type: "text", text: t });
const link = (uri: string): ContentBlock => ({ type: "resource_link", uri, name: uri.split("/").pop()! });
const embedded = (uri: string, body: string): ContentBlock => ({ type: "resource", resource: { uri, text: body } });

describe("readPrompt", () => {
  it.each<[string, ContentBlock[], ReturnType<typeof readPrompt>]>([
    ["plain words", [text("Add a --json flag")], { text: "Add a --json flag" }],
    [
      "a link in the middle of a sentence",
      [text("Fix"), link("file:///home/u/project/src/a.ts"), text("please.")],
      { text: "Fix `src/a.ts` please.", document: { uri: "file:///home/u/project/src/a.ts" } },
    ],
    [
      "punctuation right after a name",
      [text("What does"), link("file:///home/u/project/a.ts"), text("? It fails.")],
      { text: "What does `a.ts`? It fails.", document: { uri: "file:///home/u/project/a.ts" } },
    ],
    [
      "a selection in the fragment",
      [text("Explain"), link("file:///home/u/project/a.ts#L10-20")],
      { text: "Explain `a.ts`", document: { uri: "file:///home/u/project/a.ts", selection: { startLine: 10, endLine: 20 } } },
    ],
    [
      "a one-line fragment in Zed's colon form",
      [link("file:///home/u/project/a.ts#L7:9"), text("is slow")],
      { text: "`a.ts` is slow", document: { uri: "file:///home/u/project/a.ts", selection: { startLine: 7, endLine: 9 } } },
    ],
    [
      "an embedded whole file is its buffer; the second file is only named",
      [text("Merge"), embedded("file:///home/u/project/a.ts", "export const a = 1;\n"), text("into"), link("file:///home/u/project/b.ts")],
      { text: "Merge `a.ts` into `b.ts`", document: { uri: "file:///home/u/project/a.ts", text: "export const a = 1;\n" } },
    ],
    [
      "an embedded excerpt is not taken for the whole buffer",
      [embedded("file:///home/u/project/a.ts#L2-3", "x\ny\n"), text("rename x")],
      { text: "`a.ts` rename x", document: { uri: "file:///home/u/project/a.ts", selection: { startLine: 2, endLine: 3 } } },
    ],
    ["a file outside the folder keeps its absolute name", [text("Compare with"), link("file:///etc/hosts")], { text: "Compare with `/etc/hosts`", document: { uri: "file:///etc/hosts" } }],
    ["a non-file resource adds its text as words", [text("Summarise"), embedded("zed:///agent/thread/1", "earlier talk")], { text: "Summarise\n\nearlier talk" }],
    ["images are not read", [text("Like this"), { type: "image", data: "AAAA", mimeType: "image/png" }], { text: "Like this" }],
  ])("%s", (_name, blocks, expected) => {
    expect(readPrompt(blocks, CWD)).toEqual(expected);
  });
});
