import {
  assertNever,
  type FieldError,
  type ItemKindName,
  type NodeKindName,
} from '@sextant/domain';

// Parameter schemas of job types: declared once in code, they validate a submission (each
// problem a FieldError naming `params.<name>`) and describe the form the portal draws.

interface ParamBase<T> {
  title: string;
  description?: string;
  /** Absent and no default: the submission is refused. */
  required?: boolean;
  default?: T;
}

export interface StringParam extends ParamBase<string> {
  type: 'string';
  maxLength?: number;
  pattern?: string;
}
export interface NumberParam extends ParamBase<number> {
  type: 'number' | 'integer';
  minimum?: number;
  maximum?: number;
}
export interface BooleanParam extends ParamBase<boolean> {
  type: 'boolean';
}
/** An ISO 8601 date-time with a zone, kept as the string given (normalised to UTC). */
export interface DateTimeParam extends ParamBase<string> {
  type: 'datetime';
}
/** The id of a node, checked to exist at submission; kinds narrows the portal's picker. */
export interface NodeParam extends ParamBase<string> {
  type: 'node';
  kinds?: NodeKindName[];
}
/**
 * The id of an item (a trained model, say): at submission the caller must be allowed to read
 * it, and the worker reads it only within the run owner's organisation; kinds narrows it.
 */
export interface ItemParam extends ParamBase<string> {
  type: 'item';
  kinds?: ItemKindName[];
}
export interface EnumParam extends ParamBase<string> {
  type: 'enum';
  values: readonly string[];
}

export type ParamSpec =
  StringParam | NumberParam | BooleanParam | DateTimeParam | NodeParam | ItemParam | EnumParam;

export type ParamShape = Record<string, ParamSpec>;

type ValueOf<S extends ParamSpec> = S extends NumberParam
  ? number
  : S extends BooleanParam
    ? boolean
    : string;

type Present<S extends ParamSpec> = S extends { required: true } | { default: unknown }
  ? true
  : false;

/** The parameters a job type's tasks see, typed from its schema. */
export type ParamsOf<Shape extends ParamShape> = {
  [K in keyof Shape as Present<Shape[K]> extends true ? K : never]: ValueOf<Shape[K]>;
} & {
  [K in keyof Shape as Present<Shape[K]> extends true ? never : K]?: ValueOf<Shape[K]>;
};

/** Declares a schema, keeping the literal types that ParamsOf reads. */
export function params<const Shape extends ParamShape>(shape: Shape): Shape {
  return shape;
}

const isoDateTime = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function check(spec: ParamSpec, value: unknown): { value?: unknown; reason?: string } {
  switch (spec.type) {
    case 'string': {
      if (typeof value !== 'string') return { reason: 'must be a string' };
      if (spec.maxLength !== undefined && value.length > spec.maxLength)
        return { reason: `must be at most ${spec.maxLength} characters` };
      if (spec.pattern && !new RegExp(spec.pattern).test(value))
        return { reason: `must match ${spec.pattern}` };
      return { value };
    }
    case 'number':
    case 'integer': {
      if (typeof value !== 'number' || !Number.isFinite(value))
        return { reason: 'must be a number' };
      if (spec.type === 'integer' && !Number.isInteger(value))
        return { reason: 'must be a whole number' };
      if (spec.minimum !== undefined && value < spec.minimum)
        return { reason: `must be at least ${spec.minimum}` };
      if (spec.maximum !== undefined && value > spec.maximum)
        return { reason: `must be at most ${spec.maximum}` };
      return { value };
    }
    case 'boolean':
      return typeof value === 'boolean' ? { value } : { reason: 'must be true or false' };
    case 'datetime': {
      if (typeof value !== 'string' || !isoDateTime.test(value) || Number.isNaN(Date.parse(value)))
        return { reason: 'must be an ISO 8601 date-time with a zone, e.g. 2026-11-21T00:00:00Z' };
      return { value: new Date(value).toISOString() };
    }
    case 'node':
      return typeof value === 'string' && uuid.test(value)
        ? { value: value.toLowerCase() }
        : { reason: 'must be the id (UUID) of a node' };
    case 'item':
      return typeof value === 'string' && uuid.test(value)
        ? { value: value.toLowerCase() }
        : { reason: 'must be the id (UUID) of an item' };
    case 'enum':
      return typeof value === 'string' && spec.values.includes(value)
        ? { value }
        : { reason: `must be one of ${spec.values.join(', ')}` };
    default:
      return assertNever(spec);
  }
}

/**
 * Checks submitted parameters against a schema: unknown names, missing required ones and bad
 * values are errors on `params.<name>`; defaults fill what is absent.
 */
export function validateParams(
  shape: ParamShape,
  input: unknown,
): { value: Record<string, unknown>; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const value: Record<string, unknown> = {};
  if (input === undefined || input === null) input = {};
  if (typeof input !== 'object' || Array.isArray(input)) {
    return { value, errors: [{ field: 'params', reason: 'must be an object' }] };
  }
  const given = input as Record<string, unknown>;
  for (const name of Object.keys(given)) {
    if (!(name in shape)) {
      errors.push({
        field: `params.${name}`,
        reason: `unknown parameter (expected ${Object.keys(shape).join(', ') || 'none'})`,
      });
    }
  }
  for (const [name, spec] of Object.entries(shape)) {
    const raw = given[name];
    if (raw === undefined || raw === null) {
      if (spec.default !== undefined) value[name] = spec.default;
      else if (spec.required) errors.push({ field: `params.${name}`, reason: 'is required' });
      continue;
    }
    const result = check(spec, raw);
    if (result.reason) errors.push({ field: `params.${name}`, reason: result.reason });
    else value[name] = result.value;
  }
  return { value, errors };
}

/** A parameter as the API describes it (and the portal's submit form is drawn from). */
export interface ParamDescription {
  name: string;
  type: ParamSpec['type'];
  title: string;
  description: string | null;
  required: boolean;
  default: string | number | boolean | null;
  minimum: number | null;
  maximum: number | null;
  values: string[] | null;
  nodeKinds: string[] | null;
  itemKinds: string[] | null;
}

export function describeParams(shape: ParamShape): ParamDescription[] {
  return Object.entries(shape).map(([name, spec]) => ({
    name,
    type: spec.type,
    title: spec.title,
    description: spec.description ?? null,
    required: Boolean(spec.required) && spec.default === undefined,
    default: spec.default ?? null,
    minimum: 'minimum' in spec ? (spec.minimum ?? null) : null,
    maximum: 'maximum' in spec ? (spec.maximum ?? null) : null,
    values: spec.type === 'enum' ? [...spec.values] : null,
    nodeKinds: spec.type === 'node' ? (spec.kinds ?? null) : null,
    itemKinds: spec.type === 'item' ? (spec.kinds ?? null) : null,
  }));
}

/** The item parameters and the kinds each takes (null: any), checked at submission. */
export function itemParams(shape: ParamShape): { name: string; kinds: readonly string[] | null }[] {
  return Object.entries(shape).flatMap(([name, spec]) =>
    spec.type === 'item' ? [{ name, kinds: spec.kinds ?? null }] : [],
  );
}

/** The names of the node parameters, whose ids the platform checks exist. */
export function nodeParams(shape: ParamShape): string[] {
  return Object.entries(shape)
    .filter(([, spec]) => spec.type === 'node')
    .map(([name]) => name);
}
