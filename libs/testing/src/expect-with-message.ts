import type { expect as jestExpect } from '@jest/globals';

// jest's expect, the global of every test file. Not imported: global setups load this library
// too, outside any test, where @jest/globals refuses to load.
declare const expect: typeof jestExpect;

/**
 * `expect(value)` whose failures begin with `message`, for assertions in a loop or a table
 * that should say which case failed: `expectWithMessage(reply.status, url).toBe(415)`.
 * Chains (`.not`, `.resolves`, `.rejects`) and asynchronous matchers are covered.
 */
export function expectWithMessage<T>(value: T, message: string): ReturnType<typeof expect<T>> {
  return withMessage(expect(value), message);
}

function withMessage<M extends object>(matchers: M, message: string): M {
  return new Proxy(matchers, {
    get(target, key, receiver) {
      const member: unknown = Reflect.get(target, key, receiver);
      if (typeof member === 'function') {
        return (...args: unknown[]) => {
          let result: unknown;
          try {
            result = (member as (...a: unknown[]) => unknown).apply(target, args);
          } catch (error) {
            throw prefixed(error, message);
          }
          if (result instanceof Promise) {
            return result.catch((error: unknown) => {
              throw prefixed(error, message);
            });
          }
          return result;
        };
      }
      return member !== null && typeof member === 'object' ? withMessage(member, message) : member;
    },
  });
}

function prefixed(error: unknown, message: string): unknown {
  if (!(error instanceof Error)) return error;
  const original = error.message;
  error.message = `${message}\n\n${original}`;
  // jest prints the stack, which may begin with the message the error was made with.
  const { stack } = error;
  if (stack && !stack.includes(error.message)) error.stack = stack.replace(original, error.message);
  return error;
}
