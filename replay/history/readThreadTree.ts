import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { notFound } from '../../domain/errors.js';
import type { ThreadRow } from '../../domain/index/rows.js';
import type { HistoryReadPorts } from '../ports.js';
import { sourceKindsOf } from '../internal/sourceKinds.js';
import { stop, take, useCase } from '../../domain/effect.js';
import { threadParentOf } from '../../projections/threadRows.js';
import type { ParamsOf } from '../../protocol/methods.js';

/** What `rolloutEngine/thread/tree` asks (the protocol's params). */
export type ThreadTreeQuery = ParamsOf<'rolloutEngine/thread/tree'>;

export type { ThreadTree, ThreadTreeNode, ThreadTreeRelation } from '../../protocol/threads.js';
import type { ThreadTree, ThreadTreeNode, ThreadTreeRelation } from '../../protocol/threads.js';

const relationOf = (row: ThreadRow): ThreadTreeRelation => {
  if (threadParentOf(row) === null) return 'root';
  // A detached review is forked from its parent's history too: it is drawn as the review it is.
  if (sourceKindsOf(row.source).includes('subAgentReview')) return 'review';
  return row.forkedFromId !== null ? 'fork' : 'subAgent';
};

/**
 * `rolloutEngine/thread/tree`: the family of a thread — up its `forkedFromId` / `parentThreadId`
 * links to the oldest ancestor the index has, then every thread below that, forks and sub-agents
 * (reviews) alike, oldest first. Read from the thread rows up and from their links down
 * (`threadChildren`), the family's rows only; a link that loops is cut where it meets itself.
 * Archived threads are in it, marked. A revision of a thread is the same thread (a new file of its
 * history), so it is no node of its own.
 */
export const readThreadTree = (
  ports: HistoryReadPorts,
  { threadId }: ThreadTreeQuery,
): TE.TaskEither<EngineError, ThreadTree> =>
  useCase(async () => {
    await take(ports.indexer.refreshAll());
    const rowOf = async (id: string): Promise<ThreadRow | undefined> => take(ports.index.get('threads', [id]));
    let top = (await rowOf(threadId)) ?? stop(notFound('thread', threadId));
    const seen = new Set<string>([top.id]);
    for (;;) {
      const parent = threadParentOf(top);
      const up = parent === null || seen.has(parent) ? undefined : await rowOf(parent);
      if (up === undefined) break;
      seen.add(up.id);
      top = up;
    }
    const placed = new Set<string>();
    const nodeOf = async (row: ThreadRow, relation: ThreadTreeRelation): Promise<ThreadTreeNode> => {
      placed.add(row.id);
      const below: ThreadRow[] = [];
      for (const { key } of await take(ports.index.range('threadChildren', [row.id]))) {
        const child = placed.has(key[1]) ? undefined : await rowOf(key[1]);
        if (child !== undefined && threadParentOf(child) === row.id) below.push(child);
      }
      below.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
      for (const c of below) placed.add(c.id);
      const children: ThreadTreeNode[] = [];
      for (const c of below) children.push(await nodeOf(c, relationOf(c)));
      return {
        id: row.id,
        name: row.name,
        preview: row.preview,
        createdAt: row.createdAt,
        archived: row.archived,
        relation,
        children,
      };
    };
    return { threadId, root: await nodeOf(top, 'root') };
  });
