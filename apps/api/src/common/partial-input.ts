import { Type } from '@nestjs/common';
import { PartialType } from '@nestjs/graphql';
import { ApiProperty } from '@nestjs/swagger';

// @nestjs/swagger's metadata keys (DECORATORS in @nestjs/swagger/dist/constants).
const propertiesArrayKey = 'swagger/apiModelPropertiesArray';
const propertiesKey = 'swagger/apiModelProperties';

/**
 * The update form of a create input: every field optional, for GraphQL, validation and
 * OpenAPI at once (each library's own PartialType covers only its own metadata).
 */
export function PartialInput<T>(classRef: Type<T>): Type<Partial<T>> {
  const partial = PartialType(classRef) as Type<Partial<T>>;
  const names: string[] = Reflect.getMetadata(propertiesArrayKey, classRef.prototype) ?? [];
  for (const entry of names) {
    const name = entry.replace(/^:/, '');
    const options = Reflect.getMetadata(propertiesKey, classRef.prototype, name) ?? {};
    ApiProperty({ ...options, required: false })(partial.prototype as object, name);
  }
  return partial;
}
