import * as t from 'io-ts';

/**
 * `T | null | undefined` — Codex writes `null` for absent Options, and older writers omit keys.
 * The union io-ts makes, with one shortcut: a null or absent value is taken as it is, where the
 * union would first try `c` on it (and, failing, build its errors) before its null or undefined
 * member took it; the same result, since `c` takes neither (when it does, the union is kept whole).
 * Every other value goes through the union (its result and errors as they were). A `thread/list`
 * request of one field decoded in 14.5 µs, most of it its 20 absent fields.
 */
export const optional = <C extends t.Mixed>(c: C): t.UnionC<[C, t.NullC, t.UndefinedC]> => {
  const union = t.union([c, t.null, t.undefined]);
  if (c.is(null) || c.is(undefined)) return union;
  type Validation = ReturnType<typeof union.validate>;
  const validate = (u: unknown, context: t.Context): Validation =>
    u === undefined || u === null ? (t.success(u) as Validation) : union.validate(u, context);
  return new t.UnionType(union.name, union.is, validate, union.encode, union.types);
};

/**
 * codex-rs/utils/absolute-path `AbsolutePathBuf` as serde reads it from a rollout line (no base
 * path set): an absolute path; a relative path or a `file://` URL is refused, and Codex drops the
 * line (measured on 0.169.0: test/compat/passThroughFields.compat.spec.ts). Codex answers it
 * normalised (`normalizedAbsolutePath`); the codec checks only, as every codec here.
 */
export const AbsolutePath = t.refinement(t.string, (path) => path.startsWith('/'), 'AbsolutePath');

/**
 * An `AbsolutePath` as Codex holds it, normalised lexically as absolutize.rs `normalize_path`
 * does: `.` dropped, `..` takes the component before it (never above `/`), `/a/../b/./c/` is `/b/c`.
 */
export const normalizedAbsolutePath = (path: string): string => {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '..') parts.pop();
    else if (part !== '' && part !== '.') parts.push(part);
  }
  return `/${parts.join('/')}`;
};

export const TokenUsage = t.partial({
  input_tokens: t.number,
  cached_input_tokens: t.number,
  cache_write_input_tokens: t.number,
  output_tokens: t.number,
  reasoning_output_tokens: t.number,
  total_tokens: t.number,
});
export type TokenUsage = t.TypeOf<typeof TokenUsage>;
