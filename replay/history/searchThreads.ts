import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { rejected } from '../../domain/errors.js';
import type { ThreadRow } from '../../domain/index/rows.js';
import { trimWhitespace } from '../../domain/search/conversationText.js';
import { signatureHolds, termBits } from '../../domain/search/gramSignature.js';
import { linesHolding } from '../../domain/search/lineSignatures.js';
import { currentSignatures, filesHolding, keptSignatures } from '../internal/signatureSweep.js';
import { literalPattern, searchSnippetOf } from '../../domain/search/literalMatch.js';
import type { SnippetContext } from '../../domain/search/literalMatch.js';
import { asStateDbRow, threadFromRow } from '../../domain/thread/threadFromRow.js';
import type { HostPaths } from '../../domain/thread/hostPath.js';
import { listRequestOf, stateDbRowOf } from './listThreads.js';
import { sourceKindsOf } from '../internal/sourceKinds.js';
import type { HistoryReadPorts } from '../ports.js';
import type { ThreadListCursor, ThreadSortKey } from '../internal/threadListCursor.js';
import {
  backwardsThreadCursor,
  cursorWalkStart,
  nextThreadCursor,
  parseThreadListCursor,
  pastCursor,
} from '../internal/threadListCursor.js';
import { scanRows } from '../internal/scanRows.js';
import { stop, take, useCase } from '../../domain/effect.js';
import type { ParamsOf } from '../../protocol/methods.js';

/** What `thread/search` asks (the protocol's params). */
export type SearchThreadsQuery = ParamsOf<'thread/search'>;

export type { ThreadSearchPage, ThreadSearchResult } from '../../protocol/search.js';
import type { ThreadSearchPage } from '../../protocol/search.js';

/**
 * The first line of a rollout file where `term` is found, as its snippet; null when none (or the
 * file's signature already rules it out: no row read). `known`: the file's signature was already
 * tested and holds the term's bits. Only the texts of lines whose signature holds them are read.
 */
export const firstSnippetIn = async (
  ports: HistoryReadPorts,
  rolloutId: string,
  pattern: RegExp,
  bits: ReadonlyArray<number>,
  known = false,
  context: SnippetContext = 'collapsedText',
): Promise<string | null> => {
  if (!known) {
    const signature = await take(ports.index.get('searchGrams', [rolloutId]));
    if (signature === undefined || !signatureHolds(signature, bits)) return null;
  }
  if (bits.length === 0) {
    // A term under three code points: every line can match, and the first text usually does.
    for await (const { value } of scanRows(ports.index, 'searchText', [rolloutId], { reverse: false }, 8)) {
      const snippet = searchSnippetOf(value, pattern, context);
      if (snippet !== null) return snippet;
    }
    return null;
  }
  // Only the texts of lines whose own signature holds the term's grams, in line order; a block at
  // a time, each read by its number (a file's blocks are mostly consecutive), a gap found by a range.
  for (let n = 0; ; n += 1) {
    let block = await take(ports.index.get('searchLines', [rolloutId, n]));
    if (block === undefined) {
      const next = (await take(ports.index.range('searchLines', [rolloutId], { from: [rolloutId, n], limit: 1 })))[0];
      if (next === undefined) return null;
      [n, block] = [next.key[1], next.value];
    }
    for (const line of linesHolding(block, bits)) {
      const text = await take(ports.index.get('searchText', [rolloutId, line]));
      const snippet = text === undefined ? null : searchSnippetOf(text, pattern, context);
      if (snippet !== null) return snippet;
    }
  }
};

/**
 * Threads walked one by one (a thread row and a signature read each) before a walk whose matches
 * are sparse (fewer than one thread in `SPARSE`) reads every signature at once instead; a term
 * matching often fills its page sooner by walking on.
 */
const WALK_BEFORE_SWEEP = 64;
const SPARSE = 8;

/** The page of `limit` results cut from the matches found in order (the one after it, if any, makes the next cursor). */
export const searchPageOf = (
  found: ReadonlyArray<{ readonly row: ThreadRow; readonly key: number; readonly snippet: string }>,
  limit: number,
  sortKey: ThreadSortKey,
  direction: 'asc' | 'desc',
  hostPaths?: HostPaths,
): ThreadSearchPage => {
  const page = found.slice(0, limit);
  const last = page[page.length - 1];
  return {
    data: page.map((f) => ({ thread: threadFromRow(stateDbRowOf(f.row), [], hostPaths), snippet: f.snippet })),
    nextCursor: found.length > limit && last ? nextThreadCursor('search', sortKey, last.key, last.row.id) : null,
    backwardsCursor: page[0] ? backwardsThreadCursor('search', sortKey, page[0].key, direction) : null,
  };
};

