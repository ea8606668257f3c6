import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../domain/errors.js';
import { invalidArgument, notFound } from '../domain/errors.js';
import type { ForkRequest, HistoryPoint } from '../domain/history/cut.js';
import { forkCut } from '../domain/history/cut.js';
import { forkMetaLine, forkTailLines } from '../domain/fork/forkLines.js';
import type { ForkFileInput } from '../domain/fork/forkLines.js';
import { copyIntoLegacyFork } from '../domain/fork/legacyCopy.js';
import { lineTimestamp, renderDrafts } from '../domain/rollout/lineDraft.js';
import type { Thread } from '../domain/thread/thread.js';
import type { ThreadTokenUsageUpdated } from '../domain/tokens/threadTokenUsage.js';
import type { ThreadChain } from './internal/historyIndex.js';
import { attempt, endOf, findTurn, lastTurns, loadChain, nextTurn, segmentOf } from './internal/historyIndex.js';
import type { MutationPorts } from './ports.js';
import { answerThread, must, sessionMetaOf, settingsBefore } from './internal/mutationSteps.js';
import { readTokenUsage } from './readTokenUsage.js';

export interface ForkParams {
  /** The thread to fork (its current history) … */
  readonly threadId?: string | undefined;
  /** … or one rollout file of this home, by path (its history as that file holds it). */
  readonly path?: string | undefined;
  readonly lastTurnId?: string | undefined;
  readonly beforeTurnId?: string | undefined;
  /** Answer without the fork's turns (the O(1) answer). */
  readonly excludeTurns?: boolean | undefined;
  /** Recorded as the fork's originator (default: the source's). */
  readonly originator?: string | undefined;
}

export interface ForkResult {
  readonly thread: Thread;
  readonly sourceThreadId: string;
  /** The settings the fork starts with (its `thread_settings_applied`), if the source had any. */
  readonly settings: unknown;
  /** The usage the fork has inherited (replayed as `thread/tokenUsage/updated` when turns are included). */
  readonly tokenUsage: ThreadTokenUsageUpdated | null;
  readonly written: { readonly path: string; readonly bytes: number; readonly lines: number };
}

const requestOf = (p: ForkParams): E.Either<EngineError, ForkRequest> => {
  if (p.lastTurnId !== undefined && p.beforeTurnId !== undefined)
    return E.left(invalidArgument('beforeTurnId', 'give lastTurnId or beforeTurnId, not both'));
  if (p.lastTurnId !== undefined) return E.right({ kind: 'lastTurn', turnId: p.lastTurnId });
  if (p.beforeTurnId !== undefined) return E.right({ kind: 'beforeTurn', turnId: p.beforeTurnId });
  return E.right({ kind: 'whole' });
};

/** The chain to fork: the thread's current history, or the one a given rollout file holds. */
const sourceChain = async (ports: MutationPorts, p: ForkParams): Promise<ThreadChain> => {
  if (p.path === undefined) {
    if (p.threadId === undefined) throw invalidArgument('threadId', 'give threadId or path');
    await must(ports.indexer.refreshThread(p.threadId));
    return loadChain(ports.index, p.threadId);
  }
  const real = await must(ports.files.confine(p.path));
  let cp = await must(ports.index.get('files', [real]));
  if (cp === undefined) {
    await must(ports.indexer.catchUp([real]));
    cp = await must(ports.index.get('files', [real]));
  }
  if (cp?.threadId == null || cp.rolloutId === null) throw notFound('indexed rollout file', real);
  if (p.threadId !== undefined && p.threadId !== cp.threadId) throw invalidArgument('path', `holds thread ${cp.threadId}, not ${p.threadId}`);
  await must(ports.indexer.refreshThread(cp.threadId));
  return loadChain(ports.index, cp.threadId, cp.rolloutId);
};

/**
 * `thread/fork`. A paginated source gives a reference fork: a new rollout of two lines whose
 * `session_meta` names the cut it continues (`history_base`), whatever the history's size. A
 * legacy source is copied up to the cut, as Codex does. Turn and item ids are kept either way.
 */
export const forkThread = (ports: MutationPorts, params: ForkParams): TE.TaskEither<EngineError, ForkResult> => () =>
  attempt(async () => {
    const request = requestOf(params);
    if (E.isLeft(request)) throw request.left;
    const chain = await sourceChain(ports, params);
    const req = request.right;
    const found = req.kind === 'whole' ? undefined : await findTurn(ports.index, chain, req.turnId);
    const next = req.kind === 'lastTurn' && found !== undefined ? await nextTurn(ports.index, chain, found.segment, found.keyLine) : undefined;
    const cut = forkCut(req, { target: found?.ref, next, end: endOf(chain) });
    if (E.isLeft(cut)) throw cut.left;
    const sourceThreadId = chain.thread.id;
    const current = chain.segments[chain.segments.length - 1]!;
    const lastKept = req.kind === 'whole' ? (await lastTurns(ports.index, chain, 1))[0] : undefined;
    const now = ports.clock.now();
    const input: ForkFileInput = {
      sourceMeta: await sessionMetaOf(ports, current.path),
      sourceThreadId,
      newThreadId: ports.ids.uuidv7(),
      windowId: ports.ids.uuidv7(),
      timestamp: lineTimestamp(now),
      cut: chain.mode === 'paginated' ? cut.right : null,
      settings: await settingsBefore(ports, chain, lineBound(chain, cut.right)),
      runningTurn: lastKept?.status === 'inProgress' ? lastKept : undefined,
      markerMessageId: ports.ids.uuidv7(),
      originator: params.originator,
    };
    const path = ports.files.pathFor(now, input.newThreadId);
    const written =
      chain.mode === 'paginated'
        ? await must(ports.files.create(path, renderDrafts([forkMetaLine(input), ...forkTailLines(input)], cut.right.ordinal)))
        : await must(ports.files.createFrom(path, legacyForkLines(ports, current.path, cut.right, input)));
    await must(ports.indexer.catchUp([path]));
    const includeTurns = params.excludeTurns !== true;
    return {
      thread: await answerThread(ports, input.newThreadId, includeTurns),
      sourceThreadId,
      settings: input.settings,
      tokenUsage: await must(readTokenUsage(ports, input.newThreadId, { fresh: true, forkReplay: true })),
      written: { path, bytes: written.next.byteOffset, lines: written.next.ordinal },
    };
  });

/** Settings are looked up below the cut: in the cut's rollout before its line. */
const lineBound = (chain: ThreadChain, cut: HistoryPoint): { segment: number; line: number } | undefined => {
  const segment = segmentOf(chain, cut);
  return segment === undefined ? undefined : { segment, line: cut.line };
};

/** A legacy fork's lines: its meta, every source line below the cut re-stamped, then its tail. */
async function* legacyForkLines(ports: MutationPorts, sourcePath: string, cut: HistoryPoint, input: ForkFileInput): AsyncGenerator<string> {
  const ts = input.timestamp;
  yield* renderDrafts([forkMetaLine(input)], null);
  for await (const entry of ports.files.linesBefore(sourcePath, cut.byteOffset)) {
    if (entry.kind === 'failed') throw entry.error;
    // A line that cannot be read is not copied: Codex could not have read it either.
    if (entry.kind === 'line') yield copyIntoLegacyFork(entry.line, ts);
  }
  yield* renderDrafts(forkTailLines(input), null);
}
