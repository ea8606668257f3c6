import * as t from 'io-ts';

/** `T | null | undefined` — Codex writes `null` for absent Options, and older writers omit keys. */
export const optional = <C extends t.Mixed>(c: C) => t.union([c, t.null, t.undefined]);

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
