import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { Thread } from '../../domain/thread/thread.js';
import type { RenderedTurns, Turn } from '../../domain/thread/turn.js';
import { turnValues } from '../../domain/thread/turn.js';
import {
  asStateDbRow,
  threadFromRow,
  withRolloutReadStart,
  withStateDbCwd,
} from '../../domain/thread/threadFromRow.js';
import type { ThreadRow } from '../../domain/index/rows.js';
import type { HistoryReadPorts } from '../ports.js';
import { openThread } from '../internal/openThread.js';
import { walkTurns } from '../internal/turnWalk.js';
import { fullTurnsInOrder } from '../internal/fullTurns.js';
import { hasReadState, readStateOf } from '../internal/readState.js';
import type { ThreadReadResult } from '../../protocol/threads.js';
import { streamOfUseCase, takeAll, useCase } from '../../domain/effect.js';
import type { ParamsOf } from '../../protocol/methods.js';

/** What `thread/read` asks (the protocol's params). */
export type ReadThreadQuery = ParamsOf<'thread/read'>;

/**
 * A thread whose turns come one by one, oldest first, as they are read (a transport writes them as
 * they come; turns read from a stored rendering come as their JSON text); without turns asked, an
 * empty array (the answer is written whole).
 */
export type StreamedThread = Omit<Thread, 'turns'> & {
  readonly turns: AsyncIterable<Turn | RenderedTurns> | ReadonlyArray<never>;
};

/** `thread/read`'s answer (the protocol's `ThreadReadResult`) with the thread's turns streamed. */
export type ThreadRead = Omit<ThreadReadResult, 'thread'> & { readonly thread: StreamedThread };

/**
 * `thread/read`: the thread from its index row; with `includeTurns` (true: absent or null is false), every turn oldest first with
 * all its items, streamed: the turns are read (one forward scan of the index, the items' bytes in
 * sequential spans) as the answer's consumer takes them, so a 200 MB thread is never in memory.
 * Unknown threads: NotFound, before anything is streamed. The stream can be taken once; an error
 * while it runs (a file rewritten under the index) is thrown as the `EngineError` it is.
 */
export const readThread = (ports: HistoryReadPorts, q: ReadThreadQuery): TE.TaskEither<EngineError, ThreadRead> =>
  useCase(async () => {
    const includeTurns = q.includeTurns === true;
    const lineage = await openThread(
      ports,
      q.threadId,
      includeTurns ? { paginatedReadAs: 'list_turns', loadsHistory: true } : {},
    );
    // Without turns, none to stream: the answer is written whole (a stream is written piece by piece).
    const turns = includeTurns
      ? streamOfUseCase(() => fullTurnsInOrder(ports, lineage, walkTurns(ports, lineage, 'asc', null)))
      : [];
    const row = readRowOf(lineage.thread, includeTurns, ports.clock.now().getTime());
    return {
      thread: threadFromRow(row, turns, ports.hostPaths),
      readState: hasReadState(lineage.thread) ? readStateOf(lineage.thread) : null,
    };
  });

/**
 * The row `thread/read` answers. Codex answers a thread from its state DB (`ThreadRow.stateDb`:
 * cwd, provider, source, cli version), except a legacy thread with a preview read without its
 * turns: that from the session's start, its first meta's provider, source and cli version (the
 * DB's cwd), its `updatedAt` the `createdAt`, and no `threadSource` (measured on 0.169.0:
 * threadReadSummary.compat, metaRules.compat.spec.ts; a legacy thread with no preview is the DB's).
 * A start the rollout read cannot read is the time of the request, `updatedAt` with it
 * (`ThreadRow.startUnread`; measured on 0.169.0: fuzzer `--replay 20261153:222:0:0:1:1`).
 */
const readRowOf = (thread: ThreadRow, includeTurns: boolean, requestMs: number): ThreadRow => {
  // No state-DB row: the row is what Codex reads from the file's head (its history is refused: openThread).
  if (thread.historyUnloadable !== undefined) {
    const started = withRolloutReadStart(thread, requestMs);
    return thread.historyUnloadable === 'headRead'
      ? { ...started, updatedAt: started.createdAt, recencyAt: started.createdAt }
      : started;
  }
  if (thread.historyMode !== 'legacy' || includeTurns) return asStateDbRow(thread);
  // With no preview, the DB's row whole, its thread source too (measured on 0.169.0: fuzzer
  // `--replay 20261129:276:0:3`, an archived legacy thread of one meta line).
  if (thread.preview === '') return asStateDbRow(thread);
  const started = withRolloutReadStart(thread, requestMs);
  return withStateDbCwd({ ...started, threadSource: null, updatedAt: started.createdAt });
};

/** The thread with its turns in memory (the mutations answer with it); an error of the stream stops the use case that takes it. */
export const materialisedThread = async (thread: StreamedThread): Promise<Thread> => ({
  ...thread,
  turns: (await takeAll(thread.turns)).flatMap(turnValues),
});
