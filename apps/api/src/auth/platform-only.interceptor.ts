import { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { map, type Observable } from 'rxjs';
import { principalOf, requestOf } from './actor.decorator';

/**
 * Hides what only platform administrators may see from everyone else: the processes of the
 * platform (worker host names and pids) are shared by every organisation, and tell an outsider
 * about the hosts behind it. `hide` gets the handler's answer and returns it without them.
 */
export class PlatformOnly implements NestInterceptor {
  constructor(private readonly hide: (answer: unknown) => unknown) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const principal = principalOf(requestOf(context));
    if (principal?.kind === 'user' && principal.platformAdmin) return next.handle();
    return next.handle().pipe(map((answer) => this.hide(answer)));
  }
}

/** Applies `hide` to an answer, or to each element of a list answer. */
export function eachOf<T>(hide: (one: T) => T): (answer: unknown) => unknown {
  return (answer) => (Array.isArray(answer) ? answer.map((a: T) => hide(a)) : hide(answer as T));
}
