import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../domain/errors.js';
import { checkedThreadId } from '../domain/thread/threadId.js';
import type { MethodEntry } from './methodEntry.js';

/*
 * The thread id rules' words and how both transports apply a rule (`MethodEntry.threadId`,
 * declared in `methodEntry.ts`).
 */

/** A history read's words: Codex looks for the thread among those it holds loaded. */
export const NOT_LOADED = (threadId: string): string => `thread not loaded: ${threadId}`;
/** A management method's words: Codex looks for the thread's rollout file. */
export const NO_ROLLOUT = (threadId: string): string => `no rollout found for thread id ${threadId}`;

const threadIdOf = (params: unknown): string | undefined => {
  const id = (params as { readonly threadId?: unknown } | null | undefined)?.threadId;
  return typeof id === 'string' ? id : undefined;
};

/** The params, or the method's refusal of their thread id (an absent id, where the method allows one, is not checked). */
export const checkedParams = <P>(
  entry: Pick<MethodEntry<string, P>, 'threadId' | 'firstCheck'>,
  params: P,
): E.Either<EngineError, P> => {
  const first = entry.firstCheck?.(params);
  if (first !== undefined) return E.left(first);
  const rule = entry.threadId;
  const id = threadIdOf(params);
  if (rule === undefined || id === undefined) return E.right(params);
  return E.map(() => params)(checkedThreadId(id, rule.what, rule.refusedAs ?? 'request'));
};

/** An error in the method's words: an unknown thread said as Codex says it for this method. */
export const inMethodWords =
  (entry: Pick<MethodEntry, 'threadId'>) =>
  (e: EngineError): EngineError =>
    e._tag === 'NotFound' && e.what === 'thread' && entry.threadId !== undefined
      ? { ...e, words: entry.threadId.unknown(e.id) }
      : e;
