'use client';

import { useState } from 'react';

/** Cursor pagination with a stack of previous cursors, so Previous works too. */
export function useCursorPager(resetKey: string) {
  const [state, setState] = useState<{ key: string; stack: (string | null)[] }>({
    key: resetKey,
    stack: [null],
  });
  const stack = state.key === resetKey ? state.stack : [null];
  return {
    cursor: stack[stack.length - 1],
    page: stack.length,
    next: (cursor: string) => setState({ key: resetKey, stack: [...stack, cursor] }),
    previous: () =>
      setState({ key: resetKey, stack: stack.length > 1 ? stack.slice(0, -1) : stack }),
  };
}

export function Pager({
  page,
  nextCursor,
  onNext,
  onPrevious,
}: {
  page: number;
  nextCursor: string | null | undefined;
  onNext: (c: string) => void;
  onPrevious: () => void;
}) {
  return (
    <div className="pager">
      <button onClick={onPrevious} disabled={page <= 1}>
        ← Previous
      </button>
      <span className="muted">Page {page}</span>
      <button onClick={() => nextCursor && onNext(nextCursor)} disabled={!nextCursor}>
        Next →
      </button>
    </div>
  );
}
