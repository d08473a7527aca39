/**
 * Installs the PyPI test assets: `node --import tsx test/assets/install.ts all` (what `.ci/run`
 * does) or one of them by name. Prints each asset's main path on stdout.
 */
import { PYTHON_ASSETS, ensurePythonAsset } from "./python-assets.js";

const names = process.argv.slice(2);
if (names.length === 0) {
  process.stderr.write(`usage: install.ts all | ${Object.keys(PYTHON_ASSETS).join(" | ")} ...\n`);
  process.exit(2);
}
const wanted = names.includes("all") ? Object.keys(PYTHON_ASSETS) : names;
for (const name of wanted) {
  const path = await ensurePythonAsset(name);
  process.stdout.write(`${name}\t${path}\n`);
}
