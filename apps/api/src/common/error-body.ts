import { HttpException, Logger } from '@nestjs/common';
import { DomainError, FieldError } from '@sextant/domain';

export interface ErrorBody {
  statusCode: number;
  code: string;
  message: string;
  errors?: FieldError[];
  /** Sent as the Retry-After header, not in the body. */
  retryAfterSeconds?: number;
}

const httpCodes: Record<number, string> = {
  400: 'BadRequest',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'RouteNotFound',
  405: 'MethodNotAllowed',
  413: 'PayloadTooLarge',
  415: 'UnsupportedMediaType',
  429: 'TooManyRequests',
};

const logger = new Logger('Errors');

interface FrameworkError {
  statusCode?: number;
  code?: string;
  message?: string;
}

/** The one mapping from any thrown value to what a client sees; 500s are logged, not shown. */
export function toErrorBody(error: unknown): ErrorBody {
  if (error instanceof DomainError) {
    return {
      statusCode: error.status,
      code: error.code,
      message: error.message,
      ...(error.fieldErrors.length ? { errors: error.fieldErrors } : {}),
      ...(error.retryAfterSeconds ? { retryAfterSeconds: error.retryAfterSeconds } : {}),
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    if (status < 500) {
      const response = error.getResponse();
      const message =
        typeof response === 'object' && response && 'message' in response
          ? String((response as { message: unknown }).message)
          : error.message;
      return { statusCode: status, code: httpCodes[status] ?? 'BadRequest', message };
    }
  }
  // Fastify's own client errors (bad JSON, body too large, wrong content type) carry a 4xx.
  const framework = error as FrameworkError;
  if (
    typeof framework?.statusCode === 'number' &&
    framework.statusCode >= 400 &&
    framework.statusCode < 500
  ) {
    const status = framework.statusCode;
    const reason = framework.message ?? 'bad request';
    const code =
      framework.code === 'FST_ERR_CTP_INVALID_JSON' || /JSON/.test(reason)
        ? 'InvalidJson'
        : (httpCodes[status] ?? 'BadRequest');
    return { statusCode: status, code, message: `body: ${reason}` };
  }
  logger.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
  return {
    statusCode: 500,
    code: 'InternalError',
    message: 'internal error; the server log has details',
  };
}
