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

/**
 * Rejects unknown and invalid fields with a DomainError naming each field and reason. An input
 * the guard has validated already is passed through as it is: the handler gets the very object
 * the guard read its target ids from.
 */
class InputValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (typeof value === 'object' && value !== null && validated.has(value)) return value;
    return super.transform(value, metadata);
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
