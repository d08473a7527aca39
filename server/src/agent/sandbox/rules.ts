/**
 * What the model may see inside a granted folder: the secret rules, the ignore files and the
 * named exceptions, decided for one path at a time.
 *
 * Three layers, checked in this order:
 * 1. Internals, never visible and never writable whatever the settings: version-control metadata
 *    (`.git/`, `.hg/`, `.svn/`) and Burrow's own temporary files.
 * 2. Named exceptions (`sandbox.allow`, gitignore syntax): a path the user named is visible even if
 *    it looks like a secret or is ignored, because the user said so explicitly.
 * 3. Secrets (denied by default, matched case-insensitively so `.ENV` on a case-insensitive disk is
 *    still `.env`) and ignore rules: the global excludes (`core.excludesFile`, else
 *    `$XDG_CONFIG_HOME/git/ignore`), the repository's `.git/info/exclude`, and every `.gitignore` and
 *    `.burrowignore` from the repository's top down to the file, each relative to its own folder,
 *    the deepest match winning, and a file inside an ignored folder staying ignored (git's rules).
 *    They apply whether or not the folder is a git repository.
 *
 * Ignore files are parsed once per folder and cached against their size and modification time,
 * so listing a large tree on every task costs one `stat` per ignore file, not a parse.
 */
import { lstatSync, promises as fsp } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, relative, sep, isAbsolute } from "node:path";
import ignore, { type Ignore } from "ignore";

const DATA_EXTENSIONS = ["json", "yml", "yaml", "toml", "ini", "xml", "txt", "csv", "env", "conf", "cfg"] as const;

/** Names the model never sees and the agent never writes, unless the user names them in `sandbox.allow`. */
export const SECRET_PATTERNS: readonly string[] = [
  ".env",
  ".env.*",
  ".envrc",
  "*.pem",
  "*.key",
  "*.p12",
  "*.pfx",
  "*.jks",
  "*.keystore",
  "*.kdbx",
  "*.asc",
  "*.gpg",
  "id_rsa*",
  "id_dsa*",
  "id_ecdsa*",
  "id_ed25519*",
  ".ssh/",
  ".gnupg/",
  ".aws/",
  ".azure/",
  ".kube/",
  ".docker/config.json",
  ".config/gcloud/",
  ".npmrc",
  ".yarnrc.yml",
  ".pypirc",
  ".netrc",
  "_netrc",
  ".pgpass",
  ".my.cnf",
  ".git-credentials",
  ".htpasswd",
  // Credential and secret stores by name, in data formats only: `credentials.ts` is code.
  "credentials",
  ...DATA_EXTENSIONS.map((ext) => `credentials.${ext}`),
  "*.credentials",
  "client_secret*.json",
  "service-account*.json",
  ...DATA_EXTENSIONS.map((ext) => `secrets.${ext}`),
  ".secrets",
  "*.tfstate",
  "*.tfstate.*",
  "*.tfvars",
];

/** Never visible, never writable, not even through `sandbox.allow`. */
const INTERNAL_PATTERNS: readonly string[] = [".git", ".git/", ".hg/", ".svn/", "*.burrow-tmp"];

/** Files whose job is to guard the boundary: readable, but the agent may not change them. */
const PROTECTED_FOR_WRITE: readonly string[] = [".burrowignore"];

const IGNORE_FILE_NAMES = [".gitignore", ".burrowignore"] as const;
const MAX_IGNORE_FILE_BYTES = 1024 * 1024;

export type Verdict =
  | { visible: true }
  | { visible: false; kind: "internal" | "secret" | "ignored" | "protected"; reason: string };

export interface Level {
  /** The folder the patterns are relative to. */
  base: string;
  ig: Ignore;
  source: string;
}

interface CachedIgnoreFile {
  mtimeMs: number;
  size: number;
  level: Level | null;
}

export interface RuleOptions {
  allow?: readonly string[];
  env?: NodeJS.ProcessEnv;
  /** True when the root's file system compares names case-insensitively. */
  caseInsensitive?: boolean;
}

/** The visibility rules of one granted folder. */
export class RootRules {
  private readonly secrets: Ignore;
  private readonly internals: Ignore;
  private readonly protectedNames: Ignore;
  private readonly allow: Ignore | null;
  private readonly cache = new Map<string, CachedIgnoreFile>();
  private repoLevels: Level[] = [];
  /** The folder where ignore files start to apply: the repository's top, or the root itself. */
  private top: string;

