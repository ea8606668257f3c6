import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../domain/errors.js';
import type { Thread } from '../domain/thread/thread.js';
import { threadFromRow } from '../domain/thread/threadFromRow.js';
import type { HistoryReadPorts } from './ports.js';
import { openThread } from './internal/openThread.js';
import { walkTurns } from './internal/turnWalk.js';
import type { WalkedTurn } from './internal/turnWalk.js';
import { turnsWithItems } from './internal/turnView.js';
import type { ReadState } from './internal/readState.js';
import { hasReadState, readStateOf } from './internal/readState.js';
import { useCase } from './internal/useCase.js';

export interface ThreadRead {
  readonly thread: Thread;
  readonly readState: ReadState | null;
}

/**
 * `thread/read`: the thread from its index row; with `includeTurns`, every turn oldest first with
 * all its items (each item one pread). Unknown threads: NotFound.
 */
export const readThread = (ports: HistoryReadPorts, threadId: string, includeTurns: boolean): TE.TaskEither<EngineError, ThreadRead> =>
  useCase(async () => {
    const lineage = await openThread(ports, threadId);
    const walked: WalkedTurn[] = [];
    if (includeTurns) for await (const t of walkTurns(ports, lineage, 'asc', null)) walked.push(t);
    const turns = await turnsWithItems(ports, lineage, walked, 'full');
    return { thread: threadFromRow(lineage.thread, turns), readState: hasReadState(lineage.thread) ? readStateOf(lineage.thread) : null };
  });
