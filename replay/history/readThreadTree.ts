import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { notFound } from '../../domain/errors.js';
import type { ThreadRow } from '../../domain/index/rows.js';
import type { HistoryReadPorts } from '../ports.js';
import { sourceKindsOf } from '../internal/sourceKinds.js';
import { scanRows } from '../internal/scanRows.js';
import { stop, take, useCase } from '../../domain/effect.js';
import type { ParamsOf } from '../../protocol/methods.js';

/** What `rolloutEngine/thread/tree` asks (the protocol's params). */
export type ThreadTreeQuery = ParamsOf<'rolloutEngine/thread/tree'>;

export type { ThreadTree, ThreadTreeNode, ThreadTreeRelation } from '../../protocol/threads.js';
import type { ThreadTree, ThreadTreeNode, ThreadTreeRelation } from '../../protocol/threads.js';

/** A thread's parent: the thread it was forked from, else the one a sub-agent (a review, a spawned agent) worked for. */
const parentOf = (row: ThreadRow): string | null => row.forkedFromId ?? row.parentThreadId ?? null;

const relationOf = (row: ThreadRow): ThreadTreeRelation => {
  if (parentOf(row) === null) return 'root';
  // A detached review is forked from its parent's history too: it is drawn as the review it is.
  if (sourceKindsOf(row.source).includes('subAgentReview')) return 'review';
  return row.forkedFromId !== null ? 'fork' : 'subAgent';
};

/**
 * `rolloutEngine/thread/tree`: the family of a thread — up its `forkedFromId` / `parentThreadId`
 * links to the oldest ancestor the index has, then every thread below that, forks and sub-agents
 * (reviews) alike, oldest first. One scan of the thread rows (the index keeps no child links: a
 * thread names its parent, not the other way round); a link that loops is cut where it meets
 * itself. Archived threads are in it, marked. A revision of a thread is the same thread (a new
 * file of its history), so it is no node of its own.
 */
export const readThreadTree = (
  ports: HistoryReadPorts,
  { threadId }: ThreadTreeQuery,
): TE.TaskEither<EngineError, ThreadTree> =>
  useCase(async () => {
    await take(ports.indexer.refreshAll());
    const rows = new Map<string, ThreadRow>();
    const children = new Map<string, ThreadRow[]>();
    for await (const { value: row } of scanRows(
      ports.index,
      'threads',
      [],
      { reverse: false, releasePages: true },
      256,
    )) {
      rows.set(row.id, row);
      const parent = parentOf(row);
      if (parent !== null) children.set(parent, [...(children.get(parent) ?? []), row]);
    }
    let top = rows.get(threadId);
    if (top === undefined) return stop(notFound('thread', threadId));
    const seen = new Set<string>([top.id]);
    for (
      let up = rows.get(parentOf(top) ?? '');
      up !== undefined && !seen.has(up.id);
      up = rows.get(parentOf(up) ?? '')
    ) {
      seen.add(up.id);
      top = up;
    }
    const placed = new Set<string>();
    const nodeOf = (row: ThreadRow, relation: ThreadTreeRelation): ThreadTreeNode => {
      placed.add(row.id);
      const below = (children.get(row.id) ?? [])
        .filter((c) => !placed.has(c.id))
        .sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
      for (const c of below) placed.add(c.id);
      return {
        id: row.id,
        name: row.name,
        preview: row.preview,
        createdAt: row.createdAt,
        archived: row.archived,
        relation,
        children: below.map((c) => nodeOf(c, relationOf(c))),
      };
    };
    return { threadId, root: nodeOf(top, 'root') };
  });
