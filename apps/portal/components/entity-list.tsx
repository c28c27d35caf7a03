'use client';

import { keepPreviousData, useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useState, type ReactNode } from 'react';
import { api, query, type Page } from '@/lib/api';
import { ErrorBanner } from './error-banner';
import { Pager, useCursorPager } from './pager';

export interface Column<T> {
  label: string;
  render: (row: T) => ReactNode;
}

export interface Filter {
  name: string;
  label: string;
  options?: readonly string[];
  type?: 'text' | 'datetime-local';
}

/** A filterable, cursor-paginated table of one kind of entity. */
export function EntityList<T extends { id: string }>({
  title,
  endpoint,
  columns,
  filters,
  newHref,
  newLabel,
  extraParams = {},
  toParams = (v) => v,
}: {
  title: string;
  endpoint: string;
  columns: Column<T>[];
  filters: Filter[];
  newHref?: string;
  newLabel?: string;
  extraParams?: Record<string, string>;
  toParams?: (values: Record<string, string>) => Record<string, string>;
}) {
  const [values, setValues] = useState<Record<string, string>>({});
  const params = { ...extraParams, ...toParams(values) };
  const key = JSON.stringify(params);
  const pager = useCursorPager(key);
  const list = useQuery({
    queryKey: [endpoint, params, pager.cursor],
    queryFn: () =>
      api<Page<T>>(`${endpoint}${query({ ...params, limit: 25, cursor: pager.cursor })}`),
    placeholderData: keepPreviousData,
  });

  return (
    <section>
      <div className="toolbar">
        <h1 style={{ marginRight: 'auto' }}>{title}</h1>
        {newHref ? (
          <Link href={newHref} className="button primary">
            {newLabel ?? 'New'}
          </Link>
        ) : null}
      </div>
      <div className="toolbar">
        {filters.map((f) => (
          <div key={f.name}>
            <label htmlFor={`filter-${f.name}`}>{f.label}</label>
            {f.options ? (
              <select
                id={`filter-${f.name}`}
                value={values[f.name] ?? ''}
                onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
              >
                <option value="">all</option>
                {f.options.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            ) : (
              <input
                id={`filter-${f.name}`}
                type={f.type ?? 'text'}
                value={values[f.name] ?? ''}
                onChange={(e) => setValues({ ...values, [f.name]: e.target.value })}
              />
            )}
          </div>
        ))}
      </div>
      <ErrorBanner error={list.error} />
      <div className="table-wrap">
        <table>
          <thead>
            <tr>
              {columns.map((c) => (
                <th key={c.label}>{c.label}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((row) => (
              <tr key={row.id}>
                {columns.map((c) => (
                  <td key={c.label}>{c.render(row)}</td>
                ))}
              </tr>
            ))}
            {list.data && list.data.items.length === 0 ? (
              <tr>
                <td colSpan={columns.length} className="muted">
                  Nothing matches.
                </td>
              </tr>
            ) : null}
            {list.isLoading ? (
              <tr>
                <td colSpan={columns.length} className="muted">
                  Loading…
                </td>
              </tr>
            ) : null}
          </tbody>
        </table>
      </div>
      <Pager
        page={pager.page}
        nextCursor={list.data?.nextCursor}
        onNext={pager.next}
        onPrevious={pager.previous}
      />
    </section>
  );
}
