'use client';

import { useState, type FormEvent } from 'react';
import { ApiError } from '@/lib/api';
import { ErrorBanner } from './error-banner';
import { useNodes, useResources } from './lookups';

export type FieldKind =
  | 'text'
  | 'number'
  | 'select'
  | 'json'
  | 'node'
  | 'resource'
  | 'textarea'
  | 'datetime'
  | 'password'
  | 'list'
  | 'checkbox';

export interface FieldSpec {
  name: string;
  label: string;
  kind: FieldKind;
  options?: readonly string[];
  required?: boolean;
  /** For node pickers: offer "none" (null). */
  nullable?: boolean;
  hint?: string;
}

type Values = Record<string, unknown>;

function initialText(spec: FieldSpec, value: unknown): string {
  if (value === undefined || value === null) return spec.kind === 'json' ? '{}' : '';
  if (spec.kind === 'json') return JSON.stringify(value, null, 2);
  if (spec.kind === 'datetime') return String(value).slice(0, 16);
  if (spec.kind === 'list' && Array.isArray(value)) return value.join('\n');
  return String(value);
}

/** The items of a list field: one per line or between commas, blanks dropped. */
function listItems(text: string): string[] {
  return text
    .split(/[\n,]/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/**
 * A create or edit form. Client-side it only parses JSON; every rule is the server's, and its
 * messages are shown beside the fields they name.
 */
export function EntityForm({
  fields,
  initial = {},
  submitLabel,
  onSubmit,
  changedOnly = false,
}: {
  fields: FieldSpec[];
  initial?: Values;
  submitLabel: string;
  onSubmit: (values: Values) => Promise<unknown>;
  changedOnly?: boolean;
}) {
  const [texts, setTexts] = useState<Record<string, string>>(() =>
    Object.fromEntries(fields.map((f) => [f.name, initialText(f, initial[f.name])])),
  );
  const [localErrors, setLocalErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const nodes = useNodes();
  const resources = useResources();

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const values: Values = {};
    const problems: Record<string, string> = {};
    for (const spec of fields) {
      const text = texts[spec.name];
      if (changedOnly && text === initialText(spec, initial[spec.name])) continue;
      if (spec.kind === 'json') {
        try {
          values[spec.name] = JSON.parse(text || '{}');
        } catch (e) {
          problems[spec.name] = `not valid JSON: ${(e as Error).message}`;
        }
      } else if (spec.kind === 'number') {
        if (text !== '') values[spec.name] = Number(text);
      } else if (spec.kind === 'datetime') {
        if (text !== '') values[spec.name] = new Date(text).toISOString();
      } else if (spec.kind === 'list') {
        values[spec.name] = listItems(text);
      } else if (spec.kind === 'checkbox') {
        values[spec.name] = text === 'true';
      } else if (text === '') {
        if (spec.nullable && changedOnly) values[spec.name] = null;
        else if (spec.required) values[spec.name] = '';
      } else values[spec.name] = text;
    }
    setLocalErrors(problems);
    if (Object.keys(problems).length) return;
    setBusy(true);
    setError(null);
    try {
      await onSubmit(values);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };

  const apiError = error instanceof ApiError ? error : null;
  const unmatched =
    apiError &&
    (apiError.errors.length === 0 ||
      apiError.errors.some((e) => !fields.some((f) => f.name === e.field)));

  return (
    <form className="form" onSubmit={submit} noValidate>
      {error && unmatched ? (
        <div className="wide">
          <ErrorBanner error={error} />
        </div>
      ) : null}
      {fields.map((spec) => {
        const id = `field-${spec.name}`;
        const message = localErrors[spec.name] ?? apiError?.forField(spec.name);
        const set = (value: string) => setTexts({ ...texts, [spec.name]: value });
        let input;
        switch (spec.kind) {
          case 'select':
            input = (
              <select
                id={id}
                name={spec.name}
                value={texts[spec.name]}
                onChange={(e) => set(e.target.value)}
              >
                <option value="">—</option>
                {spec.options?.map((o) => (
                  <option key={o} value={o}>
                    {o}
                  </option>
                ))}
              </select>
            );
            break;
          case 'node':
            input = (
              <select
                id={id}
                name={spec.name}
                value={texts[spec.name]}
                onChange={(e) => set(e.target.value)}
              >
                <option value="">{spec.nullable ? '(none)' : '—'}</option>
                {nodes.data?.items.map((n) => (
                  <option key={n.id} value={n.id}>
                    {n.reference} — {n.name}
                  </option>
                ))}
              </select>
            );
            break;
          case 'resource':
            input = (
              <select
                id={id}
                name={spec.name}
                value={texts[spec.name]}
                onChange={(e) => set(e.target.value)}
              >
                <option value="">—</option>
                {resources.data?.items.map((r) => (
                  <option key={r.id} value={r.id}>
                    {r.reference} ({r.unit})
                  </option>
                ))}
              </select>
            );
            break;
          case 'checkbox':
            input = (
              <input
                id={id}
                name={spec.name}
                type="checkbox"
                checked={texts[spec.name] === 'true'}
                onChange={(e) => set(String(e.target.checked))}
              />
            );
            break;
          case 'json':
          case 'textarea':
          case 'list':
            input = (
              <textarea
                id={id}
                name={spec.name}
                value={texts[spec.name]}
                onChange={(e) => set(e.target.value)}
              />
            );
            break;
          default:
            input = (
              <input
                id={id}
                name={spec.name}
                type={
                  spec.kind === 'datetime'
                    ? 'datetime-local'
                    : spec.kind === 'number'
                      ? 'number'
                      : spec.kind === 'password'
                        ? 'password'
                        : 'text'
                }
                autoComplete={spec.kind === 'password' ? 'off' : undefined}
                value={texts[spec.name]}
                onChange={(e) => set(e.target.value)}
              />
            );
        }
        return (
          <div
            key={spec.name}
            className={
              spec.kind === 'json' || spec.kind === 'textarea' || spec.kind === 'list'
                ? 'wide'
                : undefined
            }
          >
            {spec.kind === 'checkbox' ? (
              <label className="checkbox">
                {input} {spec.label}
              </label>
            ) : (
              <>
                <label htmlFor={id}>
                  {spec.label}
                  {spec.required ? ' *' : ''}
                </label>
                {input}
              </>
            )}
            {spec.hint ? <div className="muted">{spec.hint}</div> : null}
            {message ? (
              <div className="field-error" data-testid={`error-${spec.name}`}>
                {message}
              </div>
            ) : null}
          </div>
        );
      })}
      <div className="wide">
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Saving…' : submitLabel}
        </button>
      </div>
    </form>
  );
}
