import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { corrupt } from '../../domain/errors.js';
import type { ThreadTokenUsageUpdated } from '../../domain/tokens/threadTokenUsage.js';
import { replayTurnId, threadTokenUsage } from '../../domain/tokens/threadTokenUsage.js';
import { findTurn, lastRowBefore, lastTurns, lineageToChange } from '../internal/lineage.js';
import type { MutationPorts } from '../ports.js';
import { take, useCase } from '../../domain/effect.js';
import type { ParamsOf } from '../../protocol/methods.js';

/**
 * What a thread's token usage is read for: `thread/tokenUsage/read`'s params, and what the engine's
 * own readers ask beside them (a fork's answer, a tail's replay) — shared, so its own type.
 */
export interface TokenUsageQuery extends ParamsOf<'thread/tokenUsage/read'> {
  /** The index has just caught the thread up (no refresh first). */
  readonly fresh?: boolean;
  /** What `thread/fork` replays for the new fork: the source's usage up to the cut, which a resume leaves out. */
  readonly forkReplay?: boolean;
}

/** Turns looked at for the fallback owner of a replayed update (the last completed or failed one). */
const SETTLED_LOOKBACK = 16;

/**
 * The token usage a thread has reached, as `thread/resume` replays it in one
 * `thread/tokenUsage/updated`: the last `token_count` of its history (a revision's inherited one
 * below the cut included), named after the turn that was running then. Null when the history
 * never counted tokens, and for a paginated fork of another thread: Codex's resume replays nothing
 * for those, even once they count tokens of their own (unless `forkReplay`). Served from the index.
 */
export const readTokenUsage = (
  ports: Pick<MutationPorts, 'index' | 'indexer'>,
  q: TokenUsageQuery,
): TE.TaskEither<EngineError, ThreadTokenUsageUpdated | null> =>
  useCase(async () => {
    const { threadId } = q;
    if (q.fresh !== true) await take(ports.indexer.refreshThread(threadId));
    const lineage = await lineageToChange(ports.index, threadId);
    const referencesAnotherThread = lineage.segments.some((s) => s.rollout.threadId !== threadId);
    if (referencesAnotherThread && q.forkReplay !== true) return null;
    const last = await lastRowBefore(ports.index, lineage, 'tokenCounts');
    if (last === undefined) return null;
    const usage = await take(
      E.mapLeft((reason: string) => corrupt(last.segment.rollout.path, -1, `line ${last.line}: ${reason}`))(
        threadTokenUsage(last.value.info),
      ),
    );
    const owner = last.value.turnId;
    const ownerVisible = owner !== null && (await findTurn(ports.index, lineage, owner)) !== undefined;
    const recent = ownerVisible ? [] : await lastTurns(ports.index, lineage, SETTLED_LOOKBACK);
    const settled = [...recent].reverse().find((t) => t.status === 'completed' || t.status === 'failed');
    const turnId = replayTurnId(owner, {
      has: () => ownerVisible,
      lastSettled: settled?.id ?? null,
      last: recent[recent.length - 1]?.id ?? null,
    });
    return { threadId, turnId, tokenUsage: usage };
  });
