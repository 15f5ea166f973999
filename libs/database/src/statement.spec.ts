import { statement } from './statement';

describe('Statement', () => {
  const s = statement<{ spaceId: string; after: string | null; limit: number }>(
    'example',
    `select x::int from t where space_id = :spaceId and (:after::uuid is null or id > :after::uuid) limit :limit`,
  );

  it('compiles named parameters to ? in order, leaving casts alone', () => {
    expect(s.sql).toBe('select x::int from t where space_id = ? and (?::uuid is null or id > ?::uuid) limit ?');
    expect(s.params({ limit: 5, after: 'a', spaceId: 's' })).toEqual(['s', 'a', 'a', 5]);
  });

  it('compiles to $n with one number per distinct parameter, for prepared statements', () => {
    expect(s.numbered).toBe(
      'select x::int from t where space_id = $1 and ($2::uuid is null or id > $2::uuid) limit $3',
    );
    expect(s.numberedParams({ limit: 5, after: null, spaceId: 's' })).toEqual(['s', null, 5]);
  });

  it('refuses a missing parameter rather than binding null', () => {
    expect(() => s.params({ spaceId: 's', limit: 1 } as never)).toThrow('example: parameter :after was not given');
  });

  it('refuses positional placeholders in its text', () => {
    expect(() => statement('bad', 'select * from t where id = ?')).toThrow(/use :name parameters/);
  });

  it('runs on anything with execute, returning its rows', async () => {
    const seen: unknown[] = [];
    const db = { execute: (sql: string, params: unknown[]) => Promise.resolve(seen.push(sql, params) && [{ x: 1 }]) };
    await expect(s.first(db, { spaceId: 's', after: null, limit: 1 })).resolves.toEqual({ x: 1 });
    expect(seen).toEqual([s.sql, ['s', null, null, 1]]);
  });
});
