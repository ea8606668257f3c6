import * as t from 'io-ts';

/** What a value at one path of the data failed: the types it was tried as, and what it was. */
export interface DecodeProblem {
  /** Dotted path of the value in the data (`''` for the root). */
  readonly path: string;
  /** The types tried there (the members of a union, once each), as the codecs name them. */
  readonly expected: ReadonlyArray<string>;
  /** The value found, as short JSON. */
  readonly got: string;
}

/**
 * io-ts errors grouped by the path of the value they are about, in the order they came; and the
 * codecs' own messages. Every renderer of decode errors starts from this.
 */
export const describeDecodeErrors = (
  errors: t.Errors,
): { readonly problems: ReadonlyArray<DecodeProblem>; readonly messages: ReadonlyArray<string> } => {
  const byPath = new Map<string, { expected: string[]; got: string }>();
  const messages: string[] = [];
  for (const err of errors) {
    if (err.message !== undefined) {
      if (!messages.includes(err.message)) messages.push(err.message);
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
  return { problems: [...byPath].map(([path, e]) => ({ path, ...e })), messages };
};

/**
 * Render io-ts errors as `path: expected X, got Y` sentences, most specific first. The members a
 * union tried at one path are joined (`expected number or null`), so each path reads once.
 */
export const renderDecodeErrors = (errors: t.Errors, max = 3): string => {
  const { problems, messages } = describeDecodeErrors(errors);
  const sentences = [
    ...messages,
    ...problems.map((p) => `${p.path === '' ? '<root>' : p.path}: expected ${p.expected.join(' or ')}, got ${p.got}`),
  ];
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
    // Too deep (or cyclic) to show: name its kind; String() of such an array recurses as deep.
    return Array.isArray(v)
      ? 'an array nested too deep to show'
      : typeof v === 'object' && v !== null
        ? 'an object nested too deep to show'
        : String(v);
  }
};

const truncate = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n)}…` : s);
