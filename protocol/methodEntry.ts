import type * as t from 'io-ts';
import type { ThreadIdRule } from './threadIdRule.js';

/**
 * What a request must not run beside, as Codex's `request_serialization` declares it per method:
 * `null` runs at once, concurrently with anything; a key runs FIFO with the other requests of that
 * key — reads of one key run together, a write alone, and a waiting write holds back later reads.
 */
export type RpcScope = null | { readonly key: string; readonly access: 'read' | 'write' };

/** The scope of a request about one thread (Codex's `thread_id(params.thread_id)`). */
export const threadScope = (threadId: string, access: 'read' | 'write'): RpcScope => ({ key: `thread:${threadId}`, access });

/**
 * One app-server method as the protocol declares it: its name, its params codec, its scope, whether
 * Codex gates it behind `capabilities.experimentalApi`, and (as a type only) its result.
 * `adapters/rpc/methods/` binds each to its use case.
 */
export interface MethodEntry<N extends string = string, P = unknown, R = unknown> {
  readonly name: N;
  readonly params: t.Decoder<unknown, P>;
  /** Which requests this one must wait for (see `RpcScope`); decided from its decoded params. */
  readonly scope: (params: P) => RpcScope;
  /** Answered only to a client that said `capabilities.experimentalApi` at `initialize`, as Codex gates it. */
  readonly experimental: boolean;
  /** How it takes `params.threadId` (checked before the use case, its words for an unknown thread), where Codex has a rule of its own. */
  readonly threadId?: ThreadIdRule;
  /** The result's type, carried for `ResultOf`: never set at run time. */
  readonly result?: R;
}

/** Declares a method; `R` is its result type (`method<R>()({...})`, as TypeScript cannot infer one type argument of three). */
export const method =
  <R = unknown>() =>
  <N extends string, P>(entry: {
    name: N;
    params: t.Decoder<unknown, P>;
    scope: (params: P) => RpcScope;
    experimental?: boolean;
    threadId?: P extends { readonly threadId?: string | null } ? ThreadIdRule : never;
  }): MethodEntry<N, P, R> => ({
    ...entry,
    experimental: entry.experimental ?? false,
  });

/** Runs with anything (reads of append-only files and of the index). */
export const unscoped = (): RpcScope => null;
