import * as t from 'io-ts';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { appendThreadLines } from '../../../replay/appendLines.js';
import type { AppendLinesResult } from '../../../replay/appendLines.js';
import { defineMethod, threadScope } from '../method.js';

/** A whole number from 0 to 2^53 - 1 (a thread's ordinal outgrows a u32 only in theory, but may). */
const isOrdinal = (u: unknown): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u >= 0;
const Ordinal = new t.Type<number, number, unknown>(
  'a whole number from 0 to 9007199254740991',
  isOrdinal,
  (u, c) => (isOrdinal(u) ? t.success(u) : t.failure(u, c)),
  t.identity,
);
const NonEmptyString = t.refinement(t.string, (s) => s.length > 0, 'a non-empty string');

/**
 * `rollout/append` params (the engine's own method, not Codex's): rollout lines as they are to be
 * stored (strings, one JSON line each), the ordinal the first one gets, and a key that makes a
 * retry safe. `rollout-engine append` decodes its options with it too.
 */
export const RolloutAppendParams = t.type({
  threadId: t.string,
  lines: t.array(t.string),
  expectedOrdinal: Ordinal,
  idempotencyKey: NonEmptyString,
});
export type RolloutAppendParams = t.TypeOf<typeof RolloutAppendParams>;

/** The answer: where the lines went and the new end (`ordinal`, `byteOffset`: what the next append expects). */
export type RolloutAppendResult = AppendLinesResult;

/**
 * `rollout/append`: append to a thread's current rollout file through the locked writer, indexed
 * before the answer; a Conflict is -32600 with `data: {path, expected, actual}`. Subscribers of the
 * thread are told what landed (`threadSubscriptions.ts`).
 */
export const rolloutAppend = defineMethod({
  name: 'rollout/append',
  params: RolloutAppendParams,
  scope: (p) => threadScope(p.threadId, 'write'),
  handle: (ctx, p) =>
    TE.map((r: AppendLinesResult): RolloutAppendResult => {
      ctx.threads?.changed(p.threadId);
      return r;
    })(appendThreadLines(ctx.ports, p)),
});
