import * as E from 'fp-ts/lib/Either.js';
import { decodeRolloutLine } from '../../domain/rollout/line.js';
import type { RolloutLine } from '../../domain/rollout/line.js';
import { detectRolloutFormat, upcastLegacyLine } from './envelopeLess.js';
import { parseJson } from '../../domain/jsonNesting.js';

/** How a pre-envelope rollout is read: its format and the session start every line borrows. */
export interface UpcastFormat {
  readonly format: 'envelopeLess' | 'recordTyped';
  readonly baseTimestamp: string;
}

const ENVELOPE_PREFIX = /^\{"timestamp":"[^"\\]*",(?:"ordinal":\d+,)?"type":"[a-z_]+","payload":/;

/** The upcast format of a file from its first line's text; null for a modern (or unreadable) file. */
export const upcastFormatOf = (firstLine: string): UpcastFormat | null => {
  // Codex's compact envelope, recognised without parsing (the first line is a large session_meta).
  if (ENVELOPE_PREFIX.test(firstLine.slice(0, 200))) return null;
  const format = detectRolloutFormat(firstLine);
  if (format !== 'envelopeLess' && format !== 'recordTyped') return null;
  let baseTimestamp = '';
  try {
    baseTimestamp = String((parseJson(firstLine) as { timestamp?: unknown }).timestamp ?? '');
  } catch {
    // detectRolloutFormat parsed it already; unreachable.
  }
  return { format, baseTimestamp };
};

export type LineDecoder = (text: string, index: number, byteOffset: number) => E.Either<string, RolloutLine>;

/** Decoder of one file's lines: the envelope codec, or the upcaster for an early rollout. */
export const lineDecoderFor = (path: string, upcast: UpcastFormat | null): LineDecoder => {
  if (upcast === null) return (text) => decodeRolloutLine(text);
  return (text, index, byteOffset) => {
    const r = upcastLegacyLine(text, index, byteOffset, { path, baseTimestamp: upcast.baseTimestamp, firstIndex: 0 });
    return E.isRight(r) ? E.right(r.right) : E.left(r.left._tag === 'Decode' ? r.left.reason : r.left._tag);
  };
};
