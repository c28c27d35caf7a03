'use client';

import { keepPreviousData, useQuery, type UseQueryResult } from '@tanstack/react-query';
import type { CSSProperties, ReactNode } from 'react';
import { api, query, type Page } from '@/lib/api';
import { ErrorBanner } from './error-banner';
import { Pager, useCursorPager } from './pager';

export interface Column<T> {
  label: string;
  /** Shown in the header instead of the label. */
  header?: ReactNode;
  render: (row: T) => ReactNode;
  style?: CSSProperties;
  className?: string;
}

type Params = Record<string, string | number | boolean | undefined | null>;

/**
 * One page of a cursor-paged list (GET endpoint?params&limit&cursor); a change of params goes
 * back to the first page.
 */
export function usePagedList<T>(
  endpoint: string,
  params: Params,
  options: {
    /** The query key's first part, for invalidation (the endpoint follows it). */
    key?: string;
    limit?: number;
    refetchInterval?: number;
    /** Keep showing the last page while the next loads. */
    keepPrevious?: boolean;
    /** False until the params are known (e.g. which organisation). */
    enabled?: boolean;
  } = {},
) {
  const { key = 'list', limit = 25, refetchInterval, keepPrevious = false, enabled } = options;
  const pager = useCursorPager(JSON.stringify(params));
  const list = useQuery({
    queryKey: [key, endpoint, params, pager.cursor],
    queryFn: () => api<Page<T>>(`${endpoint}${query({ ...params, limit, cursor: pager.cursor })}`),
    refetchInterval,
    enabled,
    ...(refetchInterval ? { staleTime: 0 } : {}),
    ...(keepPrevious ? { placeholderData: keepPreviousData } : {}),
  });
  return { list, pager };
}

/**
 * A table of rows with the portal's states: the error above it, "Loading…" until the first
 * answer, `empty` when there are no rows, and the pager when given one.
 */
export function DataTable<T extends object>({
  columns,
  rows,
  rowKey = (row) => (row as { id?: string }).id ?? '',
  testId,
  empty = 'Nothing matches.',
  rowClassName,
  rowTestId,
  paged,
}: {
  columns: Column<T>[];
  /** The query whose data are the rows (an array, or a page of them). */
  rows: Pick<UseQueryResult<T[] | Page<T>>, 'data' | 'error' | 'isLoading'>;
  /** The row's React key (default: its id). */
  rowKey?: (row: T) => string;
  testId?: string;
  empty?: ReactNode;
  rowClassName?: (row: T) => string | undefined;
  rowTestId?: (row: T) => string;
  /** The cursor pager of a paged list (usePagedList). */
  paged?: ReturnType<typeof usePagedList<T>>['pager'];
}) {
  const data = rows.data;
  const items = data === undefined ? undefined : Array.isArray(data) ? data : data.items;
  return (
    <>
      <ErrorBanner error={rows.error} />
      <div className="table-wrap">
        <table data-testid={testId}>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.label}>{c.header ?? c.label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {items?.map((row) => (
              <tr key={rowKey(row)} className={rowClassName?.(row)} data-testid={rowTestId?.(row)}>
                {columns.map((c) => (
                  <td key={c.label} style={c.style} className={c.className}>
                    {c.render(row)}
                  </td>
                ))}
              </tr>
            ))}
            {items && items.length === 0 ? (
              <tr>
                <td colSpan={columns.length} className="muted">
                  {empty}
                </td>
              </tr>
            ) : null}
            {rows.isLoading ? (
              <tr>
                <td colSpan={columns.length} className="muted">
                  Loading…
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      {paged ? (
        <Pager
          page={paged.page}
          nextCursor={data && !Array.isArray(data) ? data.nextCursor : undefined}
          onNext={paged.next}
          onPrevious={paged.previous}
        />
      ) : null}
    </>
  );
}
