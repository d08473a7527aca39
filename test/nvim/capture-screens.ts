/**
 * Captures the screens in docs/screens/ from a real Neovim: the plugin and the real server (built
 * with `npm run build`) against the fake Ollama, in a tmux pane. For each screen it writes the
 * pane with its colours (`capture-pane -e`, viewable with `cat` in a terminal), the plain text,
 * and, when `rsvg-convert` is installed, a PNG rendered from the coloured capture.
 *
 *   npx tsx test/nvim/capture-screens.ts
 *
 * Not a test: it needs tmux, and it writes into docs/.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { startFakeOllama } from "../fakes/fake-ollama.js";
import { makeSandbox, PLUGIN_DIR, REPO_ROOT, serverCommand } from "./harness.js";

const WIDTH = 118;
const HEIGHT = 34;
const SESSION = `burrow-screens-${process.pid}`;
const OUT = join(REPO_ROOT, "docs", "screens");

const source = `import { createServer } from "node:http";

// Reads the port from the environment, falling back to 8080.
export function parsePort(value) {
  return Number(value ?? 8080);
}

export function start(env = process.env) {
  const port = parsePort(env.PORT);
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok\\n");
  });
  server.listen(port);
  return server;
}

export function stop(server) {
  server.close();
}
`;

const proposed = `import { createServer } from "node:http";

// Reads the port from the environment, falling back to 8080.
export function parsePort(value) {
  const port = Number(value ?? 8080);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new RangeError(\`PORT must be a whole number from 1 to 65535, not "\${value}".\`);
  }
  return port;
}

export function start(env = process.env) {
  const port = parsePort(env.PORT);
  const server = createServer((req, res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.end("ok\\n");
  });
  server.listen(port);
  return server;
}

export function stop(server) {
  return new Promise((resolve) => server.close(resolve));
}
`;

const plan = {
  summary: "Reject PORT values that are not valid TCP ports, and let callers wait for the server to stop.",
  steps: [
    { description: "In parsePort, check that the number is a whole number from 1 to 65535 and throw a RangeError that names the bad value." },
    { description: "Make stop return a promise that resolves once the server has closed." },
  ],
  files: [{ path: "src/server.js", action: "modify", reason: "parsePort and stop are defined here." }],
};

function tmux(...args: string[]): string {
  return execFileSync("tmux", args, { encoding: "utf8" });
}

function capture(withColour: boolean): string {
  return tmux("capture-pane", "-p", ...(withColour ? ["-e"] : []), "-t", SESSION);
}

async function waitForScreen(what: string, predicate: (text: string) => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  // Polling the pane is the only signal tmux offers; each poll is cheap.
  while (Date.now() < until) {
    if (predicate(capture(false))) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}; the pane shows:\n${capture(false)}`);
}

// ---- a small ANSI (SGR) to SVG renderer, enough for tmux's capture of Neovim ----------------

const BASE16 = [
  "#1d1f21", "#cc6666", "#b5bd68", "#f0c674", "#81a2be", "#b294bb", "#8abeb7", "#c5c8c6",
  "#666666", "#d54e53", "#b9ca4a", "#e7c547", "#7aa6da", "#c397d8", "#70c0b1", "#eaeaea",
];

function xterm256(n: number): string {
  if (n < 16) return BASE16[n]!;
  if (n >= 232) {
    const v = 8 + (n - 232) * 10;
    return `rgb(${v},${v},${v})`;
  }
  const i = n - 16;
  const steps = [0, 95, 135, 175, 215, 255];
  return `rgb(${steps[Math.floor(i / 36)]},${steps[Math.floor(i / 6) % 6]},${steps[i % 6]})`;
}

interface Style {
  fg?: string;
  bg?: string;
  bold?: boolean;
  reverse?: boolean;
}

function applySgr(style: Style, codes: number[]): Style {
  const s = { ...style };
  for (let i = 0; i < codes.length; i++) {
    const c = codes[i]!;
    if (c === 0) Object.assign(s, { fg: undefined, bg: undefined, bold: false, reverse: false });
    else if (c === 1) s.bold = true;
    else if (c === 22) s.bold = false;
    else if (c === 7) s.reverse = true;
    else if (c === 27) s.reverse = false;
    else if (c >= 30 && c <= 37) s.fg = BASE16[c - 30];
    else if (c >= 90 && c <= 97) s.fg = BASE16[c - 90 + 8];
    else if (c >= 40 && c <= 47) s.bg = BASE16[c - 40];
    else if (c >= 100 && c <= 107) s.bg = BASE16[c - 100 + 8];
    else if (c === 39) s.fg = undefined;
    else if (c === 49) s.bg = undefined;
    else if ((c === 38 || c === 48) && codes[i + 1] === 5) {
      const colour = xterm256(codes[i + 2]!);
      if (c === 38) s.fg = colour;
      else s.bg = colour;
      i += 2;
    } else if ((c === 38 || c === 48) && codes[i + 1] === 2) {
      const colour = `rgb(${codes[i + 2]},${codes[i + 3]},${codes[i + 4]})`;
      if (c === 38) s.fg = colour;
      else s.bg = colour;
      i += 4;
    }
  }
  return s;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

function ansiToSvg(ansi: string): string {
  const cellW = 8.4;
  const cellH = 17;
  const defaultFg = "#d0d0d0";
  const defaultBg = "#1d1f21";
  const parts: string[] = [];
  const rows = ansi.split("\n").slice(0, HEIGHT);
  let style: Style = {};
  rows.forEach((row, y) => {
    let x = 0;
    const re = /\x1b\[([0-9;]*)m|([^\x1b]+)/g;
    for (let m = re.exec(row); m; m = re.exec(row)) {
      if (m[1] !== undefined) {
        style = applySgr(style, m[1] === "" ? [0] : m[1].split(";").map(Number));
        continue;
      }
      const text = [...m[2]!];
      let fg = style.fg ?? defaultFg;
      let bg = style.bg;
      if (style.reverse) [fg, bg] = [bg ?? defaultBg, fg];
      if (bg) parts.push(`<rect x="${(x * cellW).toFixed(1)}" y="${y * cellH}" width="${(text.length * cellW).toFixed(1)}" height="${cellH}" fill="${bg}"/>`);
      const visible = text.join("");
      if (visible.trim() !== "") {
        parts.push(
          `<text x="${(x * cellW).toFixed(1)}" y="${y * cellH + 13}" fill="${fg}"${style.bold ? ' font-weight="bold"' : ""} textLength="${(text.length * cellW).toFixed(1)}" lengthAdjust="spacingAndGlyphs">${escapeXml(visible)}</text>`,
        );
      }
      x += text.length;
    }
  });
  const width = Math.ceil(WIDTH * cellW);
  const height = HEIGHT * cellH;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans Mono" font-size="14" xml:space="preserve">`,
    `<rect width="${width}" height="${height}" fill="${defaultBg}"/>`,
    ...parts,
    "</svg>",
  ].join("\n");
}

function save(name: string): void {
  const ansi = capture(true);
  writeFileSync(join(OUT, `${name}.ansi`), ansi);
  writeFileSync(join(OUT, `${name}.txt`), capture(false).replace(/\s+$/gm, ""));
  const svgPath = join(OUT, `${name}.svg`);
  writeFileSync(svgPath, ansiToSvg(ansi));
  const png = spawnSync("rsvg-convert", [svgPath, "-o", join(OUT, `${name}.png`)]);
  if (png.error || png.status !== 0) console.warn(`rsvg-convert is not available; ${name}.png was not made.`);
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const fake = await startFakeOllama({ models: ["qwen2.5-coder:1.5b"] });
  fake.enqueueChat({ json: plan }, { text: ["src/server.js", "```js", proposed.trimEnd(), "```", ""].join("\n") });
  const sandbox = makeSandbox({ "src/server.js": source, "package.json": '{ "name": "demo", "type": "module" }\n' });
  const init = join(sandbox.dir, "init.lua");
  writeFileSync(
    init,
    [
      `vim.opt.runtimepath:prepend(${JSON.stringify(PLUGIN_DIR)})`,
      `vim.o.background = 'dark'`,
      `vim.o.number = true`,
      `vim.o.laststatus = 2`,
      "vim.o.statusline = [[ %f %m%=%{v:lua.require'burrow'.statusline()} ]]",
      `require('burrow').setup(${`vim.json.decode(${JSON.stringify(JSON.stringify({ cmd: serverCommand(), settings: { models: { coder: "qwen2.5-coder:1.5b" } } }))})`})`,
      "",
    ].join("\n"),
  );
  const env = `OLLAMA_HOST=${fake.url} XDG_STATE_HOME=${join(sandbox.dir, "state")} XDG_CONFIG_HOME=${join(sandbox.dir, "config")} XDG_DATA_HOME=${join(sandbox.dir, "data")} TERM=xterm-256color`;
  tmux("new-session", "-d", "-s", SESSION, "-x", String(WIDTH), "-y", String(HEIGHT), "-c", sandbox.workspace, `env ${env} nvim -n -i NONE --clean -u ${init} src/server.js`);
  try {
    await waitForScreen("Neovim to start", (t) => t.includes("parsePort"));
    tmux("send-keys", "-t", SESSION, ":Burrow task validate PORT and make stop awaitable", "Enter");
    await waitForScreen("the plan float", (t) => t.includes("a approve"));
    save("plan-float");
    tmux("send-keys", "-t", SESSION, "a");
    await waitForScreen("the diff tab", (t) => t.includes("0 accepted"));
    // Accept the first hunk, so the screen shows both an accepted and a pending mark.
    tmux("send-keys", "-t", SESSION, "ga");
    await waitForScreen("the accepted mark", (t) => t.includes("1 accepted"));
    tmux("send-keys", "-t", SESSION, "gg");
    await waitForScreen("the top of the diff", (t) => t.includes("createServer"));
    save("diff-tab");
    console.log(`Wrote the screens to ${OUT}.`);
  } finally {
    spawnSync("tmux", ["kill-session", "-t", SESSION]);
    await fake.close();
    sandbox.remove();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  spawnSync("tmux", ["kill-session", "-t", SESSION]);
  process.exit(1);
});
