import type { FieldError } from './problem';

/** Deeper than any document a tenant needs; bounds every later recursive walk (validation, SQL building). */
export const MAX_JSON_DEPTH = 64;

/**
 * The first place in a parsed value that Postgres or the runtime cannot take: a NUL
 * character (text and jsonb refuse it), a lone UTF-16 surrogate (not encodable as
 * UTF-8), or nesting beyond MAX_JSON_DEPTH. Keys are checked as well as values.
 * Iterative, so a hostile depth cannot overflow the stack. Undefined when all is well.
 */
export function findUnstorable(value: unknown, root: string): FieldError | undefined {
  const stack: [unknown, string, number][] = [[value, root, 0]];
  while (stack.length) {
    const [v, path, depth] = stack.pop()!;
    if (typeof v === 'string') {
      const problem = badText(v);
      if (problem) return { field: path, message: problem };
      continue;
    }
    if (v === null || typeof v !== 'object') continue;
    if (depth >= MAX_JSON_DEPTH) return { field: path, message: `is nested deeper than ${MAX_JSON_DEPTH} levels` };
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push([v[i], `${path}[${i}]`, depth + 1]);
      continue;
    }
    for (const key of Object.keys(v)) {
      const child = path ? `${path}.${key}` : key;
      const problem = badText(key);
      if (problem) return { field: path || 'body', message: `has a member name that ${problem}` };
      stack.push([(v as Record<string, unknown>)[key], child, depth + 1]);
    }
  }
  return undefined;
}

function badText(s: string): string | undefined {
  if (s.includes('\u0000')) return 'contains a NUL character (\\u0000), which cannot be stored';
  if (!s.isWellFormed()) return 'contains a lone UTF-16 surrogate, which is not valid Unicode';
  return undefined;
}
