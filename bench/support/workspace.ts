/**
 * Generated workspaces for the benchmarks: a project of many small, plausible TypeScript modules
 * that import each other (so a repo map and a reference graph have real work to do), and a single
 * very long source file. Generation is deterministic so two runs measure the same tree.
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export interface GeneratedWorkspace {
  root: string;
  /** Workspace-relative paths of every generated file. */
  files: string[];
  remove(): Promise<void>;
}

const FILES_PER_FOLDER = 100;

/** Module i's name, stable across runs: e.g. "billing/invoice-0042.ts". */
function moduleName(index: number): string {
  const areas = ["billing", "accounts", "search", "render", "storage", "network", "auth", "reports", "jobs", "ui"];
  const area = areas[Math.floor(index / FILES_PER_FOLDER) % areas.length]!;
  const folder = Math.floor(index / FILES_PER_FOLDER);
  return `src/${area}-${String(folder).padStart(3, "0")}/module-${String(index).padStart(5, "0")}.ts`;
}

function moduleText(index: number, count: number): string {
  // Each module imports two earlier ones so the import graph is connected but not trivial.
  const imports = [index - 1, Math.floor(index / 2)]
    .filter((other, position, all) => other >= 0 && other !== index && all.indexOf(other) === position)
    .map((other) => {
      const from = path.posix.relative(path.posix.dirname(moduleName(index)), moduleName(other)).replace(/\.ts$/, ".js");
      return `import { compute${other} } from "${from.startsWith(".") ? from : `./${from}`}";`;
    });
  const calls = [index - 1, Math.floor(index / 2)].filter((o, p, a) => o >= 0 && o !== index && a.indexOf(o) === p);
  return `${imports.join("\n")}

/** Record ${index} of ${count}: a small unit with a couple of identifiers worth indexing. */
export interface Record${index} {
  id: number;
  label: string;
  total${index}: number;
}

export function compute${index}(input: number): number {
  let value = input * ${(index % 7) + 2};
${calls.map((other) => `  value += compute${other}(input - 1 > 0 ? 0 : input);`).join("\n")}
  return value % ${1000 + index};
}

export function describe${index}(record: Record${index}): string {
  return \`\${record.label} (\${record.id}): \${compute${index}(record.total${index})}\`;
}
`;
}

/** Write a workspace of `fileCount` modules under a new temporary folder. */
export async function generateWorkspace(fileCount: number, prefix = "burrow-bench-ws-"): Promise<GeneratedWorkspace> {
  const root = await mkdtemp(path.join(os.tmpdir(), prefix));
  const files: string[] = [];
  const folders = new Set<string>();
  for (let i = 0; i < fileCount; i++) {
    const name = moduleName(i);
    files.push(name);
    folders.add(path.dirname(name));
  }
  for (const folder of folders) await mkdir(path.join(root, folder), { recursive: true });
  // Write in modest batches: fast, without opening thousands of files at once.
  for (let i = 0; i < files.length; i += 200) {
    await Promise.all(
      files.slice(i, i + 200).map((name, offset) => writeFile(path.join(root, name), moduleText(i + offset, fileCount))),
    );
  }
  await writeFile(path.join(root, "package.json"), `${JSON.stringify({ name: "bench-workspace", type: "module" }, null, 2)}\n`);
  await writeFile(path.join(root, ".gitignore"), "node_modules/\ndist/\n");
  return { root, files, remove: () => rm(root, { recursive: true, force: true }) };
}

/** A TypeScript source of exactly `lineCount` lines (the last one ends with a newline). */
export function longDocument(lineCount: number): string {
  const lines: string[] = [];
  let block = 0;
  while (lines.length < lineCount) {
    lines.push(
      `export function handler${block}(request: { id: number; body: string }): string {`,
      `  const trimmed = request.body.trim();`,
      `  if (trimmed.length === 0) return "empty ${block}";`,
      `  return \`\${request.id}:\${trimmed.toUpperCase()}\`;`,
      `}`,
      ``,
    );
    block++;
  }
  return `${lines.slice(0, lineCount).join("\n")}\n`;
}
