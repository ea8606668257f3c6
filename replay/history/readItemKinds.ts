import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { inSegment } from '../../domain/history/lineage.js';
import type { HistoryReadPorts } from '../ports.js';
import type { ThreadItemKinds } from '../../protocol/threads.js';
import { itemPosition } from '../internal/itemContent.js';
import { openThread } from '../internal/openThread.js';
import { take, useCase } from '../../domain/effect.js';
import type { ParamsOf } from '../../protocol/methods.js';
import { keyText } from '../../domain/index/keyText.js';

/** What `rolloutEngine/thread/itemKinds` asks (the protocol's params). */
export type ItemKindsQuery = ParamsOf<'rolloutEngine/thread/itemKinds'>;

/**
 * `rolloutEngine/thread/itemKinds`: for each turn given, its items counted by kind, from the
 * index alone — a turn's id row names its items' lines, each item row its kind — in every segment
 * of the thread's history, items past a segment's cut left out. An item counts once however many
 * lines made it; a turn the history does not have is left out. The failed ones are counted apart
 * (their rows say so: projections/turnStore.ts).
 */
export const readItemKinds = (
  ports: HistoryReadPorts,
  q: ItemKindsQuery,
): TE.TaskEither<EngineError, ThreadItemKinds> =>
  useCase(async () => {
    const lineage = await openThread(ports, q.threadId);
    // Keyed by the home's turn ids: no prototype, so a turn `__proto__` is a key like any other.
    const turns: Record<string, Record<string, number>> = Object.create(null) as Record<string, Record<string, number>>;
    const failed: Record<string, Record<string, number>> = Object.create(null) as Record<
      string,
      Record<string, number>
    >;
    for (const turnId of new Set(q.turnIds)) {
      const seen = new Set<string>();
      let found = false;
      const kinds: Record<string, number> = Object.create(null) as Record<string, number>;
      const failedKinds: Record<string, number> = Object.create(null) as Record<string, number>;
      for (const seg of lineage.segments) {
        const ids = await take(ports.index.get('turnIds', [seg.rollout.rolloutId, keyText(turnId)]));
        if (ids === undefined) continue;
        for (const line of ids.itemLines) {
          const row = await take(ports.index.get('items', [seg.rollout.rolloutId, line]));
          if (row === undefined || !inSegment(seg, itemPosition(row, line))) continue;
          found = true;
          if (seen.has(row.id)) continue;
          seen.add(row.id);
          kinds[row.kind] = (kinds[row.kind] ?? 0) + 1;
          if (row.failed === true) failedKinds[row.kind] = (failedKinds[row.kind] ?? 0) + 1;
        }
      }
      if (found) turns[turnId] = kinds;
      if (Object.keys(failedKinds).length > 0) failed[turnId] = failedKinds;
    }
    return { turns, failed };
  });
