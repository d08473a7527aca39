/**
 * The `initialize` answer is part of the public contract (docs/protocol.md, "Initialization"):
 * clients not in this repository decide what to send from it. Any change to it shows here as a
 * changed snapshot, to be made on purpose and documented.
 */
import { describe, expect, it } from "vitest";
import { serverCapabilities } from "../../../server/src/lsp/capabilities.js";

describe("serverCapabilities", () => {
  it("claims exactly what Burrow serves", () => {
    expect(serverCapabilities()).toMatchInlineSnapshot(`
      {
        "codeActionProvider": {
          "codeActionKinds": [
            "quickfix",
            "refactor.rewrite",
          ],
          "resolveProvider": false,
        },
        "executeCommandProvider": {
          "commands": [
            "burrow.task",
            "burrow.task.status",
            "burrow.task.cancel",
            "burrow.task.retry",
            "burrow.plan.approve",
            "burrow.plan.revise",
            "burrow.plan.reject",
            "burrow.changes.apply",
            "burrow.changes.reject",
            "burrow.undo",
            "burrow.chat",
            "burrow.grant",
            "burrow.revoke",
            "burrow.models.list",
            "burrow.models.pull",
            "burrow.doctor",
            "burrow.egress",
          ],
        },
        "textDocumentSync": {
          "change": 2,
          "openClose": true,
          "save": {
            "includeText": false,
          },
        },
        "workspace": {
          "workspaceFolders": {
            "changeNotifications": true,
            "supported": true,
          },
        },
      }
    `);
  });
});
