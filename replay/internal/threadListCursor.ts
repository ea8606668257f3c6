import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../domain/errors.js';
import { invalidCursor } from './cursors.js';

/**
 * `thread/list` cursors as Codex writes them: `next` = "<sort timestamp>|<thread id>" (created_at
 * at second precision; updated_at / recency_at in milliseconds with trailing zeros cut),
 * `backwards` = the first row's timestamp alone, in milliseconds.
 */
export type ThreadSortKey = 'created_at' | 'updated_at' | 'recency_at';

export interface ThreadListCursor {
  readonly ms: number;
  /** Precision the timestamp was written with: compare sort keys truncated to it. */
  readonly unitMs: 1 | 1000;
  readonly threadId: string | null;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export const nextThreadCursor = (key: ThreadSortKey, ms: number, threadId: string): string => {
  if (key === 'created_at') return `${iso(Math.floor(ms / 1000) * 1000).slice(0, 19)}Z|${threadId}`;
  const [whole, frac] = iso(ms).slice(0, -1).split('.');
  const cut = (frac ?? '').replace(/0+$/, '');
  return `${whole}${cut === '' ? '' : `.${cut}`}Z|${threadId}`;
};

export const backwardsThreadCursor = (ms: number): string => iso(ms);

const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

export const parseThreadListCursor = (text: string): E.Either<EngineError, ThreadListCursor> => {
  const bar = text.indexOf('|');
  const ts = bar < 0 ? text : text.slice(0, bar);
  const id = bar < 0 ? null : text.slice(bar + 1);
  const ms = Date.parse(ts);
  if (!TIMESTAMP.test(ts) || Number.isNaN(ms) || id === '') return E.left(invalidCursor(text));
  return E.right({ ms, unitMs: ts.includes('.') ? 1 : 1000, threadId: id });
};
