/**
 * What `burrow/taskUpdate` carries, as the terminal reads it (docs/protocol.md has the contract).
 * Every field but the id and state is optional here, because the terminal shows whatever arrives
 * and must not fail on an update that leaves something out.
 */
import type { ChangeSummary } from "./diff.js";

export interface Plan {
  summary?: string;
  steps?: Array<{ description?: string }>;
  files?: Array<{ path?: string; action?: string; reason?: string; refused?: string }>;
}

export interface TaskUpdate {
  taskId: string;
  state: string;
  plan?: Plan;
  changes?: ChangeSummary[];
  diff?: string;
  error?: { code?: string; message?: string };
  documents?: { plan?: string; diff?: string };
  declinedHunks?: string[];
  /** Set while the task waits on a question that is not a state of its own (a cloud provider's consent). */
  awaiting?: string;
  consent?: { provider?: string; host?: string; files?: string[]; bytes?: number };
  warnings?: string[];
  queuedBehind?: string[];
}
