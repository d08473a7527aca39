/**
 * Conversion between `file:` URIs (what editors send) and file system paths (what the sandbox
 * checks). Decoding is strict on purpose: a URI that could mean two different paths is refused
 * rather than guessed at, because every path a client names ends up in a containment check.
 *
 * Percent-encoded separators (`%2F`, `%5C`) are refused, since decoding them would let one path
 * segment turn into several after the URI parser has already removed `.` and `..` segments.
 * Windows drive letters are accepted with or without an encoded colon (`file:///c%3A/x`, as
 * VS Code writes them) and UNC hosts become `\\host\share` paths.
 */
import { pathToFileURL } from "node:url";

export type PathFlavour = "posix" | "win32";

const platformFlavour: PathFlavour = process.platform === "win32" ? "win32" : "posix";

/**
 * The path a `file:` URI names, or null when the text is not a well-formed file URI (another
 * scheme, a malformed escape, an encoded separator or NUL, a remote host on POSIX).
 */
export function fileUriToPath(uri: string, flavour: PathFlavour = platformFlavour): string | null {
  if (!/^file:/i.test(uri)) return null;
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return null;
  }
  if (url.protocol !== "file:") return null;
  const rawPath = url.pathname;
  if (/%(2f|5c|00)/i.test(rawPath)) return null;
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawPath);
  } catch {
    return null;
  }
  if (decoded.includes("\0")) return null;
  const host = url.hostname;
  if (flavour === "posix") {
    if (host !== "" && host !== "localhost") return null;
    return decoded;
  }
  if (host !== "" && host !== "localhost") {
    return `\\\\${host}${decoded.replace(/\//g, "\\")}`;
  }
  const drive = /^\/([a-zA-Z]):(\/|$)/.exec(decoded);
  if (!drive) return null;
  const rest = decoded.slice(3).replace(/\//g, "\\");
  return `${drive[1]!.toUpperCase()}:${rest === "" ? "\\" : rest}`;
}

/** The `file:` URI of an absolute path, with every character that needs it percent-encoded. */
export function pathToFileUri(path: string): string {
  return pathToFileURL(path).href;
}

/** True when the text looks like a URI of some scheme other than a Windows drive letter. */
export function hasUriScheme(text: string): boolean {
  return /^[a-zA-Z][a-zA-Z0-9+.-]+:/.test(text);
}
