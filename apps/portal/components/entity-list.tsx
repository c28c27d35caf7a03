'use client';

import Link from 'next/link';
import { useState } from 'react';
import { DataTable, usePagedList, type Column } from './data-table';

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
  const { list, pager } = usePagedList<T>(endpoint, params, { keepPrevious: true });

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
      <DataTable columns={columns} rows={list} paged={pager} />
    </section>
  );
}
