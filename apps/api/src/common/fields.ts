import { Field, GqlTypeReference, ID } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
} from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { referencePattern, referenceRule } from './reference';

// Input fields declared once for GraphQL, OpenAPI and validation together.

interface Options {
  optional?: boolean;
  description?: string;
}

/** Applies decorators as if written one above the other, top first. */
function stack(...decorators: PropertyDecorator[]): PropertyDecorator {
  return (target, key) => {
    for (const decorator of [...decorators].reverse()) decorator(target, key);
  };
}

function documented(
  type: () => GqlTypeReference,
  options: Options,
  api: Record<string, unknown>,
): PropertyDecorator[] {
  const { optional = false, description } = options;
  return [
    Field(type, { nullable: optional, description }),
    optional ? ApiPropertyOptional({ ...api, description }) : ApiProperty({ ...api, description }),
    ...(optional ? [IsOptional()] : []),
  ];
}

/** A UUID referring to another row. */
export function IdField(options: Options = {}): PropertyDecorator {
  return stack(...documented(() => ID, options, { format: 'uuid' }), IsUUID('all'));
}

/** One of a fixed list of values, shown as a GraphQL enum. */
export function EnumField(
  values: readonly string[],
  graphqlEnum: object,
  options: Options = {},
): PropertyDecorator {
  return stack(
    ...documented(() => graphqlEnum, options, { enum: values }),
    IsIn(values, { message: `must be one of ${values.join(', ')}` }),
  );
}

/** A display name: 1-200 characters. */
export function NameField(options: Options = {}): PropertyDecorator {
  return stack(
    ...documented(() => String, options, { maxLength: 200 }),
    IsString(),
    IsNotEmpty(),
    MaxLength(200),
  );
}

/** A unique, typed reference such as acme.north.t07. */
export function ReferenceField(options: Options = {}): PropertyDecorator {
  return stack(
    ...documented(() => String, options, { maxLength: 120, pattern: referencePattern.source }),
    IsString(),
    MaxLength(120),
    Matches(referencePattern, { message: referenceRule }),
  );
}

/** Free-form JSON object (metadata, mapping, settings). */
export function JsonObjectField(options: Options = {}): PropertyDecorator {
  return stack(
    ...documented(() => GraphQLJSONObject, options, { type: 'object', additionalProperties: true }),
    IsObject(),
  );
}

/** An ISO 8601 date-time. */
export function DateTimeField(options: Options = {}): PropertyDecorator {
  return stack(
    ...documented(() => String, options, { format: 'date-time' }),
    IsISO8601(
      { strict: true },
      { message: 'must be an ISO 8601 date-time, e.g. 2026-11-21T00:00:00Z' },
    ),
  );
}

/** A `true`/`false` query parameter of a REST route, kept as text for the caller to compare. */
export function BooleanQueryField(description: string): PropertyDecorator {
  return stack(
    ApiPropertyOptional({ enum: ['true', 'false'], description }),
    IsOptional(),
    Matches(/^(true|false)$/, { message: 'must be true or false' }),
  );
}
