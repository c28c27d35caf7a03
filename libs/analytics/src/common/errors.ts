import { DomainError } from '@sextant/domain';

/**
 * Bad input to an analysis (a file that cannot be read, a parameter out of range). It is a
 * `ValidationFailed` domain error, so the transports answer 400 naming `field` and `reason`;
 * `where` says where in the input it failed (a byte offset, a line, a column).
 */
export class AnalyticsInputError extends DomainError {
  constructor(
    readonly field: string,
    readonly reason: string,
    readonly where: Record<string, string | number> = {},
  ) {
    const at = Object.entries(where)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    super('ValidationFailed', `${field}: ${reason}${at ? ` (${at})` : ''}`, [
      { field, reason: at ? `${reason} (${at})` : reason },
    ]);
    this.name = 'AnalyticsInputError';
  }
}

/** Throws an AnalyticsInputError naming `field` unless `ok`. */
export function check(ok: boolean, field: string, reason: string): asserts ok {
  if (!ok) throw new AnalyticsInputError(field, reason);
}
