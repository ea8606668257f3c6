import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { corrupt, notFound } from '../../domain/errors.js';
import type { RolloutFile } from '../../adapters/driven/jsonl/home/discover.js';
import type { RolloutLinesBelow } from '../../adapters/driven/jsonl/readers/rolloutLines.js';
import type { RolloutStore } from './rolloutStore.js';
import type { SessionMetaPayload } from '../../domain/rollout/kinds/sessionMeta.js';
import { currentFileOf, hopOfMeta, rolloutIdOf } from '../../domain/history/historyBase.js';
import { walkHistoryAsync } from '../../domain/history/walk.js';

export interface ResolvedThread {
  /** The file that holds the thread now (newest revision, or the fork's own file). */
  readonly current: RolloutFile;
  readonly meta: SessionMetaPayload;
  /** Base first; the last segment is `current`, read to its end. */
  readonly segments: ReadonlyArray<RolloutLinesBelow>;
}

/** Find a thread's current file and resolve its `history_base` chain through every hop. */
export const resolveThread =
  (
    store: RolloutStore,
    files: ReadonlyArray<RolloutFile>,
    threadId: string,
  ): TE.TaskEither<EngineError, ResolvedThread> =>
  async () => {
    const byRollout = new Map<string, RolloutFile>();
    for (const f of files) {
      const id = rolloutIdOf(f);
      const prev = byRollout.get(id);
      // Prefer the active copy of a rollout over an archived one.
      if (prev === undefined || (prev.archived && !f.archived)) byRollout.set(id, f);
    }
    const current = currentFileOf(files.filter((f) => f.threadId === threadId));
    if (current === undefined) return E.left(notFound('thread', threadId));
    const meta = await store.readSessionMeta(current.path)();
    if (E.isLeft(meta)) return meta;

    type Node = { readonly file: RolloutFile; readonly meta: SessionMetaPayload };
    const walked = await walkHistoryAsync<Node>(
      { file: current, meta: meta.right },
      rolloutIdOf(current),
      (n) => hopOfMeta(n.meta),
      async (id) => {
        const base = byRollout.get(id);
        if (base === undefined) return E.left(notFound('history base rollout', id));
        const baseMeta = await store.readSessionMeta(base.path)();
        return E.isLeft(baseMeta) ? baseMeta : E.right({ file: base, meta: baseMeta.right });
      },
    );
    if (E.isLeft(walked)) return walked;
    const { chain, end } = walked.right;
    if (end.kind === 'cycle')
      return E.left(corrupt(chain[0]!.node.file.path, 0, `history_base cycle through rollout ${end.rolloutId}`));
    // Each base is read up to its cut; the current file to its end.
    const segments: RolloutLinesBelow[] = chain.map((link) => ({
      path: link.node.file.path,
      rolloutId: link.rolloutId,
      endByteOffset: link.cut?.endByteOffset,
      endOrdinalExclusive: link.cut?.endOrdinalExclusive,
    }));
    return E.right({ current, meta: meta.right, segments });
  };
