import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../domain/errors.js';
import { checkedThreadId } from '../domain/thread/threadId.js';

/**
 * How a method takes its thread id, as Codex 0.169.0 does (measured on its app-server; see
 * cliErrors.int): the id's syntax checked before anything else (`invalid <what> id: …`, -32600,
 * or -32602 where Codex decodes the id with the params), and its words for a thread it has no
 * rollout of (the history reads look for a loaded thread, the management methods for a rollout).
 * Declared once, on the method's entry: `serve` and the CLI apply it through the two functions
 * below, so one bad id gets one answer from both.
 */
export interface ThreadIdRule {
  readonly what: 'thread' | 'session';
  readonly refusedAs?: 'request' | 'params';
  /** The sentence for a thread id with no rollout in the home. */
  readonly unknown: (threadId: string) => string;
}

/** What the two functions below read of a method's entry (methodEntry.ts holds the rule: it imports this file, not the reverse). */
interface RuledEntry {
  readonly threadId?: ThreadIdRule;
}

/** A history read's words: Codex looks for the thread among those it holds loaded. */
export const NOT_LOADED = (threadId: string): string => `thread not loaded: ${threadId}`;
/** A management method's words: Codex looks for the thread's rollout file. */
export const NO_ROLLOUT = (threadId: string): string => `no rollout found for thread id ${threadId}`;

const threadIdOf = (params: unknown): string | undefined => {
  const id = (params as { readonly threadId?: unknown } | null | undefined)?.threadId;
  return typeof id === 'string' ? id : undefined;
};

/** The params, or the method's refusal of their thread id (an absent id, where the method allows one, is not checked). */
export const checkedParams = <P>(entry: RuledEntry, params: P): E.Either<EngineError, P> => {
  const rule = entry.threadId;
  const id = threadIdOf(params);
  if (rule === undefined || id === undefined) return E.right(params);
  return E.map(() => params)(checkedThreadId(id, rule.what, rule.refusedAs ?? 'request'));
};

/** An error in the method's words: an unknown thread said as Codex says it for this method. */
export const inMethodWords =
  (entry: RuledEntry) =>
  (e: EngineError): EngineError =>
    e._tag === 'NotFound' && e.what === 'thread' && entry.threadId !== undefined ? { ...e, words: entry.threadId.unknown(e.id) } : e;
