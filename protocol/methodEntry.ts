import type { EngineError } from '../domain/errors.js';
import type * as t from 'io-ts';
import type { VersionDelta } from './codexVersions.js';

/**
 * What a request must not run beside, as Codex's `request_serialization` declares it per method:
 * `null` runs at once, concurrently with anything; a key runs FIFO with the other requests of that
 * key — reads of one key run together, a write alone, and a waiting write holds back later reads.
 */
export type RpcScope = null | { readonly key: string; readonly access: 'read' | 'write' };

/** The scope of a request about one thread (Codex's `thread_id(params.thread_id)`). */
export const threadScope = (threadId: string, access: 'read' | 'write'): RpcScope => ({
  key: `thread:${threadId}`,
  access,
});

/**
 * How a method takes its thread id, as Codex 0.169.0 does (measured on its app-server; see
 * cliErrors.int): the id's syntax checked before anything else (`invalid <what> id: …`, -32600,
 * or -32602 where Codex decodes the id with the params), and its words for a thread it has no
 * rollout of (the history reads look for a loaded thread, the management methods for a rollout).
 * Declared once, on the method's entry: `serve` and the CLI apply it through the two functions
 * of `threadIdRule.ts`, so one bad id gets one answer from both.
 */
export interface ThreadIdRule {
  readonly what: 'thread' | 'session';
  readonly refusedAs?: 'request' | 'params';
  /** The sentence for a thread id with no rollout in the home. */
  readonly unknown: (threadId: string) => string;
}

/**
 * One app-server method as the protocol declares it: its name, its params codec, its scope, whether
 * Codex gates it behind `capabilities.experimentalApi`, whether it is Codex's or ours, where
 * `serve --upstream` answers it, its deprecation notice, and (as a type only) its result.
 * `adapters/driving/rpc/methods/` binds each to its use case.
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
  /** A refusal Codex's handler says before it reads the thread id (its first check), if the params hold one. */
  readonly firstCheck?: (params: P) => EngineError | undefined;
  /** Ours: Codex 0.169.0 serves no such method (its schema has nothing to say of the answer); absent, Codex's. */
  readonly ours: boolean;
  /**
   * With `serve --upstream`, where it is answered: `here` (from the index), or `upstream`, Codex's
   * (what only a running Codex knows: the threads it has loaded, a review's model turn). Codex's
   * methods the engine does not have always go upstream.
   */
  readonly withUpstream: 'here' | 'upstream';
  /** Codex's deprecation notice, sent before the answer when a paginated thread's whole history is asked. */
  readonly paginatedFullHistoryNotice?: string;
  /** How it differs between the Codex versions we speak (`codexVersions.ts`): none, it is the same in all. */
  readonly deltas: ReadonlyArray<VersionDelta>;
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
    firstCheck?: (params: P) => EngineError | undefined;
    ours?: true;
    withUpstream?: 'upstream';
    paginatedFullHistoryNotice?: string;
    deltas?: ReadonlyArray<VersionDelta>;
  }): MethodEntry<N, P, R> => ({
    ...entry,
    deltas: entry.deltas ?? [],
    experimental: entry.experimental ?? false,
    ours: entry.ours ?? false,
    withUpstream: entry.withUpstream ?? 'here',
  });

/** Runs with anything (reads of append-only files and of the index). */
export const unscoped = (): RpcScope => null;
