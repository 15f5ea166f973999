import { useState, type FormEvent } from 'react';
import { Field, fieldError, ProblemBox } from '../ui';

export interface FieldInfo {
  name: string;
  type: string;
  required?: boolean;
  options?: { choices?: string[] };
}
export type RecordBody = Record<string, unknown>;

/** A form value as the field's type wants it in JSON; undefined for an empty optional input. */
function parse(field: FieldInfo, raw: FormDataEntryValue | null, checked: boolean): unknown {
  const text = typeof raw === 'string' ? raw : '';
  if (field.type === 'boolean') return checked;
  if (text === '') return undefined;
  if (field.type === 'number' || field.type === 'integer') return Number(text);
  if (field.type === 'multi_select')
    return text
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (field.type === 'json') {
    try {
      return JSON.parse(text) as unknown;
    } catch {
      return text; // the server names the field and says why
    }
  }
  return text;
}

const display = (value: unknown) =>
  value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);

/** Create or edit one record; each field's error from the server shows under it. */
export function RecordForm(props: {
  fields: FieldInfo[];
  initial?: RecordBody;
  error: unknown;
  busy: boolean;
  submitLabel: string;
  onSubmit: (body: RecordBody) => void;
  onCancel: () => void;
}) {
  const [touched] = useState(() => new Set<string>());
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    const body: RecordBody = {};
    for (const f of props.fields) {
      const input = form.elements.namedItem(f.name) as HTMLInputElement | null;
      const value = parse(f, data.get(f.name), input?.checked ?? false);
      // An edit sends what changed, and clears a field emptied on purpose.
      if (value !== undefined) body[f.name] = value;
      else if (props.initial && props.initial[f.name] !== undefined && props.initial[f.name] !== null)
        body[f.name] = null;
    }
    props.onSubmit(body);
  }
  return (
    <form onSubmit={submit} aria-label={props.submitLabel} className="panel">
      <ProblemBox error={props.error} />
      {props.fields.map((f) => (
        <Field
          key={f.name}
          label={`${f.name}${f.required ? ' *' : ''}`}
          hint={f.type}
          error={fieldError(props.error, f.name)}
        >
          {(id, d) =>
            f.type === 'boolean' ? (
              <input
                id={id}
                name={f.name}
                type="checkbox"
                defaultChecked={props.initial?.[f.name] === true}
                aria-describedby={d}
                onChange={() => touched.add(f.name)}
              />
            ) : f.type === 'select' && f.options?.choices ? (
              <select id={id} name={f.name} defaultValue={display(props.initial?.[f.name])} aria-describedby={d}>
                <option value="">—</option>
                {f.options.choices.map((c) => (
                  <option key={c}>{c}</option>
                ))}
              </select>
            ) : (
              <input
                id={id}
                name={f.name}
                type={
                  f.type === 'number' || f.type === 'integer'
                    ? 'number'
                    : f.type === 'date'
                      ? 'date'
                      : f.type === 'email'
                        ? 'email'
                        : 'text'
                }
                step={f.type === 'number' ? 'any' : undefined}
                defaultValue={display(props.initial?.[f.name])}
                aria-describedby={d}
              />
            )
          }
        </Field>
      ))}
      <button type="submit" className="primary" disabled={props.busy}>
        {props.submitLabel}
      </button>
      <button type="button" onClick={props.onCancel}>
        Cancel
      </button>
    </form>
  );
}
