import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { rollbackCut } from '../../domain/history/cut.js';
import { threadRolledBack } from '../../domain/rollback/rollbackLine.js';
import { lineTimestamp } from '../../domain/rollout/lineDraft.js';
import { currentSegmentOf } from '../../domain/history/lineage.js';
import { historyEnd, lastTurns, lineageToChange } from '../internal/lineage.js';
import { refuseUnloadableLegacyHistory } from '../internal/openThread.js';
import type { FileWritten, MutationPorts } from '../ports.js';
import { answerThread } from '../internal/mutationSteps.js';
import { take, useCase } from '../../domain/effect.js';
import { writeRevision } from '../internal/writeRevision.js';
import { appendedCaughtUp } from '../internal/writingFiles.js';
import type { ThreadResult } from '../../protocol/threads.js';
import type { ParamsOf } from '../../protocol/methods.js';

/**
 * `thread/rollback`'s answer (the protocol's `ThreadResult`: the thread with its remaining turns,
 * items full, as earlier Codex answered; `excludeTurns`: none, the O(1) answer) and what was
 * written: the appended marker (legacy), the revision file (paginated), or nothing.
 */
export type RollbackResult = ThreadResult & { readonly written: FileWritten | null };

/** Beyond the params: `thread/rollback` has no `excludeTurns` (earlier Codex always answered the turns); the bench asks for the O(1) answer. */
export interface RollbackOptions {
  readonly excludeTurns?: boolean;
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
  { threadId, numTurns }: ParamsOf<'thread/rollback'>,
  opts: RollbackOptions = {},
): TE.TaskEither<EngineError, RollbackResult> =>
  useCase(async () => {
    await take(ports.indexer.refreshThread(threadId));
    const lineage = await lineageToChange(ports.index, threadId);
    refuseUnloadableLegacyHistory(lineage);
    // Before the turns are read (another process may index lines meanwhile): see writeRevision.
    const end = await historyEnd(ports.index, lineage);
    const dropped = await lastTurns(
      ports.index,
      lineage,
      Number.isSafeInteger(numTurns) && numTurns > 0 ? numTurns : 0,
    );
    const cut = await take(rollbackCut(dropped, numTurns));
    let written: RollbackResult['written'] = null;
    if (lineage.mode === 'legacy') {
      const path = currentSegmentOf(lineage).rollout.path;
      // The file stays the current one (Codex's state DB needs no change), but a Codex that has the
      // thread loaded would never see the marker: its next turn would continue the dropped turns.
      await take(ports.codexState.refuseIfHeld(threadId));
      written = await appendedCaughtUp(
        ports,
        path,
        [threadRolledBack(lineTimestamp(ports.clock.now()), numTurns)],
        end,
        'legacy',
      );
    } else if (cut !== undefined) {
      written = await writeRevision(ports, lineage, cut, end);
    }
    return { thread: await answerThread(ports, threadId, opts.excludeTurns !== true), written };
  });
