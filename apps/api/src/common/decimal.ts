import { Transform } from 'class-transformer';
import { Matches } from 'class-validator';

const decimal = /^\d{1,18}(\.\d{1,10})?$/;
const signedDecimal = /^-?\d{1,18}(\.\d{1,10})?$/;

/**
 * A non-negative decimal given as a JSON number or a string; kept as an exact string. `signed`
 * lets a minus through (the service decides when a negative value is allowed).
 */
export function IsDecimalString(options: { signed?: boolean } = {}): PropertyDecorator {
  return (target, key) => {
    Transform(({ value }) =>
      typeof value === 'number' && Number.isFinite(value) ? String(value) : value,
    )(target, key);
    Matches(options.signed ? signedDecimal : decimal, {
      message: options.signed
        ? 'must be a decimal number, e.g. 86400 or -0.5'
        : 'must be a non-negative decimal number, e.g. 86400 or 0.0025',
    })(target, key);
  };
}

/** Prisma's Decimal (or null) as the string the API shows. */
export function decimalToString(value: { toString(): string } | null | undefined): string | null {
  return value === null || value === undefined ? null : value.toString();
}
