import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../domain/errors.js';
import { rollbackCut } from '../domain/history/cut.js';
import { threadRolledBack } from '../domain/rollback/rollbackLine.js';
import { lineTimestamp } from '../domain/rollout/lineDraft.js';
import type { Thread } from '../domain/thread/thread.js';
import { attempt, lastTurns, loadChain } from './internal/historyIndex.js';
import type { MutationPorts } from './ports.js';
import { answerThread, must } from './internal/mutationSteps.js';
import { writeRevision } from './internal/writeRevision.js';

export interface RollbackResult {
  /** The thread with its remaining turns (items full), as earlier Codex answered; `excludeTurns`: none (O(1) answer). */
  readonly thread: Thread;
  /** What was written: the appended marker (legacy), the revision file (paginated), or nothing. */
  readonly written: { readonly path: string; readonly bytes: number; readonly lines: number } | null;
}

/**
 * `thread/rollback {threadId, numTurns}` (earlier Codex; 0.169 dropped it). Legacy threads get
 * earlier Codex's marker appended, `event_msg thread_rolled_back {num_turns}`, which every fold
 * (ours and Codex's) applies by dropping the last N visible turns. Codex 0.169 ignores that marker
 * in paginated rollouts, so a paginated thread is rolled back the way 0.169 drops turns: a
 * revision cut before the first of the last N turns. Both are appends; nothing is rewritten.
 */
export const rollbackThread = (
  ports: MutationPorts,
  threadId: string,
  numTurns: number,
  opts: { readonly excludeTurns?: boolean } = {},
): TE.TaskEither<EngineError, RollbackResult> => () =>
  attempt(async () => {
    await must(ports.indexer.refreshThread(threadId));
    const chain = await loadChain(ports.index, threadId);
    const dropped = await lastTurns(ports.index, chain, Number.isSafeInteger(numTurns) && numTurns > 0 ? numTurns : 0);
    const cut = rollbackCut(dropped, numTurns);
    if (E.isLeft(cut)) throw cut.left;
    let written: RollbackResult['written'] = null;
    if (chain.mode === 'legacy') {
      const current = chain.segments[chain.segments.length - 1]!;
      const r = await must(
        ports.files.append(current.path, [threadRolledBack(lineTimestamp(ports.clock.now()), numTurns)], { ordinal: current.endLine, byteOffset: current.endByteOffset }, 'legacy'),
      );
      await must(ports.indexer.catchUp([current.path]));
      written = { path: current.path, bytes: r.next.byteOffset - r.first.byteOffset, lines: r.next.ordinal - r.first.ordinal };
    } else if (cut.right !== undefined) {
      written = await writeRevision(ports, chain, cut.right);
    }
    return { thread: await answerThread(ports, threadId, opts.excludeTurns !== true), written };
  });
