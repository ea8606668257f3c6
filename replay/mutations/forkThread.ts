import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { invalidArgument, notFound } from '../../domain/errors.js';
import type { ForkRequest, HistoryPoint } from '../../domain/history/cut.js';
import { forkCut } from '../../domain/history/cut.js';
import { forkMetaLine, forkTailLines } from '../../domain/fork/forkLines.js';
import type { ForkFileInput } from '../../domain/fork/forkLines.js';
import { copyIntoLegacyFork } from '../../domain/fork/legacyCopy.js';
import { lineTimestamp, renderDrafts } from '../../domain/rollout/lineDraft.js';
import { asLoaded } from '../../domain/thread/thread.js';
import { threadSettingsFields } from '../../domain/thread/threadMeta.js';
import type { ThreadTokenUsageUpdated } from '../../domain/tokens/threadTokenUsage.js';
import type { ThreadLineage } from '../../domain/history/lineage.js';
import { currentSegmentOf, segmentIndexOfRollout } from '../../domain/history/lineage.js';
import { findTurn, historyEnd, lastTurns, lineageToChange, nextTurn } from '../internal/lineage.js';
import { refuseUnloadableLegacyHistory } from '../internal/openThread.js';
import { writingFiles } from '../internal/writingFiles.js';
import type { FileWritten, MutationPorts, ThreadManagementPorts } from '../ports.js';
import { answerThread, sessionMetaOf, settingsBefore } from '../internal/mutationSteps.js';
import { codexStateAfterWrite } from '../internal/codexStateAfterWrite.js';
import { stop, take, useCase } from '../../domain/effect.js';
import { readTokenUsage } from '../tokens/readTokenUsage.js';
import type { ParamsOf } from '../../protocol/methods.js';
import type { ThreadForkResult as ForkAnswer } from '../../protocol/historyWrites.js';

/**
 * What a fork is asked: the protocol's `thread/fork` params (the source by `threadId` — its current
 * history — or by the `path` of one rollout file of this home; a cut; `excludeTurns` for the O(1)
 * answer; Codex's `null` is absent), and the originator to record (default: the source's).
 */
export type ForkParams = ParamsOf<'thread/fork'> & { readonly originator?: string | undefined };

/** `thread/fork`'s answer (the protocol's `ThreadForkResult`): the fork as a thread Codex holds loaded, and the settings it starts with. */
export type { ThreadForkResult as ForkAnswer } from '../../protocol/historyWrites.js';

/** The answer, and what a transport tells beside it. */
export type ForkResult = ForkAnswer & {
  readonly sourceThreadId: string;
  /** The usage the fork has inherited (replayed as `thread/tokenUsage/updated` when turns are included). */
  readonly tokenUsage: ThreadTokenUsageUpdated | null;
  readonly written: FileWritten;
};

/** What `thread/fork` answers (and `rollout-engine fork --json` prints). */
export const forkAnswerOf = ({
  sourceThreadId: _source,
  tokenUsage: _usage,
  written: _written,
  ...answer
}: ForkResult): ForkAnswer => answer;

const requestOf = (p: ForkParams): E.Either<EngineError, ForkRequest> => {
  if (p.lastTurnId != null && p.beforeTurnId != null)
    return E.left(invalidArgument('beforeTurnId', 'give lastTurnId or beforeTurnId, not both'));
  if (p.lastTurnId != null) return E.right({ kind: 'lastTurn', turnId: p.lastTurnId });
  if (p.beforeTurnId != null) return E.right({ kind: 'beforeTurn', turnId: p.beforeTurnId });
  return E.right({ kind: 'whole' });
};

/** The lineage to fork: the thread's current history, or the one a given rollout file holds. */
const sourceLineage = async (ports: MutationPorts, p: ForkParams): Promise<ThreadLineage> => {
  if (p.path == null) {
    if (p.threadId == null) return stop(invalidArgument('threadId', 'give threadId or path'));
    await take(ports.indexer.refreshThread(p.threadId));
    return lineageToChange(ports.index, p.threadId);
  }
  const real = await take(ports.files.confine(p.path));
  let cp = await take(ports.index.get('files', [real]));
  if (cp === undefined) {
    await take(ports.indexer.catchUp([real]));
    cp = await take(ports.index.get('files', [real]));
  }
  if (cp?.threadId == null || cp.rolloutId === null) return stop(notFound('indexed rollout file', real));
  if (p.threadId != null && p.threadId !== cp.threadId)
    return stop(invalidArgument('path', `holds thread ${cp.threadId}, not ${p.threadId}`));
  await take(ports.indexer.refreshThread(cp.threadId));
  return lineageToChange(ports.index, cp.threadId, cp.rolloutId);
};

/**
 * `thread/fork`. A paginated source gives a reference fork: a new rollout of two lines whose
 * `session_meta` names the cut it continues (`history_base`), whatever the history's size. A
 * legacy source is copied up to the cut, as Codex does. Turn and item ids are kept either way, and
 * a named source's name goes to the fork.
 */
