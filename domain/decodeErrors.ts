import * as t from 'io-ts';

/** Render io-ts errors as `path: expected X, got Y` sentences, most specific first, deduplicated. */
export const renderDecodeErrors = (errors: t.Errors, max = 3): string => {
  const seen = new Set<string>();
  for (const err of errors) {
    // Keys that index the members of an intersection/union are not part of the data's path.
    const path = err.context
      .filter((c, i) => c.key !== '' && !isCombinator(err.context[i - 1]?.type))
      .map((c) => c.key)
      .join('.');
    const last = err.context[err.context.length - 1];
    const expected = last ? last.type.name : 'value';
    const got = err.value === undefined ? 'undefined' : truncate(safeJson(err.value), 60);
    seen.add(err.message ?? `${path === '' ? '<root>' : path}: expected ${expected}, got ${got}`);
    if (seen.size >= max) break;
  }
  return [...seen].join('; ');
};

const isCombinator = (type: t.Decoder<unknown, unknown> | undefined): boolean => {
  const tag = (type as { _tag?: unknown } | undefined)?._tag;
  return tag === 'IntersectionType' || tag === 'UnionType';
};

const safeJson = (v: unknown): string => {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

const truncate = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}…` : s);
