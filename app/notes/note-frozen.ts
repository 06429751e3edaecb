/**
 * A change to a note that may no longer change: being signed off on this node (note-docs'
 * freeze), signed off, or in a consultation moved to `final` (the store refuses the append, on
 * whichever node it arrives). Nothing was applied or stored.
 */
export class NoteFrozenError extends Error {
  override name = 'NoteFrozenError' as const;
  constructor(readonly noteId: number) {
    super(`note ${noteId} is being signed off or is signed off: no change is taken`);
  }
}

export function isNoteFrozen(error: unknown): error is NoteFrozenError {
  return error instanceof Error && error.name === 'NoteFrozenError';
}
