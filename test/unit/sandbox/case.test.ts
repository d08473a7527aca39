/**
 * Case-insensitive file systems (macOS and Windows defaults), simulated on a case-sensitive disk by
 * marking a root as case-insensitive: containment must compare names without case there, so
 * `/Work/Project/x` is inside `/work/project`, while a sibling that merely shares a prefix is not.
 */
import { describe, expect, it } from "vitest";
import { rootOf, type Root } from "../../../server/src/agent/sandbox/locate.js";
import type { RootRules } from "../../../server/src/agent/sandbox/rules.js";

function root(real: string, caseInsensitive: boolean): Root {
  return { real, aliases: [], caseInsensitive, rules: null as unknown as RootRules };
}

describe("containment on case-insensitive roots", () => {
  const insensitive = root("/work/project", true);
  const sensitive = root("/work/project", false);
  it.each([
    ["/work/project/src/a.ts", true, true],
    ["/Work/Project/SRC/a.ts", true, false],
    ["/WORK/PROJECT", true, false],
    ["/work/project-evil/a.ts", false, false],
    ["/Work/Project-Evil/a.ts", false, false],
    ["/work/other/a.ts", false, false],
  ])("%s: inside when insensitive %s, when sensitive %s", (abs, whenInsensitive, whenSensitive) => {
    expect(rootOf([insensitive], abs) !== null).toBe(whenInsensitive);
    expect(rootOf([sensitive], abs) !== null).toBe(whenSensitive);
  });

  it("gives a path to the deepest of nested roots", () => {
    const outer = root("/work", false);
    const inner = root("/work/project", false);
    expect(rootOf([outer, inner], "/work/project/a.ts")).toBe(inner);
    expect(rootOf([outer, inner], "/work/a.ts")).toBe(outer);
  });
});
