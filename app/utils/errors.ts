/**
 * Errors the domain raises on purpose. Routes and socket handlers turn them into answers.
 * Recognised by `name`, not `instanceof`: the Remix bundle and the server each load their own
 * copy of this module (docs/decisions/0004).
 */
export type DomainErrorCode =
  | 'invalid'
  | 'not_found'
  | 'unauthenticated'
  | 'forbidden'
  | 'conflict'
  | 'rate_limited'
  /** The database is down or refuses writes: nothing was stored, the user may try again. */
  | 'unavailable';

export class DomainError extends Error {
  override name = 'DomainError' as const;
  constructor(
    readonly code: DomainErrorCode,
    /** An i18n key for the message shown to the user. */
    readonly messageKey: string,
    /** The form field the error belongs to, if any. */
    readonly field?: string,
    /** Several fields at once (a form checked as a whole): field → i18n key. */
    readonly fields?: Record<string, string>,
  ) {
    super(`${code}: ${messageKey}${field ? ` (${field})` : ''}`);
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof Error && error.name === 'DomainError' && 'code' in error;
}
