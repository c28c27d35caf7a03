import { ValidationError, ValidationPipe } from '@nestjs/common';
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

/** Rejects unknown and invalid fields with a DomainError naming each field and reason. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => DomainError.validation(flatten(errors)),
  });
}
