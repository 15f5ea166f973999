import { findUnstorable, MAX_JSON_DEPTH } from './input-guard';

describe('findUnstorable', () => {
  it('accepts ordinary text, emoji and deep-but-allowed nesting', () => {
    let deep: unknown = 'leaf 🦄';
    for (let i = 0; i < MAX_JSON_DEPTH - 1; i++) deep = [deep];
    expect(findUnstorable({ a: 'é', b: [1, true, null, { c: '🦄' }], deep }, '')).toBeUndefined();
  });

  it.each([
    [{ name: 'a\u0000b' }, 'name', /NUL/],
    [{ list: ['ok', 'x\ud800'] }, 'list[1]', /surrogate/],
    [{ obj: { 'k\u0000': 1 } }, 'obj', /member name/],
    [{ lone: '\udc00 tail' }, 'lone', /surrogate/],
  ])('names the field of %j', (value, field, message) => {
    const found = findUnstorable(value, '');
    expect(found?.field).toBe(field);
    expect(found?.message).toMatch(message);
  });

  it('refuses nesting beyond the limit without recursion (100,000 levels)', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = { a: deep };
    expect(findUnstorable(deep, 'body')?.message).toMatch(`deeper than ${MAX_JSON_DEPTH}`);
  });

  it('accepts a valid surrogate pair', () => {
    expect(findUnstorable('\ud83e\udd84', 'x')).toBeUndefined();
  });
});
