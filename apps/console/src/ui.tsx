import { useId, type ReactNode } from 'react';
import { ApiError } from './api/client';

/** A server problem in its own words: the `detail`, and each field's message. */
export function ProblemBox({ error }: { error: unknown }) {
  if (!error) return null;
  const problem = error instanceof ApiError ? error.problem : undefined;
  return (
    <div role="alert" className="problem">
      <strong>{problem?.detail ?? (error as Error).message ?? 'Something went wrong.'}</strong>
      {problem?.errors?.length ? (
        <ul>
          {problem.errors.map((e) => (
            <li key={`${e.field}:${e.message}`}>
              <code>{e.field}</code>: {e.message}
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** The message the server gave for one field, if any. */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined;
  return error.problem.errors?.find((e) => e.field === field || e.field.startsWith(`${field}.`))?.message;
}

export function Field(props: {
  label: string;
  children: (id: string, describedBy?: string) => ReactNode;
  hint?: string;
  error?: string;
}) {
  const id = useId();
  const hintId = props.hint ? `${id}-hint` : undefined;
  const errorId = props.error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(' ') || undefined;
  return (
    <div className="field">
      <label htmlFor={id}>{props.label}</label>
      {props.children(id, describedBy)}
      {props.hint ? (
        <small id={hintId} className="hint">
          {props.hint}
        </small>
      ) : null}
      {props.error ? (
        <small id={errorId} className="field-error">
          {props.error}
        </small>
      ) : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty">{children}</p>;
}

/** A secret shown once: copy button and the warning that it will not be shown again. */
export function SecretOnce({ label, secret, children }: { label: string; secret: string; children?: ReactNode }) {
  return (
    <div className="secret" role="region" aria-label={label}>
      <p>
        <strong>Copy this {label} now.</strong> It is shown only once: Portico keeps only a hash of it.
      </p>
      <div className="secret-row">
        <code data-testid="secret">{secret}</code>
        <button type="button" onClick={() => void navigator.clipboard?.writeText(secret)}>
          Copy
        </button>
      </div>
      {children}
    </div>
  );
}

export const formatDate = (iso: string | null | undefined) =>
  iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : '—';

/** A table's header row; an empty name is a column of buttons, named for screen readers only. */
export function Head({ columns, hidden = 'Actions' }: { columns: string[]; hidden?: string }) {
  return (
    <thead>
      <tr>
        {columns.map((c, i) => (
          <th scope="col" key={i}>
            {c || <span className="visually-hidden">{hidden}</span>}
          </th>
        ))}
      </tr>
    </thead>
  );
}
