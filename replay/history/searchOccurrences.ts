import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import * as t from 'io-ts';
import type { EngineError } from '../../domain/errors.js';
import { rejected } from '../../domain/errors.js';
import { messageTextOf, occurrencesIn, searchedAgentMessages } from '../../domain/search/occurrences.js';
import type { HistoryReadPorts } from '../ports.js';
import { invalidCursor, serializeHistoryCursor, serializeTurnCursor } from '../internal/cursors.js';
import { readItems } from '../internal/itemContent.js';
import { numberedOtherwise } from '../internal/lineage.js';
import { openThread } from '../internal/openThread.js';
import { turnItemRows } from '../internal/turnView.js';
import { walkTurns } from '../internal/turnWalk.js';
import { stop, take, useCase } from '../../domain/effect.js';
import type { ParamsOf } from '../../protocol/methods.js';

/** What `thread/searchOccurrences` asks (the protocol's params). */
export type SearchOccurrencesQuery = ParamsOf<'thread/searchOccurrences'>;

export type { ThreadSearchOccurrence, ThreadSearchOccurrencesPage } from '../../protocol/search.js';
import type { ThreadSearchOccurrence, ThreadSearchOccurrencesPage } from '../../protocol/search.js';
import { parseJson } from '../../domain/jsonNesting.js';

export const DEFAULT_OCCURRENCES_LIMIT = 50;
export const MAX_OCCURRENCES_LIMIT = 500;

/** Codex's cursor: the message to continue at (its rollout ordinal; a legacy thread's message number) and the occurrence in it. */
const OccurrenceCursor = t.type({
  threadId: t.string,
  searchTerm: t.string,
  nextRolloutOrdinal: t.number,
  nextOccurrenceIndex: t.number,
});

const parseCursor = (
  text: string,
  q: SearchOccurrencesQuery,
): E.Either<EngineError, { readonly at: number; readonly index: number }> => {
  let json: unknown;
  try {
    json = parseJson(text);
  } catch {
    return E.left(invalidCursor(text));
  }
  const c = OccurrenceCursor.decode(json);
  if (E.isLeft(c) || c.right.threadId !== q.threadId || c.right.searchTerm !== q.searchTerm)
    return E.left(invalidCursor(text));
  return E.right({ at: c.right.nextRolloutOrdinal, index: c.right.nextOccurrenceIndex });
};

/**
 * `thread/searchOccurrences`: every occurrence of the term (case-insensitive literal, not
 * trimmed) in the user messages and each turn's searched agent messages (`searchedAgentMessages`:
 * partial answers and the turn's final one) of the thread's logical history (a fork finds
 * what it inherits, a revision not what it cut), oldest first, one page. Codex 0.169.0 serves
 * paginated threads only (-32601 otherwise); here both modes are served, a legacy thread's
 * messages numbered in order where a paginated one's carry their rollout ordinal.
 */
export const searchOccurrences = (
  ports: HistoryReadPorts,
  q: SearchOccurrencesQuery,
): TE.TaskEither<EngineError, ThreadSearchOccurrencesPage> =>
  useCase(async () => {
    if (q.searchTerm === '') return stop(rejected('thread/searchOccurrences requires a non-empty searchTerm'));
    const from = q.cursor === null || q.cursor === undefined ? null : await take(parseCursor(q.cursor, q));
    const limit = Math.min(Math.max(q.limit ?? DEFAULT_OCCURRENCES_LIMIT, 1), MAX_OCCURRENCES_LIMIT);
    // A paginated thread Codex keeps no paginated store for is refused as its item reads are.
    const lineage = await openThread(ports, q.threadId, { paginatedReadAs: 'thread/searchOccurrences' });
    const data: ThreadSearchOccurrence[] = [];
    let message = 0;
    // Per rollout: does a turn cursor there carry its line (a file numbered otherwise)? Looked up once.
    const lineCarried = new Map<string, boolean>();
    const carriesLine = async (rolloutId: string): Promise<boolean> => {
      const known = lineCarried.get(rolloutId);
      if (known !== undefined) return known;
      const carried = await numberedOtherwise(ports.index, rolloutId);
      lineCarried.set(rolloutId, carried);
      return carried;
    };
    for await (const turn of walkTurns(ports, lineage, 'asc', null)) {
      const rows = (await turnItemRows(ports, turn.segment, turn.row, 'full')).filter(
        ([, r]) => r.kind === 'userMessage' || r.kind === 'agentMessage',
      );
      const at = rows.map(([, r]) => (lineage.mode === 'paginated' && r.ordinal !== null ? r.ordinal : (message += 1)));
      if (from !== null && (at.length === 0 || at[at.length - 1]! < from.at)) continue;
      const items = await readItems(ports, lineage, turn.segment, rows);
      const turnCursor =
        lineage.mode === 'paginated' && turn.pos.ordinal !== null
          ? serializeHistoryCursor(
              q.threadId,
              'turns',
              turn.pos.ordinal,
              true,
              (await carriesLine(turn.segment.rollout.rolloutId)) ? turn.line : undefined,
            )
          : serializeTurnCursor(turn.row.id, true);
      const searched = searchedAgentMessages(
        lineage.mode,
        items.flatMap((item) => (item.type === 'agentMessage' ? [item] : [])),
      );
      for (const [i, item] of items.entries()) {
        if (item.type === 'agentMessage' && !searched.has(item.id)) continue;
        const text = messageTextOf(item);
        if (text === null || (from !== null && at[i]! < from.at)) continue;
        const found = occurrencesIn(text, q.searchTerm);
        for (let k = from !== null && at[i] === from.at ? from.index : 0; k < found.length; k += 1) {
          if (data.length === limit)
            return {
              data,
              nextCursor: JSON.stringify({
                threadId: q.threadId,
                searchTerm: q.searchTerm,
                nextRolloutOrdinal: at[i]!,
                nextOccurrenceIndex: k,
              }),
            };
          data.push({ turnId: turn.row.id, itemId: item.id, ...found[k]!, turnCursor });
        }
      }
    }
    return { data, nextCursor: null };
  });
