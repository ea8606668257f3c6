import * as E from 'fp-ts/lib/Either.js';
import { readFileSync } from 'node:fs';
import type { ThreadRow } from '../../domain/index/rows.js';
import { classifyRolloutLine } from '../../domain/rollout/event.js';
import { decodeRolloutLine } from '../../domain/rollout/line.js';
import { conversationTextOf, trimWhitespace } from '../../domain/search/conversationText.js';
import { literalPattern, searchSnippetOf } from '../../domain/search/literalMatch.js';
import type { HistoryReadPorts } from '../../replay/ports.js';
import { parseThreadListCursor, pastCursor } from '../../replay/internal/threadListCursor.js';
import { listRequestOf } from '../../replay/history/listThreads.js';
import { sourceKindsOf } from '../../replay/internal/sourceKinds.js';
import { searchPageOf } from '../../replay/history/searchThreads.js';
import type { SearchThreadsQuery, ThreadSearchPage } from '../../replay/history/searchThreads.js';

/**
 * `thread/search` by brute force, the oracle of the indexed one (replay/history/searchThreads.ts): every
 * thread row read and sorted, and each listed thread's current rollout file read whole from disk,
 * line by line, for its first matching line: no signature, no stored text.
 */
export const firstSnippetInFile = (path: string, term: string): string | null => {
  const pattern = literalPattern(term);
  for (const raw of readFileSync(path, 'utf8').split('\n')) {
    if (raw === '') continue;
    const line = decodeRolloutLine(raw);
    if (E.isLeft(line)) continue;
    const text = conversationTextOf(classifyRolloutLine(line.right));
    const snippet = text === null ? null : searchSnippetOf(text, pattern);
    if (snippet !== null) return snippet;
  }
  return null;
};

export const searchThreadsByScan = async (
  ports: HistoryReadPorts,
  q: SearchThreadsQuery,
): Promise<ThreadSearchPage | 'rejected'> => {
  const term = trimWhitespace(q.searchTerm);
  if (term === '') return 'rejected';
  const parsed = q.cursor === null || q.cursor === undefined ? null : parseThreadListCursor(q.cursor);
  if (parsed !== null && E.isLeft(parsed)) return 'rejected';
  const cursor = parsed === null ? null : parsed.right;
  const { sortKey, direction, limit, order, kinds, archived, sign } = listRequestOf(q, '');
  const rows = await ports.index.range('threads', [])();
  if (E.isLeft(rows)) throw new Error(JSON.stringify(rows.left));
  const listed = rows.right
    .map((r) => ({ row: r.value as ThreadRow, key: (r.value as ThreadRow).sortMs[order.key] }))
    .filter(
      (c) =>
        c.row.archived === archived && c.row.preview !== '' && sourceKindsOf(c.row.source).some((k) => kinds.has(k)),
    )
    .filter((c) => cursor === null || pastCursor('search', sortKey, c, cursor, direction))
    .sort((a, b) => sign * (a.key - b.key) || sign * (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : 0));
  const found: Array<{ row: ThreadRow; key: number; snippet: string }> = [];
  for (const c of listed) {
    const snippet = firstSnippetInFile(c.row.path, term);
    if (snippet === null) continue;
    found.push({ ...c, snippet });
    if (found.length > limit) break;
  }
  return searchPageOf(found, limit, sortKey, direction, ports.hostPaths);
};
