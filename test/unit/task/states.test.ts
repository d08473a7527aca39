/**
 * The transition table: the only way into `applying` is from `awaitingChangesApproval`, terminal
 * states stay terminal except for retries, and cancel or failure is reachable from every live state.
 */
import { describe, expect, it } from "vitest";
import { canTransition, isTerminal, type TaskState } from "../../../server/src/agent/task/states.js";

const ALL: TaskState[] = ["queued", "planning", "awaitingPlanApproval", "editing", "awaitingChangesApproval", "applying", "applied", "rejected", "cancelled", "failed"];

describe("task states", () => {
  it("reach applying only from gate 2", () => {
    for (const from of ALL) expect(canTransition(from, "applying"), from).toBe(from === "awaitingChangesApproval");
  });

  it("write nothing from any state before gate 2: applied is reached only from applying", () => {
    for (const from of ALL) expect(canTransition(from, "applied"), from).toBe(from === "applying");
  });

  it("cancel and fail from every live state, never from a finished one", () => {
    for (const from of ALL) {
      expect(canTransition(from, "cancelled"), from).toBe(!isTerminal(from));
      expect(canTransition(from, "failed"), from).toBe(!isTerminal(from));
    }
  });

  const retries: [TaskState, TaskState, boolean][] = [
    ["rejected", "editing", true],
    ["rejected", "planning", true],
    ["failed", "editing", true],
    ["applied", "editing", true],
    ["cancelled", "planning", false],
    ["cancelled", "editing", false],
    ["planning", "editing", false],
    ["awaitingPlanApproval", "awaitingChangesApproval", false],
  ];
  for (const [from, to, allowed] of retries) {
    it(`${allowed ? "allows" : "refuses"} ${from} → ${to}`, () => expect(canTransition(from, to)).toBe(allowed));
  }
});
