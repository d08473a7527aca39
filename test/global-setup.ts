/**
 * Before any test runs: refuse to run against stale compiled copies. A `tsc` run that emits next
 * to the sources leaves `x.js` beside `x.ts`; imports end in `.js`, so Vite would load the stale copy
 * instead of the source and tests would pass or fail on old code.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = join(fileURLToPath(import.meta.url), "..", "..");

function strays(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === "node_modules" || name === "fixtures") continue;
    if (statSync(p).isDirectory()) strays(p, out);
    else if (name.endsWith(".js") && existsSync(p.slice(0, -3) + ".ts")) out.push(p.slice(ROOT.length + 1));
  }
}

export default function setup(): void {
  const found: string[] = [];
  for (const dir of ["server/src", "test", "bench"]) strays(join(ROOT, dir), found);
  if (found.length > 0) {
    throw new Error(
      `Compiled copies sit next to their TypeScript sources and would shadow them: ${found.slice(0, 5).join(", ")}${found.length > 5 ? ` and ${found.length - 5} more` : ""}. ` +
        "Delete them (a tsc run emitted them; use `npm run typecheck`, which never emits).",
    );
  }
}
