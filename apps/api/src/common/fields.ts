import { Field, GqlTypeReference, ID, Int } from '@nestjs/graphql';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsNotEmpty,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { GraphQLJSONObject } from 'graphql-scalars';
import { IsDecimalString } from './decimal';
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

/** Text of at most `maxLength` characters (and not empty when `notEmpty`). */
export function TextField(
  options: Options & { maxLength: number; notEmpty?: boolean; example?: string },
): PropertyDecorator {
  const { maxLength, notEmpty = false, example } = options;
  return stack(
    ...documented(() => String, options, { maxLength, example }),
    IsString(),
    ...(notEmpty ? [IsNotEmpty()] : []),
    MaxLength(maxLength),
  );
}

/** A display name: 1-200 characters. */
export function NameField(options: Options = {}): PropertyDecorator {
  return TextField({ ...options, maxLength: 200, notEmpty: true });
}

/**
 * Text matching a pattern, with the message shown when it does not; `isString` checks the type
 * first, so that a number is reported as not a string rather than as not matching.
 */
export function PatternField(
  pattern: RegExp,
  message: string,
  options: Options & { example?: string; isString?: boolean } = {},
): PropertyDecorator {
  return stack(
    ...documented(() => String, options, { pattern: pattern.source, example: options.example }),
    ...(options.isString ? [IsString()] : []),
    Matches(pattern, { message }),
  );
}

/** A whole number in a range; `fromQuery` turns a REST query string into the number first. */
export function IntField(
  options: Options & {
    min: number;
    max: number;
    default?: number;
    fromQuery?: boolean;
    message?: string;
  },
): PropertyDecorator {
  const { min, max, fromQuery = false, message } = options;
  return stack(
    ...documented(() => Int, options, { minimum: min, maximum: max, default: options.default }),
    ...(fromQuery ? [Type(() => Number)] : []),
    IsInt(message ? { message } : {}),
    Min(min),
    Max(max),
  );
}

/** true or false; `fromQuery` reads the REST query strings "true" and "false". */
export function BooleanField(options: Options & { fromQuery?: boolean } = {}): PropertyDecorator {
  return stack(
    ...documented(() => Boolean, options, {}),
    ...(options.fromQuery
      ? [Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))]
      : []),
    IsBoolean(),
  );
}

/** A non-negative decimal, a JSON number or a string, kept as an exact string. */
export function DecimalField(options: Options & { example?: string } = {}): PropertyDecorator {
  return stack(
    ...documented(() => String, options, { type: String, example: options.example }),
    IsDecimalString(),
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