  private constructor(
    readonly root: string,
    private readonly options: RuleOptions,
  ) {
    this.secrets = ignore({ ignorecase: true }).add([...SECRET_PATTERNS]);
    this.internals = ignore({ ignorecase: true }).add([...INTERNAL_PATTERNS]);
    this.protectedNames = ignore({ ignorecase: true }).add([...PROTECTED_FOR_WRITE]);
    const allow = (options.allow ?? []).filter((p) => p.trim() !== "");
    this.allow = allow.length > 0 ? ignore({ ignorecase: true }).add(allow) : null;
    this.top = root;
  }

  static async load(root: string, options: RuleOptions): Promise<RootRules> {
    const rules = new RootRules(root, options);
    await rules.loadRepositoryLevels();
    return rules;
  }

  /** Forget cached ignore files (called when the watcher sees one change). */
  invalidate(dir?: string): void {
    if (dir === undefined) this.cache.clear();
    else for (const name of IGNORE_FILE_NAMES) this.cache.delete(join(dir, name));
  }

  /**
   * Decide whether the model may see `abs` (inside the root). `isDir` marks folders, whose rules
   * differ (`build/` matches only folders). Every folder between the root and the path is checked
   * too, because nothing inside an ignored or secret folder can be visible.
   */
  async check(abs: string, isDir: boolean, intent: "read" | "write" = "read"): Promise<Verdict> {
    const rel = toRel(this.root, abs);
    if (rel === "") return { visible: true };
    const internal = this.internalVerdict(rel, isDir);
    if (internal) return internal;
    if (intent === "write" && !isDir && this.protectedNames.ignores(rel)) {
      return {
        visible: false,
        kind: "protected",
        reason: `"${rel}" sets what Burrow may see, so the agent may not change it; edit it yourself.`,
      };
    }
    if (this.isAllowed(rel, isDir)) return { visible: true };
    const secret = this.secretVerdict(rel, isDir);
    if (secret) return secret;
    // Walk down from the root, adding each folder's ignore files to the rules in force below it.
    const parts = rel.split("/");
    let levels = await this.chainLevels(this.root);
    let partial = this.root;
    for (let i = 0; i < parts.length; i++) {
      if (i > 0) levels = await this.levelsInside(partial, levels);
      partial = join(partial, parts[i]!);
      const partialIsDir = i < parts.length - 1 || isDir;
      const ignored = this.ignoreVerdict(partial, partialIsDir, levels);
      if (ignored) return ignored;
    }
    return { visible: true };
  }

  /**
   * The same decision for an entry met while walking the tree top-down, where every parent folder
   * has already passed: only the entry itself is checked, against `levels` (the ignore rules in
   * force inside its folder, from `levelsInside`), so the walk costs no extra system calls.
   */
  checkEntry(abs: string, isDir: boolean, levels: readonly Level[]): Verdict {
    const rel = toRel(this.root, abs);
    const internal = this.internalVerdict(rel, isDir);
    if (internal) return internal;
    if (this.isAllowed(rel, isDir)) return { visible: true };
    const denied = this.secretVerdict(rel, isDir) ?? this.ignoreVerdict(abs, isDir, levels);
    if (!denied) return { visible: true };
    // A folder that holds a name the user allowed must still be walked into.
    if (isDir && this.allowReachesInside(rel)) return { visible: true };
    return denied;
  }

  /**
   * The ignore rules in force for entries of folder `dir`: its parent's levels (or, at the start of
   * a walk, every level from the repository's top) plus the folder's own ignore files. `names` is
   * the folder's listing when the caller has it, so absent ignore files cost nothing.
   */
  async levelsInside(dir: string, parentLevels: readonly Level[] | null, names?: ReadonlySet<string>): Promise<Level[]> {
    if (parentLevels === null) return this.chainLevels(dir);
    const levels = [...parentLevels];
    for (const name of IGNORE_FILE_NAMES) {
      if (names && !names.has(name)) continue;
      const level = await this.levelFor(join(dir, name));
      if (level) levels.push(level);
    }
    return levels;
  }

