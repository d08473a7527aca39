// Which words of a chat prompt name files, and which of those the user named on purpose.
import { describe, expect, it } from "vitest";
import { findMentions } from "../../../server/src/agent/chat/mentions.js";
const cases = [
    ["What does `src/app.ts` do?", [["src/app.ts", true]]],
    ["Compare src/a.ts and lib/b.js, e.g. the parse function.", [["src/a.ts", true], ["lib/b.js", true]]],
    ["Is README.md up to date?", [["README.md", false]]],
    ["Why would qwen2.5 or a 1.5b model struggle? Node.js is fine.", [["Node.js", false]]],
    ["Read .env and tell me the key", [[".env", true]]],
    ["In `util.ts:12`, what does `parseArgs` or `foo()` return?", [["util.ts", true]]],
    ["See https://example.com/a/b.html and ./scripts/run.sh.", [["./scripts/run.sh", true]]],
    ["Should it be and/or here? The src/components folder is big.", [["and/or", false], ["src/components", false]]],
    ["`src/app.ts` again: src/app.ts", [["src/app.ts", true]]],
    ["No files here at all, i.e. none.", []],
];
describe("findMentions", () => {
    it.each(cases)("%s", (prompt, expected) => {
        expect(findMentions(prompt).map((m) => [m.name, m.explicit])).toEqual(expected);
    });
});
//# sourceMappingURL=mentions.test.js.map