/**
 * `thread/search`, as Codex 0.169.0 answers it: the threads `thread/list` would list with these
 * filters, in its order from the cursor, that hold the term (case-insensitive literal) in a user
 * or assistant message of their current rollout file (a paginated fork or revision file holds only
 * its own lines: what it inherits is not searched, as in Codex), each with the snippet of its first
 * matching line (its context counted as `context` says: the connection's version). The trimmed
 * term must not be empty.
 */
export const searchThreads = (
  ports: HistoryReadPorts,
  q: SearchThreadsQuery,
  context: SnippetContext = 'collapsedText',
): TE.TaskEither<EngineError, ThreadSearchPage> =>
  useCase(async () => {
    const term = trimWhitespace(q.searchTerm);
    if (term === '') return stop(rejected('thread/search requires a non-empty searchTerm'));
    // Read as Codex reads it against its state DB, to the millisecond even when written in seconds
    // (created_at): past it descending are only earlier seconds, ascending the same second comes
    // again. Its answers are kept (`pastCursor`).
    const cursor: ThreadListCursor | null =
      q.cursor === null || q.cursor === undefined ? null : await take(parseThreadListCursor(q.cursor));
    // A search filters no provider: the configured one is not read.
    const { sortKey, direction, limit, order, kinds, archived } = listRequestOf(q, '');
    await take(ports.indexer.refreshAll());
    await take(ports.indexer.followCodexRows());
    const pattern = literalPattern(term);
    const bits = termBits(term);
    // Its source kinds as the state DB holds them (`ThreadRow.stateDb`: a later meta's).
    // A thread Codex cannot load has no state-DB row to search (`ThreadRow.historyUnloadable`).
    const listed = (row: ThreadRow): boolean =>
      row.archived === archived &&
      row.preview !== '' &&
      row.historyUnloadable === undefined &&
      sourceKindsOf(asStateDbRow(row).source).some((k) => kinds.has(k));

    const prefix = [archived ? 1 : 0, order.key];
    const from = cursor === null ? undefined : [...prefix, cursorWalkStart('search', sortKey, cursor, direction)];
    const found: Array<{ readonly row: ThreadRow; readonly key: number; readonly snippet: string }> = [];
    // Signatures kept in memory since the store's last write are tested all at once, up front. Else
    // a term found early is found by reading a few threads; a walk that goes on finding little (a
    // rare term, no match) reads every signature once (and keeps them), then only threads that can match.
    const kept = bits.length > 0 ? keptSignatures(ports.index) : undefined;
    let sweep: { readonly files: Set<string>; readonly threads: Set<string> } | null =
      kept === undefined ? null : await filesHolding(ports.index, kept, bits);
    let walked = 0;
    for await (const { key } of scanRows(
      ports.index,
      'threadOrder',
      prefix,
      { reverse: direction === 'desc', ...(from ? { from } : {}) },
      64,
    )) {
      if (sweep === null && bits.length > 0 && ++walked > WALK_BEFORE_SWEEP && found.length * SPARSE < walked)
        sweep = await filesHolding(ports.index, await currentSignatures(ports.index), bits);
      if (sweep !== null && sweep.threads.size === 0) break;
      if (sweep !== null && !sweep.threads.has(key[3])) continue;
      const row = await take(ports.index.get('threads', [key[3]]));
      if (row === undefined || !listed(row)) continue;
      if (cursor && !pastCursor('search', sortKey, { row, key: key[2] }, cursor, direction)) continue;
      if (sweep !== null && !sweep.files.has(row.rolloutId)) continue;
      const snippet = await firstSnippetIn(ports, row.rolloutId, pattern, bits, sweep !== null, context);
      if (snippet === null) continue;
      found.push({ row, key: key[2], snippet });
      if (found.length > limit) break;
    }
    return searchPageOf(found, limit, sortKey, direction, ports.hostPaths);
  });
