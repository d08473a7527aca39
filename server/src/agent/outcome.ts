/**
 * The shape every agent module uses when failure is an ordinary answer rather than a defect.
 *
 * A path outside the granted folders, a block that does not match, a runtime that is not running:
 * these are normal outcomes the caller must handle, so they are values. Exceptions are kept for
 * broken invariants (a bug, a corrupted state file), where the only sane reaction is to stop.
 *
 * A refusal that says more than a sentence (which file, which error code) is given as `R`, a
 * refusal with extra fields, so the caller can still treat every refusal alike.
 */
export type Outcome<T, R extends Refusal = Refusal> = ({ ok: true } & T) | R;

/** A normal "no", with a sentence a user can act on. */
export interface Refusal {
  ok: false;
  reason: string;
}

export function refuse(reason: string): Refusal {
  return { ok: false, reason };
}

/** A refusal with a code the caller can branch on (a `CodedRefusal` when the code is one of the protocol's). */
export function refuseWith<Code extends string>(code: Code, reason: string): Refusal & { code: Code } {
  return { ok: false, code, reason };
}