  /** Every level that applies inside `folder`: repository-wide rules, then each folder's ignore files from the top down. */
  private async chainLevels(folder: string): Promise<Level[]> {
    const levels = [...this.repoLevels];
    const chain: string[] = [];
    for (let dir = folder; isInside(this.top, dir); dir = dirname(dir)) {
      chain.push(dir);
      if (dir === this.top || dirname(dir) === dir) break;
    }
    chain.reverse();
    for (const dir of chain) {
      for (const name of IGNORE_FILE_NAMES) {
        const level = await this.levelFor(join(dir, name));
        if (level) levels.push(level);
      }
    }
    return levels;
  }

  private internalVerdict(rel: string, isDir: boolean): Verdict | null {
    if (!this.internals.ignores(isDir ? rel + "/" : rel)) return null;
    return {
      visible: false,
      kind: "internal",
      reason: `"${rel}" is version-control or Burrow metadata, which the agent never reads or writes.`,
    };
  }

  private secretVerdict(rel: string, isDir: boolean): Verdict | null {
    const result = this.secrets.test(isDir ? rel + "/" : rel);
    if (!result.ignored) return null;
    const pattern = result.rule?.pattern ?? "a secret pattern";
    return {
      visible: false,
      kind: "secret",
      reason: `"${rel}" looks like a secret (it matches "${pattern}"), so Burrow keeps it from the model. If it holds no secrets, add "${rel}" to the burrow setting sandbox.allow.`,
    };
  }

  private isAllowed(rel: string, isDir: boolean): boolean {
    return this.allow !== null && this.allow.ignores(isDir ? rel + "/" : rel);
  }

  /**
   * True when some allow pattern names a path below folder `rel`, so the walk must go in. Only
   * patterns that spell the folder out count: a bare name like ".env.local" is not a reason to walk
   * every ignored folder of the tree.
   */
  private allowReachesInside(rel: string): boolean {
    const prefix = rel.toLowerCase() + "/";
    return (this.options.allow ?? []).some((p) => {
      const clean = p.replace(/^\/+/, "").toLowerCase();
      return clean.startsWith(prefix);
    });
  }

  /** Git's precedence: every level from the broadest to the deepest; the last matching rule decides. */
  private ignoreVerdict(abs: string, isDir: boolean, levels: readonly Level[]): Verdict | null {
    let decided: { pattern: string; source: string } | null = null;
    for (const level of levels) {
      if (!isInside(level.base, abs) || abs === level.base) continue;
      const rel = toRel(level.base, abs) + (isDir ? "/" : "");
      const result = level.ig.test(rel);
      if (result.ignored) decided = { pattern: result.rule?.pattern ?? "", source: level.source };
      else if (result.unignored) decided = null;
    }
    if (!decided) return null;
    const rel = toRel(this.root, abs);
    return {
      visible: false,
      kind: "ignored",
      reason: `"${rel}" is ignored by ${decided.source} (rule "${decided.pattern}"), so Burrow keeps it from the model.`,
    };
  }

