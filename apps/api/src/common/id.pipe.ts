import { Injectable, PipeTransform } from '@nestjs/common';
import { DomainError } from '@sextant/domain';

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Route ids are UUIDs; anything else is a 400 naming the parameter. */
@Injectable()
export class IdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!uuid.test(value)) {
      throw DomainError.validation([
        { field: 'id', reason: `must be a UUID, got "${value.slice(0, 60)}"` },
      ]);
    }
    return value.toLowerCase();
  }
}

export function isUuid(value: string): boolean {
  return uuid.test(value);
}
