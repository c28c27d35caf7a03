import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainError, FieldError } from '@sextant/domain';

function flatten(errors: ValidationError[], prefix = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = prefix ? `${prefix}.${error.property}` : error.property;
    // class-validator lists a property's failed rules last-declared first; the first declared
    // (type before range) says best what is wrong, so report that one.
    const messages = Object.values(error.constraints ?? {})
      .reverse()
      .slice(0, 1);
    const own = messages.map((message) => ({
      field,
      // class-validator starts messages with the property name; the field says it already.
      reason: message.startsWith(`${error.property} `)
        ? message.slice(error.property.length + 1)
        : message,
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** Inputs already validated (by the policy guard, which reads its targets from them). */
const validated = new WeakSet<object>();

/** Query inputs remembered per class: dashboards and agents poll the same few queries. */
const rememberedQueries = 500;

/** A query string's values: strings, or lists of them for a repeated name. */
function isQueryText(value: unknown): value is Record<string, string | string[]> {
  return (
    typeof value === 'object' &&
    value !== null &&
    Object.values(value).every(
      (v) => typeof v === 'string' || (Array.isArray(v) && v.every((e) => typeof e === 'string')),
    )
  );
}

/** A shallow copy of a validated input, of its class: each request gets its own object. */
function copyOf<T extends object>(input: T): T {
  return Object.assign(Object.create(Object.getPrototypeOf(input) as object) as T, input);
}

/**
 * Rejects unknown and invalid fields with a DomainError naming each field and reason. An input
 * the guard has validated already is passed through as it is: the handler gets the very object
 * the guard read its target ids from. Valid query strings are remembered (see transform).
 */
class InputValidationPipe extends ValidationPipe {
  private readonly queries = new Map<unknown, Map<string, object>>();

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (typeof value === 'object' && value !== null && validated.has(value)) return value;
    // A query string seen before, for the same class, was valid then and is valid now: its
    // transformed input is copied instead of transformed and validated again.
    if (metadata.type !== 'query' || !metadata.metatype || !isQueryText(value))
      return super.transform(value, metadata);
    const key = JSON.stringify(value);
    let known = this.queries.get(metadata.metatype);
    const hit = known?.get(key);
    if (hit) return copyOf(hit);
    const result: unknown = await super.transform(value, metadata);
    if (typeof result === 'object' && result !== null) {
      if (!known) this.queries.set(metadata.metatype, (known = new Map()));
      if (known.size >= rememberedQueries) known.clear();
      known.set(key, copyOf(result));
    }
    return result;
  }

  /** Validates and transforms an input once; later passes of the pipe return it unchanged. */
  async validateOnce(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const result: unknown = await this.transform(value, metadata);
    if (typeof result === 'object' && result !== null) validated.add(result);
    return result;
  }
}

export type { InputValidationPipe };

export function createValidationPipe(): InputValidationPipe {
  return new InputValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => DomainError.validation(flatten(errors)),
  });
}