  /** The parsed rules of one ignore file, from the cache while its size and mtime are unchanged. */
  private async levelFor(file: string): Promise<Level | null> {
    let stat;
    try {
      stat = lstatSync(file);
    } catch {
      this.cache.set(file, { mtimeMs: -1, size: -1, level: null });
      return null;
    }
    const cached = this.cache.get(file);
    if (cached && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached.level;
    // Only plain files are read: a FIFO would block forever and a symlink could point anywhere.
    let level: Level | null = null;
    if (stat.isFile() && stat.size <= MAX_IGNORE_FILE_BYTES) {
      const text = await fsp.readFile(file, "utf8").catch(() => "");
      level = this.makeLevel(dirname(file), text, displaySource(this.root, file));
    }
    this.cache.set(file, { mtimeMs: stat.mtimeMs, size: stat.size, level });
    return level;
  }

  private makeLevel(base: string, text: string, source: string): Level | null {
    const lines = text.split(/\r?\n/);
    if (!lines.some((l) => l.trim() !== "" && !l.startsWith("#"))) return null;
    return { base, ig: ignore({ ignorecase: this.options.caseInsensitive ?? false, allowRelativePaths: true }).add(lines), source };
  }

  /**
   * Rules that come from outside the root: the global excludes, `.git/info/exclude`, and the
   * `.gitignore` files of the repository's folders above the root when the root is a subfolder.
   */
  private async loadRepositoryLevels(): Promise<void> {
    const env = this.options.env ?? process.env;
    const repo = await findRepository(this.root);
    this.top = repo?.top ?? this.root;
    const levels: Level[] = [];
    const configs = gitConfigFiles(env);
    if (repo) configs.push(join(repo.commonDir, "config"));
    let excludesFile: string | null = null;
    for (const config of configs) {
      const text = await readSmallFile(config);
      const value = text === null ? null : excludesFileFrom(text);
      if (value !== null) excludesFile = expandHome(value, env);
    }
    excludesFile ??= join(xdgConfigHome(env), "git", "ignore");
    const globalText = await readSmallFile(excludesFile);
    if (globalText !== null) {
      const level = this.makeLevel(this.top, globalText, `your global git excludes (${excludesFile})`);
      if (level) levels.push(level);
    }
    if (repo) {
      const excludeText = await readSmallFile(join(repo.commonDir, "info", "exclude"));
      if (excludeText !== null) {
        const level = this.makeLevel(this.top, excludeText, ".git/info/exclude");
        if (level) levels.push(level);
      }
    }
    this.repoLevels = levels;
  }
}

/** The repository around `root`: its top folder and its git directory (following a `.git` file). */
async function findRepository(root: string): Promise<{ top: string; commonDir: string } | null> {
  for (let dir = root; ; dir = dirname(dir)) {
    const dotGit = join(dir, ".git");
    try {
      const stat = await fsp.lstat(dotGit);
      if (stat.isDirectory()) return { top: dir, commonDir: dotGit };
      if (stat.isFile()) {
        const text = (await readSmallFile(dotGit)) ?? "";
        const match = /^gitdir:\s*(.+?)\s*$/m.exec(text);
        if (match) {
          const gitDir = isAbsolute(match[1]!) ? match[1]! : join(dir, match[1]!);
          const common = await readSmallFile(join(gitDir, "commondir"));
          const commonDir = common ? join(gitDir, common.trim()) : gitDir;
          return { top: dir, commonDir };
        }
      }
    } catch {
      // No .git here; keep walking up.
    }
    if (dirname(dir) === dir) return null;
  }
}

function gitConfigFiles(env: NodeJS.ProcessEnv): string[] {
  const home = homeOf(env);
  return [join(xdgConfigHome(env), "git", "config"), join(home, ".gitconfig")];
}

function xdgConfigHome(env: NodeJS.ProcessEnv): string {
  const xdg = env.XDG_CONFIG_HOME;
  return xdg && isAbsolute(xdg) ? xdg : join(homeOf(env), ".config");
}

function homeOf(env: NodeJS.ProcessEnv): string {
  return env.HOME || env.USERPROFILE || homedir();
}

function expandHome(value: string, env: NodeJS.ProcessEnv): string {
  if (value === "~") return homeOf(env);
  if (value.startsWith("~/")) return join(homeOf(env), value.slice(2));
  return value;
}

/** `core.excludesFile` from git config text (the last one wins, as git reads it). */
export function excludesFileFrom(configText: string): string | null {
  let section = "";
  let found: string | null = null;
  for (const raw of configText.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#") || line.startsWith(";")) continue;
    const header = /^\[\s*([^\]\s"]+)(?:\s+"[^"]*")?\s*\]/.exec(line);
    if (header) {
      section = header[1]!.toLowerCase();
      continue;
    }
    if (section !== "core") continue;
    const entry = /^([A-Za-z0-9-]+)\s*=\s*(.*)$/.exec(line);
    if (entry && entry[1]!.toLowerCase() === "excludesfile") {
      let value = entry[2]!.replace(/\s+[#;].*$/, "").trim();
      if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
      found = value;
    }
  }
  return found;
}

async function readSmallFile(file: string): Promise<string | null> {
  try {
    const stat = await fsp.stat(file);
    if (!stat.isFile() || stat.size > MAX_IGNORE_FILE_BYTES) return null;
    return await fsp.readFile(file, "utf8");
  } catch {
    return null;
  }
}

function displaySource(root: string, file: string): string {
  return isInside(root, file) ? toRel(root, file) : file;
}

/** `abs` relative to `base`, with `/` separators ("" for the base itself). */
export function toRel(base: string, abs: string): string {
  const rel = relative(base, abs);
  return sep === "/" ? rel : rel.split(sep).join("/");
}

/** True when `abs` is `base` or lies below it (both already resolved, compared as given). */
export function isInside(base: string, abs: string): boolean {
  if (abs === base) return true;
  const prefix = base.endsWith(sep) ? base : base + sep;
  return abs.startsWith(prefix);
}
