/** Every domain error code; each transport maps them once (REST filter, GraphQL formatter). */
export const errorCodes = {
  ValidationFailed: 400,
  InvalidCursor: 400,
  NodeCycle: 400,
  PathLoop: 400,
  InvalidTimeWindow: 400,
  InvalidRange: 400,
  InvalidQuery: 400,
  LimitExceeded: 400,
  QueryTooDeep: 400,
  QueryTooCostly: 400,
  InvalidLink: 400,
  WeakPassword: 400,
  Unauthenticated: 401,
  InvalidCredentials: 401,
  Forbidden: 403,
  CsrfTokenInvalid: 403,
  EmailNotVerified: 403,
  RouteNotGuarded: 403,
  NodeNotFound: 404,
  ResourceNotFound: 404,
  PathNotFound: 404,
  TokenNotFound: 404,
  ItemNotFound: 404,
  MovementNotFound: 404,
  SeriesNotFound: 404,
  RouteNotFound: 404,
  CdcSourceNotFound: 404,
  ApiTokenNotFound: 404,
  MemberNotFound: 404,
  InvitationNotFound: 404,
  SessionNotFound: 404,
  JobTypeNotFound: 404,
  JobRunNotFound: 404,
  JobTaskNotFound: 404,
  JobScheduleNotFound: 404,
  TicketNotFound: 404,
  MetricNotFound: 404,
  PlanNotFound: 404,
  SubscriptionNotFound: 404,
  InvoiceNotFound: 404,
  BudgetNotFound: 404,
  ReferenceTaken: 409,
  DuplicateMovement: 409,
  NodeHasChildren: 409,
  NodeInUse: 409,
  NodeHasMovements: 409,
  ResourceInUse: 409,
  PathInUse: 409,
  TopicTaken: 409,
  ItemInUse: 409,
  ItemKindReserved: 409,
  CdcSourcePaused: 409,
  EmailTaken: 409,
  LastOwner: 409,
  AlreadyMember: 409,
  SubscriptionExists: 409,
  AlreadyBilled: 409,
  SignInLocked: 429,
  TooManyRequests: 429,
  QuotaExceeded: 429,
  UnsupportedMediaType: 415,
  JobRunFinished: 409,
  JobRunNotRetryable: 409,
  IllegalTransition: 409,
  SourceUnreachable: 502,
  SecretKeyMissing: 503,
  DatabaseUnavailable: 503,
} as const;

export type ErrorCode = keyof typeof errorCodes;

export interface FieldError {
  field: string;
  reason: string;
}

/** An error a client can act on: a code, a message and, for invalid input, the fields. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly fieldErrors: FieldError[] = [],
    /** For 429 and 503: when to try again (sent as Retry-After). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'DomainError';
  }

  get status(): number {
    return errorCodes[this.code];
  }

  static validation(errors: FieldError[]): DomainError {
    const message = errors.map((e) => `${e.field}: ${e.reason}`).join('; ');
    return new DomainError('ValidationFailed', message || 'invalid input', errors);
  }
}

/** For exhaustive switches over unions. */
export function assertNever(value: never): never {
  throw new Error(`unexpected value: ${String(value)}`);
}
