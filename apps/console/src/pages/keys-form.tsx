import { useState, type FormEvent } from 'react';
import { Field, fieldError, ProblemBox } from '../ui';

export const ACTIONS = ['read', 'write', 'delete', 'admin'] as const;
export const EXPIRIES = ['7d', '30d', '60d', '90d', '180d', 'never'] as const;
export const SCOPES = ['audit:read', 'collections:admin', 'keys:admin'] as const;
type Action = (typeof ACTIONS)[number];
type FieldRule = 'select_fields' | 'exclude_fields' | 'writable_fields';

/** One collection's grant as the form edits it; field rules empty = none. */
interface Grant {
  actions: Action[];
  select_fields: string[];
  exclude_fields: string[];
  writable_fields: string[];
}
const noGrant = (): Grant => ({ actions: [], select_fields: [], exclude_fields: [], writable_fields: [] });

/** A key's permissions (list or object form) as the form's grants. */
function fromPermissions(permissions: Record<string, unknown> | undefined): Record<string, Grant> {
  const grants: Record<string, Grant> = {};
  for (const [name, value] of Object.entries(permissions ?? {})) {
    if (Array.isArray(value)) grants[name] = { ...noGrant(), actions: value as Action[] };
    else if (value && typeof value === 'object') {
      const v = value as Record<string, unknown>;
      const list = (rule: string) => (Array.isArray(v[rule]) ? (v[rule] as string[]) : []);
      grants[name] = {
        actions: ACTIONS.filter((a) => v[a] === true),
        select_fields: list('select_fields'),
        exclude_fields: list('exclude_fields'),
        writable_fields: list('writable_fields'),
      };
    }
  }
  return grants;
}

export interface KeyBody {
  label: string;
  description?: string;
  collection_permissions: Record<string, Action[] | Partial<Record<Action, boolean> & Record<FieldRule, string[]>>>;
  scopes: (typeof SCOPES)[number][];
  expires_in: (typeof EXPIRIES)[number];
  allowed_ips: string[];
  rate_limit_per_minute?: number | null;
}

/** The list form when there are no field rules, the object form when there are. */
function toPermissions(grants: Record<string, Grant>): KeyBody['collection_permissions'] {
  const out: KeyBody['collection_permissions'] = {};
  for (const [name, g] of Object.entries(grants)) {
    if (g.actions.length === 0) continue;
    const rules = Object.fromEntries(
      (['select_fields', 'exclude_fields', 'writable_fields'] as const)
        .filter((r) => g[r].length)
        .map((r) => [r, g[r]]),
    );
    // The object form names each action as a flag beside the field rules.
    out[name] = Object.keys(rules).length
      ? { ...Object.fromEntries(g.actions.map((a) => [a, true])), ...rules }
      : g.actions;
  }
  return out;
}

/**
 * Creating a key: per-collection actions (and `*` for every collection), field rules
 * picked from each collection's fields, scopes, an expiry preset (30 days by default),
 * allowed addresses and an own rate limit.
 */
