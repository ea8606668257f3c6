// The whole read of a thread (`thread/read` with turns): every turn in order, from the renderings
// whole reads keep where they hold (storedRenderings.ts), else read from the items in batches
// (segmentRows.ts; split from turnView.ts, the page view, whose segment helpers it shares).
import type { ItemRow, TurnRendering, TurnRow } from '../../domain/index/rows.js';
import type { HistorySegment, ThreadLineage } from '../../domain/history/lineage.js';
import type { Turn } from '../../domain/thread/turn.js';
import { RenderedTurns } from '../../domain/thread/turn.js';
import type { HistoryReadPorts } from '../ports.js';
import { readItems } from './itemContent.js';
import type { WalkedTurn } from './turnWalk.js';
import * as E from 'fp-ts/lib/Either.js';
import { stop, take } from '../../domain/effect.js';
import { apiTurn, uncut } from './turnView.js';
import { keyText } from '../../domain/index/keyText.js';
import type { RenderingWrites } from './storedRenderings.js';
import {
  keptSegment,
  keptTurn,
  renderingWrites,
  rowOf,
  segmentChunks,
  timeToRender,
  wholeRenderings,
} from './storedRenderings.js';
import { segmentRows } from './segmentRows.js';

/** Turns whose items are read together (a few sequential span reads, `readRanges`); small enough that a batch's items die young (bigger batches were promoted and grew the old space). */
const FULL_TURNS_BATCH = 64;
/** Batches of a whole-thread walk between two remaps of the index's memory map. */
const REMAP_EVERY_BATCHES = 64;
/**
 * The longest items text stored as a turn's rendering: a turn with bigger items costs its bytes
 * whatever is stored, and a huge row would only weigh on the index.
 */
const RENDERED_ITEMS_CHARS = 256 * 1024;
/** Renderings made by a whole read are committed this many characters at a time (few, short write transactions). */
const RENDERINGS_COMMIT_CHARS = 1024 * 1024;

/**
 * Every turn of a walk (oldest first) with all its items, `itemsView: "full"`, as a stream.
 *
 * The current file (the uncut, last segment) is written from its stored whole rendering when that
 * is current, without walking its turns. Otherwise a turn whose own rendering is stored and
 * current is written from it; the others' item rows come from one forward scan of the segment's
 * `items` table, merged with the turns by turn id (a turn has all its rows once the scan is past
 * its `lastItemLine`), and their items' bytes are read a batch of turns at a time, in file order.
 * What a walk renders is stored for the next read (a write that fails loses nothing: it is
 * rendered again). Memory holds one batch and the rows of turns not reached yet (those of
 * interleaved or shadowed turns), not the thread.
 */
export async function* fullTurnsInOrder(
  ports: HistoryReadPorts,
  lineage: ThreadLineage,
  walk: AsyncIterable<WalkedTurn>,
): AsyncGenerator<Turn | RenderedTurns> {
  let seg: HistorySegment | undefined;
  const writes = renderingWrites(ports);
  const whole = wholeRenderings(lineage, writes);
  const rows = segmentRows(ports);
  /** Does the segment's file have turns' own renderings at all (a first read has none to look up)? */
  let turnsKept = false;
  let batch: BatchTurn[] = [];
  let flushed = 0;

  async function* flush(): AsyncGenerator<Turn | RenderedTurns> {
    if (seg === undefined || batch.length === 0) return;
    yield* renderBatch(ports, lineage, seg, batch, writes, whole);
    batch = [];
    // A whole huge thread walks its rows once: the index pages read (and written) stay mapped
    // (resident) until the map is made again, so every so many batches, and after each commit of
    // renderings, it is (no range read is open here).
    if (++flushed % REMAP_EVERY_BATCHES === 0 || writes.chars() >= RENDERINGS_COMMIT_CHARS) {
      writes.store();
      const m = ports.index.remap?.();
      if (m !== undefined && E.isLeft(m)) stop(m.left);
    }
  }

  for await (const t of walk) {
    if (t.segment !== seg) {
      yield* flush();
      whole.finish();
      await rows.restart();
      seg = t.segment;
      turnsKept =
        uncut(seg) &&
        (await take(ports.index.range('turnRenderings', [seg.rollout.rolloutId], { limit: 1 }))).length > 0;
      const through = uncut(seg) ? (await rowOf(ports, 'files', [seg.rollout.path]))?.byteOffset : undefined;
      if (through !== undefined) {
        const kept = await keptSegment(ports, lineage, seg, through);
        if (kept.current !== undefined) {
          // The current file is the walk's last segment: all of it is in the rendering.
          yield* segmentChunks(ports, seg, kept.current);
          seg = undefined;
          break;
        }
        if (await timeToRender(ports, seg, through, kept.stored))
          whole.start(seg.rollout.rolloutId, through, kept.stored?.chunks ?? 0);
      }
    }
    const kept = turnsKept ? await keptTurn(ports, lineage, seg, t.row) : undefined;
    if (kept !== undefined) rows.passOver(t.row.id);
    batch.push({ row: t.row, items: kept === undefined ? await rows.of(seg, t.row) : [], rendering: kept });
    if (batch.length >= FULL_TURNS_BATCH) yield* flush();
  }
  yield* flush();
  whole.finish();
  writes.store();
  await rows.restart();
}

/** A turn of a batch: its item rows to read, or its stored rendering. */
interface BatchTurn {
  readonly row: TurnRow;
  readonly items: Array<[number, ItemRow]>;
  readonly rendering: string | undefined;
}

/** A batch's turns, their items read in file order; a turn's own rendering stored for the next read. */
async function* renderBatch(
  ports: HistoryReadPorts,
  lineage: ThreadLineage,
  s: HistorySegment,
  batch: readonly BatchTurn[],
  writes: RenderingWrites,
  whole: ReturnType<typeof wholeRenderings>,
): AsyncGenerator<RenderedTurns> {
  const items = await readItems(
    ports,
    lineage,
    s,
    batch.flatMap((t) => t.items),
  );
  let next = 0;
  for (const t of batch) {
    let text = t.rendering;
    if (text === undefined) {
      text = JSON.stringify(items.slice(next, (next += t.items.length)));
      // A turn's own rendering serves the reads of a thread whose whole rendering is out of date (a running turn).
      if (uncut(s) && !whole.isRendering() && t.row.itemsThrough != null && text.length <= RENDERED_ITEMS_CHARS) {
        const value: TurnRendering = {
          itemsThrough: t.row.itemsThrough,
          mode: lineage.mode,
          itemsFromResponses: lineage.itemsFromResponses === true,
          items: text,
        };
        writes.write(
          { op: 'put', table: 'turnRenderings', key: [s.rollout.rolloutId, keyText(t.row.id)], value },
          text.length,
        );
      }
    }
    const turn = RenderedTurns.of(apiTurn(t.row, s, 'full', []), text);
    whole.gather(turn.json);
    yield turn;
  }
}
