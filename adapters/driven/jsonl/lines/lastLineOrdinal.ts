import type * as fs from 'node:fs/promises';
import * as E from 'fp-ts/lib/Either.js';
import { corrupt } from '../../../../domain/errors.js';
import { decodeRolloutLine } from '../../../../domain/rollout/line.js';
import { lastNewlineBefore } from './endPosition.js';

const HEAD_BYTES = 512;
/** Codex's key order puts `ordinal` right after `timestamp`, so the head of the line has it. */
const ORDINAL_IN_HEAD = /^(?:\uFEFF)?\{"timestamp":"(?:[^"\\]|\\.)*","ordinal":(\d+)[,}]/;

/**
 * The `ordinal` field of the last line of a file that ends with "\n" (`size` > 0). Reads the
 * line's head and matches the canonical key order; only a line in another key order is read
 * and parsed whole. Throws Corrupt (caught by the writer) when the last line has no ordinal.
 */
export const lastLineOrdinal = async (fh: fs.FileHandle, path: string, size: number): Promise<number> => {
  const start = (await lastNewlineBefore(fh, size - 1)) + 1;
  const length = size - 1 - start;
  const head = Buffer.allocUnsafe(Math.min(HEAD_BYTES, length));
  await fh.read(head, 0, head.length, start);
  const m = ORDINAL_IN_HEAD.exec(head.toString('utf8'));
  if (m !== null) return Number(m[1]);
  const whole = Buffer.allocUnsafe(length);
  await fh.read(whole, 0, length, start);
  const decoded = decodeRolloutLine(whole.toString('utf8'));
  if (E.isLeft(decoded)) throw corrupt(path, start, `paginated append: last line is unreadable (${decoded.left})`);
  if (decoded.right.ordinal === undefined) throw corrupt(path, start, 'paginated append: last line has no "ordinal"');
  return decoded.right.ordinal;
};