export function KeyForm(props: {
  collections: { name: string; fields: string[] }[];
  error: unknown;
  busy: boolean;
  onSubmit: (body: KeyBody) => void;
  /** Editing an existing key: its values (expiry is set once, at creation). */
  initial?: Omit<KeyBody, 'expires_in'> & { collection_permissions: Record<string, unknown> };
  submitLabel?: string;
}) {
  const [grants, setGrants] = useState<Record<string, Grant>>(() =>
    fromPermissions(props.initial?.collection_permissions),
  );
  const initial = props.initial;
  const rows = [{ name: '*', fields: [] as string[] }, ...props.collections];
  const grant = (name: string) => grants[name] ?? noGrant();
  const toggle = (name: string, action: Action) =>
    setGrants((all) => {
      const g = all[name] ?? noGrant();
      const actions = g.actions.includes(action) ? g.actions.filter((a) => a !== action) : [...g.actions, action];
      return { ...all, [name]: { ...g, actions } };
    });
  const setRule = (name: string, rule: 'select_fields' | 'exclude_fields' | 'writable_fields', values: string[]) =>
    setGrants((all) => ({ ...all, [name]: { ...(all[name] ?? noGrant()), [rule]: values } }));

  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const limit = String(form.get('rate_limit_per_minute') ?? '').trim();
    props.onSubmit({
      label: String(form.get('label')),
      description: String(form.get('description') ?? '') || undefined,
      collection_permissions: toPermissions(grants),
      scopes: form.getAll('scopes').map(String) as KeyBody['scopes'],
      expires_in: String(form.get('expires_in') ?? '30d') as KeyBody['expires_in'],
      allowed_ips: String(form.get('allowed_ips') ?? '')
        .split(/[\s,]+/)
        .filter(Boolean),
      // Editing: an emptied limit removes it; creating: no limit is simply not sent.
      ...(limit ? { rate_limit_per_minute: Number(limit) } : initial ? { rate_limit_per_minute: null } : {}),
    });
  }

  const error = props.error;
  return (
    <form onSubmit={submit} aria-label={props.submitLabel ?? 'Create API key'}>
      <ProblemBox error={error} />
      <Field label="Label" error={fieldError(error, 'label')}>
        {(id, d) => (
          <input id={id} name="label" required maxLength={200} defaultValue={initial?.label} aria-describedby={d} />
        )}
      </Field>
      <Field label="Description" hint="Optional">
        {(id, d) => (
          <input id={id} name="description" maxLength={1000} defaultValue={initial?.description} aria-describedby={d} />
        )}
      </Field>
      <fieldset>
        <legend>Collection permissions</legend>
        <table className="compact">
          <thead>
            <tr>
              <th scope="col">Collection</th>
              {ACTIONS.map((a) => (
                <th scope="col" key={a}>
                  {a}
                </th>
              ))}
              <th scope="col">Field rules</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((c) => (
              <tr key={c.name}>
                <th scope="row">{c.name === '*' ? '* (every collection)' : c.name}</th>
                {ACTIONS.map((a) => (
                  <td key={a}>
                    <input
                      type="checkbox"
                      aria-label={`${a} on ${c.name === '*' ? 'every collection' : c.name}`}
                      checked={grant(c.name).actions.includes(a)}
                      onChange={() => toggle(c.name, a)}
                    />
                  </td>
                ))}
                <td>
                  {c.fields.length && grant(c.name).actions.length ? (
                    <details>
                      <summary>Fields</summary>
                      {(['select_fields', 'exclude_fields', 'writable_fields'] as const).map((rule) => (
                        <label key={rule} className="rule">
                          {rule.replace('_fields', '')}
                          <select
                            multiple
                            value={grant(c.name)[rule]}
                            onChange={(e) =>
                              setRule(
                                c.name,
                                rule,
                                [...e.target.selectedOptions].map((o) => o.value),
                              )
                            }
                          >
                            {c.fields.map((f) => (
                              <option key={f}>{f}</option>
                            ))}
                          </select>
                        </label>
                      ))}
                    </details>
                  ) : (
                    <span className="muted">—</span>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {fieldError(error, 'collection_permissions') ? (
          <small className="field-error">{fieldError(error, 'collection_permissions')}</small>
        ) : null}
      </fieldset>
      <fieldset>
        <legend>Scopes</legend>
        {SCOPES.map((s) => (
          <label key={s} className="check">
            <input type="checkbox" name="scopes" value={s} defaultChecked={initial?.scopes.includes(s)} /> {s}
          </label>
        ))}
      </fieldset>
      {initial ? null : (
        <Field label="Expires" error={fieldError(error, 'expires_in')}>
          {(id, d) => (
            <select id={id} name="expires_in" defaultValue="30d" aria-describedby={d}>
              {EXPIRIES.map((e) => (
                <option key={e} value={e}>
                  {e === 'never' ? 'Never' : `In ${e.replace('d', ' days')}`}
                </option>
              ))}
            </select>
          )}
        </Field>
      )}
      <Field
        label="Allowed IPs"
        hint="Addresses or CIDRs, separated by commas; empty: any"
        error={fieldError(error, 'allowed_ips')}
      >
        {(id, d) => (
          <input id={id} name="allowed_ips" defaultValue={initial?.allowed_ips.join(', ')} aria-describedby={d} />
        )}
      </Field>
      <Field
        label="Rate limit per minute"
        hint="Optional; below the space's tier"
        error={fieldError(error, 'rate_limit_per_minute')}
      >
        {(id, d) => (
          <input
            id={id}
            name="rate_limit_per_minute"
            type="number"
            min={1}
            defaultValue={initial?.rate_limit_per_minute ?? undefined}
            aria-describedby={d}
          />
        )}
      </Field>
      <button type="submit" className="primary" disabled={props.busy}>
        {props.submitLabel ?? 'Create API key'}
      </button>
    </form>
  );
}
