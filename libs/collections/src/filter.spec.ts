import { ProblemException } from '@app/common';
import { queryField } from './expressions';
import type { FieldDef } from './fields';
import { compileFilter, FilterContext } from './filter';

const fields: FieldDef[] = [
  { name: 'title', type: 'text' },
  { name: 'total', type: 'number' },
  { name: 'paid', type: 'boolean' },
  { name: 'due', type: 'date' },
  { name: 'tags', type: 'multi_select', options: { choices: ['a', 'b'] } },
  { name: 'meta', type: 'json' },
  { name: 'secret', type: 'text' },
];
const ctx: FilterContext = { field: (name) => queryField(fields, name), readable: (name) => name !== 'secret' };
const compile = (filter: unknown) => compileFilter(JSON.stringify(filter), ctx);

/** The 400's field errors, or a failure when the filter compiled. */
function refusal(raw: string): string {
  try {
    compileFilter(raw, ctx);
  } catch (error) {
    expect(error).toBeInstanceOf(ProblemException);
    const problem = (error as ProblemException).problem;
    expect((error as ProblemException).getStatus()).toBe(400);
    return (problem.errors ?? []).map((e) => `${e.field}: ${e.message}`).join('; ');
  }
  throw new Error(`${raw} compiled`);
}

const placeholders = (sql: string) => sql.split('?').length - 1;

describe('compileFilter', () => {
  it('is `true` with no parameters for no filter, an empty one or {}', () => {
    for (const raw of [undefined, '', '{}']) expect(compileFilter(raw, ctx)).toEqual({ sql: 'true', params: [] });
  });

  it('serves equality on a data field by containment (the GIN index), with the value bound', () => {
    expect(compile({ title: 'a' })).toEqual({ sql: 'data @> cast(? as jsonb)', params: ['{"title":"a"}'] });
    expect(compile({ title: { ne: 'a' } }).sql).toBe('not (data @> cast(? as jsonb))');
  });

  it('compares system columns directly and typed', () => {
    const { sql, params } = compile({ created_at: { gte: '2026-01-01T00:00:00Z' } });
    expect(sql).toBe('coalesce(created_at >= cast(? as timestamptz), false)');
    expect(params).toEqual(['2026-01-01T00:00:00.000Z']);
  });

  it('binds field names and values as parameters, never as SQL text', () => {
    const hostile = "x'); drop table records; --";
    const { sql, params } = compile({ title: { contains: hostile, starts_with: hostile }, total: { gt: 1 } });
    expect(sql).not.toContain('title');
    expect(sql).not.toContain('drop');
    expect(placeholders(sql)).toBe(params.length);
    expect(params).toEqual(['title', hostile, 'title', hostile, hostile, 'total', 1]);
  });

  it('keeps parameters in the order of their placeholders through and/or/not', () => {
    const { sql, params } = compile({
      or: [{ total: { lt: 3 } }, { not: { paid: true } }],
      due: { lte: '2026-02-01' },
    });
    expect(sql).toBe(
      '(coalesce(portico_number(data->>?) < cast(? as numeric), false) or not (data @> cast(? as jsonb)))' +
        ' and coalesce(((data->>?) collate "C") <= cast(? as text), false)',
    );
    expect(params).toEqual(['total', 3, '{"paid":true}', 'due', '2026-02-01']);
  });

  it('treats null checks on system columns as constants', () => {
    expect(compile({ id: { is_null: true } })).toEqual({ sql: 'false', params: [] });
    expect(compile({ title: { is_null: false } })).toEqual({ sql: '(data->?) is not null', params: ['title'] });
  });

  it('matches multi_select membership and json equality as jsonb', () => {
    expect(compile({ tags: { contains: 'a' } })).toEqual({
      sql: 'coalesce((data->?) @> cast(? as jsonb), false)',
      params: ['tags', '["a"]'],
    });
    expect(compile({ meta: { eq: { k: [1] } } }).params).toEqual(['meta', '{"k":[1]}']);
  });

  it.each([
    ['{', 'filter: must be a JSON object'],
    ['[]', 'filter: a filter is a JSON object'],
    ['{"nope":1}', 'filter: unknown field "nope"'],
    ['{"secret":"x"}', 'filter: field "secret" cannot be filtered by this credential'],
    ['{"title":{"like":"x"}}', 'filter: unknown operator "like" on title'],
    ['{"title":{}}', 'filter: title needs at least one operator'],
    ['{"total":"5"}', 'filter: total.eq needs a number'],
    ['{"paid":{"gt":true}}', 'filter: paid.gt does not apply to a boolean field'],
    ['{"due":{"eq":"2026-13-45"}}', 'filter: due.eq needs a date YYYY-MM-DD'],
    ['{"id":"not-a-uuid"}', 'filter: id.eq needs an id'],
    ['{"total":{"in":[]}}', 'filter: total.in needs a list of 1–1000 values'],
    ['{"meta":{"in":[1]}}', 'filter: meta.in does not apply to a json field'],
    ['{"tags":{"starts_with":"a"}}', 'filter: tags.starts_with applies to text fields'],
    ['{"and":[]}', 'filter: and needs a non-empty list of filters'],
    ['{"title":{"is_null":"yes"}}', 'filter: title.is_null needs true or false'],
  ])('refuses %s with a 400 naming the mistake', (raw, expected) => {
    expect(refusal(raw)).toBe(expected);
  });

  it('refuses text Postgres cannot store before compiling', () => {
    expect(refusal(JSON.stringify({ title: 'a\u0000b' }))).toMatch(/^filter\.title: /);
  });

  it('bounds nesting depth and the number of conditions', () => {
    let deep: unknown = { title: 'x' };
    for (let i = 0; i < 8; i++) deep = { not: deep };
    expect(refusal(JSON.stringify(deep))).toBe('filter: filters nest at most 8 deep');
    const many = { and: Array.from({ length: 101 }, () => ({ total: { gt: 1 } })) };
    expect(refusal(JSON.stringify(many))).toBe('filter: a filter holds at most 100 conditions');
    expect(() => compile({ and: Array.from({ length: 100 }, () => ({ total: { gt: 1 } })) })).not.toThrow();
  });
});