export const forkThread = (ports: ThreadManagementPorts, params: ForkParams): TE.TaskEither<EngineError, ForkResult> =>
  useCase(async () => {
    const req = await take(requestOf(params));
    const lineage = await sourceLineage(ports, params);
    refuseUnloadableLegacyHistory(lineage);
    const found = req.kind === 'whole' ? undefined : await findTurn(ports.index, lineage, req.turnId);
    const next =
      req.kind === 'lastTurn' && found !== undefined
        ? await nextTurn(ports.index, lineage, found.segment, found.keyLine)
        : undefined;
    const cut = await take(forkCut(req, { target: found?.ref, next, end: await historyEnd(ports.index, lineage) }));
    const sourceThreadId = lineage.thread.id;
    const currentPath = currentSegmentOf(lineage).rollout.path;
    const lastKept = req.kind === 'whole' ? (await lastTurns(ports.index, lineage, 1))[0] : undefined;
    const now = ports.clock.now();
    const input: ForkFileInput = {
      sourceMeta: await sessionMetaOf(ports, currentPath),
      sourceThreadId,
      newThreadId: ports.ids.uuidv7(),
      windowId: ports.ids.uuidv7(),
      timestamp: lineTimestamp(now),
      cut: lineage.mode === 'paginated' ? cut : null,
      settings: await settingsBefore(ports, lineage, lineBound(lineage, cut)),
      runningTurn: lastKept?.status === 'inProgress' ? lastKept : undefined,
      markerMessageId: ports.ids.uuidv7(),
      originator: params.originator,
    };
    const path = ports.files.pathFor(now, input.newThreadId);
    // Under the source's writer lock, indexed before it is let go: a delete of the source (which
    // holds it) runs before, and the fork finds no file, or after, and sees the fork (refused).
    const written = await take(
      ports.homeFiles.underWriterLocks(
        [currentPath],
        useCase(() =>
          writingFiles(ports, [path], async () => {
            const created =
              lineage.mode === 'paginated'
                ? await take(
                    ports.files.create(path, renderDrafts([forkMetaLine(input), ...forkTailLines(input)], cut.ordinal)),
                  )
                : await take(ports.files.createFrom(path, legacyForkLines(ports, currentPath, cut, input)));
            // The fork takes the source's name as Codex answers it (a paginated thread's, its state-DB row's), a line of its own in session_index.jsonl.
            const sourceName = (await take(ports.index.get('threads', [sourceThreadId])))?.name ?? null;
            if (sourceName !== null) await take(ports.homeFiles.appendThreadName(input.newThreadId, sourceName, now));
            // And a row in Codex's cache, as its own fork gets one (the fork is made: a failure here is a warning),
            // before the fork is indexed: its row's times are then the ones Codex answers (reviews likewise).
            await codexStateAfterWrite(
              ports,
              { threadId: input.newThreadId, method: 'thread/fork', update: "the fork's row" },
              ports.codexState.recordFork({ sourceThreadId, threadId: input.newThreadId, path, at: now }),
            );
            await take(ports.indexer.catchUp([path]));
            return created;
          }),
        ),
      ),
    );
    const includeTurns = params.excludeTurns !== true;
    const stored = await answerThread(ports, input.newThreadId, includeTurns);
    const settings = threadSettingsFields(input.settings, stored);
    const thread = asLoaded(stored, { runtimeWorkspaceRoots: settings.runtimeWorkspaceRoots as unknown[] });
    return {
      thread,
      ...settings,
      sourceThreadId,
      tokenUsage: await take(readTokenUsage(ports, { threadId: input.newThreadId, fresh: true, forkReplay: true })),
      written: { path, bytes: written.next.byteOffset, lines: written.next.ordinal },
    };
  });

/** Settings are looked up below the cut: in the cut's rollout before its line. */
const lineBound = (lineage: ThreadLineage, cut: HistoryPoint): { segment: number; line: number } | undefined => {
  const segment = segmentIndexOfRollout(lineage, cut.rolloutId);
  return segment === undefined ? undefined : { segment, line: cut.line };
};

/** A legacy fork's lines: its meta, every source line below the cut re-stamped, then its tail. */
async function* legacyForkLines(
  ports: MutationPorts,
  sourcePath: string,
  cut: HistoryPoint,
  input: ForkFileInput,
): AsyncGenerator<string> {
  const ts = input.timestamp;
  yield* renderDrafts([forkMetaLine(input)], null);
  for await (const entry of ports.files.linesBefore(sourcePath, cut.byteOffset)) {
    // A failed read ends the stream with its error, which createFrom maps back (isEngineError).
    if (entry.kind === 'failed') throw entry.error;
    // A line that cannot be read is not copied: Codex could not have read it either.
    if (entry.kind === 'line') yield copyIntoLegacyFork(entry.line, ts);
  }
  yield* renderDrafts(forkTailLines(input), null);
}
