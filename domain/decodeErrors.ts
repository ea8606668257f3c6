import * as t from 'io-ts';

/**
 * Render io-ts errors as `path: expected X, got Y` sentences, most specific first. The members a
 * union tried at one path are joined (`expected number or null`), so each path reads once.
 */
export const renderDecodeErrors = (errors: t.Errors, max = 3): string => {
  const byPath = new Map<string, { expected: string[]; got: string }>();
  const custom: string[] = [];
  for (const err of errors) {
    if (err.message !== undefined) {
      if (!custom.includes(err.message)) custom.push(err.message);
      continue;
    }
    // Keys that index the members of an intersection/union are not part of the data's path.
    const path = err.context
      .filter((c, i) => c.key !== '' && !isCombinator(err.context[i - 1]?.type))
      .map((c) => c.key)
      .join('.');
    const last = err.context[err.context.length - 1];
    const expected = last ? last.type.name : 'value';
    const got = err.value === undefined ? 'undefined' : truncate(safeJson(err.value), 60);
    const entry = byPath.get(path) ?? { expected: [], got };
    if (!entry.expected.includes(expected)) entry.expected.push(expected);
    byPath.set(path, entry);
  }
  const sentences = [...custom, ...[...byPath].map(([path, e]) => `${path === '' ? '<root>' : path}: expected ${e.expected.join(' or ')}, got ${e.got}`)];
  return sentences.slice(0, max).join('; ');
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
