import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { ItemRow } from '../../domain/index/rows.js';
import { inSegment } from '../../domain/history/lineage.js';
import { itemLineOf } from '../../projections/turnRows.js';
import type { ItemEntry, ItemsRead } from '../../protocol/items.js';
import { itemIdsRefusal } from '../../protocol/items.js';
import type { ParamsOf } from '../../protocol/methods.js';
import type { HistoryReadPorts } from '../ports.js';
import { itemPosition, readItems } from '../internal/itemContent.js';
import { openThread } from '../internal/openThread.js';
import { stop, take, useCase } from '../../domain/effect.js';
import { keyText } from '../../domain/index/keyText.js';

/** What `thread/items/read` asks (the protocol's params). */
export type ReadTurnItemsQuery = ParamsOf<'thread/items/read'>;

/**
 * `thread/items/read`: the items of one turn whose ids are asked for, in stored order (each once,
 * however often it is asked), unknown ids and an unknown turn skipped, as Codex answers. From the
 * turn's id row (`turnIds`: its items' ids and key lines) and one pread per item found.
 */
export const readTurnItems = (ports: HistoryReadPorts, q: ReadTurnItemsQuery): TE.TaskEither<EngineError, ItemsRead> =>
  useCase(async () => {
    const refused = itemIdsRefusal(q);
    if (refused !== undefined) return stop(refused);
    const lineage = await openThread(ports, q.threadId, {
      refusedMetaAs: 'thread/items/read',
      paginatedReadAs: 'thread/items/read',
    });
    const data: ItemEntry[] = [];
    for (const seg of lineage.segments) {
      const turn = await take(ports.index.get('turnIds', [seg.rollout.rolloutId, keyText(q.turnId)]));
      if (turn === undefined) continue;
      const lines = [
        ...new Set(q.itemIds.map((id) => itemLineOf(turn, id)).filter((l): l is number => l !== undefined)),
      ].sort((a, b) => a - b);
      const rows: Array<readonly [number, ItemRow]> = [];
      for (const line of lines) {
        const row = await take(ports.index.get('items', [seg.rollout.rolloutId, line]));
        if (row !== undefined && inSegment(seg, itemPosition(row, line))) rows.push([line, row]);
      }
      const items = await readItems(ports, lineage, seg, rows);
      rows.forEach(([, row], i) =>
        data.push({
          turnId: row.turnId,
          item: items[i]!,
          startedAtMs: items[i]!.startedAtMs,
          completedAtMs: items[i]!.completedAtMs,
        }),
      );
    }
    return { data };
  });
