// The whole read of a thread (`thread/read` with turns): every turn in order, from the renderings
// whole reads keep where they hold, else read from the items in batches (split from turnView.ts,
// the page view, whose segment helpers it shares).
import type {
  IndexWrite,
  ItemRow,
  KeyOf,
  RowOf,
  SegmentRenderingChunk,
  SegmentRenderingHeader,
  TurnRendering,
  TurnRow,
} from '../../domain/index/rows.js';
import type { HistorySegment, ThreadLineage } from '../../domain/history/lineage.js';
import type { Turn } from '../../domain/thread/turn.js';
import { RenderedTurns } from '../../domain/thread/turn.js';
import { corrupt } from '../../domain/errors.js';
import type { HistoryReadPorts } from '../ports.js';
import { readItems } from './itemContent.js';
import { scanRows } from './scanRows.js';
import type { WalkedTurn } from './turnWalk.js';
import * as E from 'fp-ts/lib/Either.js';
import { stop, take } from '../../domain/effect.js';
import { apiTurn, itemInSegment, rowsAt, uncut } from './turnView.js';
import { keyText } from '../../domain/index/keyText.js';

/** Turns whose items are read together (a few sequential span reads, `readRanges`); small enough that a batch's items die young (bigger batches were promoted and grew the old space). */
const FULL_TURNS_BATCH = 64;
/** Batches of a whole-thread walk between two remaps of the index's memory map. */
const REMAP_EVERY_BATCHES = 64;
/**
 * The longest items text stored as a turn's rendering: a turn with bigger items costs its bytes
 * whatever is stored, and a huge row would only weigh on the index.
 */
const RENDERED_ITEMS_CHARS = 256 * 1024;
/** A whole segment's rendering is stored in chunks of about this many characters (a read is a few gets). */
const SEGMENT_CHUNK_CHARS = 256 * 1024;
/** A segment whose turns render to less is not stored whole: walking its turns is quick already. */
const SEGMENT_RENDERING_MIN_CHARS = 1024 * 1024;
/** A file grown by this much since its stored rendering is rendered again at the next whole read, even with a turn running. */
const SEGMENT_REGROWTH_BYTES = 1024 * 1024;
/** Renderings made by a whole read are committed this many characters at a time (few, short write transactions). */
const RENDERINGS_COMMIT_CHARS = 1024 * 1024;

/** Does a rendering belong to the thread's item fold (the same file can be read as either only if the lineage says so)? */
const sameFold = (
  lineage: ThreadLineage,
  r: { readonly mode: string; readonly itemsFromResponses: boolean },
): boolean => r.mode === lineage.mode && r.itemsFromResponses === (lineage.itemsFromResponses === true);

/** A row, through the store's synchronous view when it has one (a lookup per turn). */
const rowOf = async <T extends 'turnRenderings' | 'segmentRenderings' | 'files'>(
  ports: HistoryReadPorts,
  table: T,
  key: KeyOf<T>,
): Promise<RowOf<T> | undefined> =>
  ports.index.reader ? ports.index.reader.get(table, key) : await take(ports.index.get(table, key));

/** The stored rendering of a turn's items, if one is current: made at the turn's `itemsThrough`, by the same item fold. */
const keptTurn = async (
  ports: HistoryReadPorts,
  lineage: ThreadLineage,
  seg: HistorySegment,
  row: TurnRow,
): Promise<string | undefined> => {
  // `== null`: a row of an older schema lacks it.
  if (!uncut(seg) || row.itemsThrough == null) return undefined;
  const r = await rowOf(ports, 'turnRenderings', [seg.rollout.rolloutId, keyText(row.id)]);
  return r !== undefined && r.itemsThrough === row.itemsThrough && sameFold(lineage, r) ? r.items : undefined;
};

/** A whole segment's stored rendering (its header), and whether it is current: made at the file's checkpoint `through`, by the same item fold. */
const keptSegment = async (
  ports: HistoryReadPorts,
  lineage: ThreadLineage,
  seg: HistorySegment,
  through: number,
): Promise<{
  readonly current: SegmentRenderingHeader | undefined;
  readonly stored: SegmentRenderingHeader | undefined;
}> => {
  const h = await rowOf(ports, 'segmentRenderings', [seg.rollout.rolloutId, 0]);
  const stored = h !== undefined && 'chunks' in h ? h : undefined;
  return {
    current: stored !== undefined && stored.through === through && sameFold(lineage, stored) ? stored : undefined,
    stored,
  };
};

/**
 * Is a whole read of a file whose stored rendering is out of date (or missing) the time to store
 * it again? Always when there is none; else when the thread is at rest (its newest turn ended:
 * a thread read while a turn runs would rewrite it at every read) or it has grown by a good part
 * since (a turn that never ends, as in early rollouts).
 */
const timeToRender = async (
  ports: HistoryReadPorts,
  seg: HistorySegment,
  through: number,
  stored: SegmentRenderingHeader | undefined,
): Promise<boolean> => {
  if (stored === undefined || through - stored.through >= SEGMENT_REGROWTH_BYTES) return true;
  const [newest] = await take(ports.index.range('turns', [seg.rollout.rolloutId], { reverse: true, limit: 1 }));
  return newest === undefined || newest.value.end !== null;
};

/**
 * The turns of a current segment rendering, chunk by chunk. A chunk missing or of another
 * rendering (the index changed under the read, or two reads stored renderings made at different
 * checkpoints at once) stops the read, and the header goes, so the next read renders it again.
 */
async function* segmentChunks(
  ports: HistoryReadPorts,
  seg: HistorySegment,
  header: SegmentRenderingHeader,
): AsyncGenerator<RenderedTurns> {
  const R = seg.rollout.rolloutId;
  for (let n = 1; n <= header.chunks; n++) {
    const c = await rowOf(ports, 'segmentRenderings', [R, n]);
    if (c === undefined || !('turns' in c) || c.through !== header.through) {
      await ports.index.commit(() => [{ op: 'del', table: 'segmentRenderings', key: [R, 0] }])();
      return stop(
        corrupt(
          seg.rollout.path,
          0,
          `the stored rendering of this file changed under the read (chunk ${n} of ${header.chunks}): read the thread again`,
        ),
      );
    }
    yield new RenderedTurns(c.turns);
  }
  // The pages read stay mapped (resident) until the map is made again (no range read is open here).
  if (ports.index.remap) {
    const m = ports.index.remap();
    if (E.isLeft(m)) stop(m.left);
  }
}

/** A whole segment's rendering as a walk makes it: turn texts gathered into chunks, stored once it is worth it. */
interface SegmentRendering {
  readonly rolloutId: string;
  readonly through: number;
  /** Chunks of the rendering stored before (removed past the new ones). */
  readonly chunksBefore: number;
  parts: string[];
  partChars: number;
  chunks: number;
  chars: number;
  /** Chunk writes held until the rendering is big enough to store. */
  held: IndexWrite[];
}

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

/** The renderings a walk makes, held until stored in one cache write. */
const renderingWrites = (ports: HistoryReadPorts) => {
  let made: IndexWrite[] = [];
  let madeChars = 0;
  return {
    write: (w: IndexWrite, chars: number): void => {
      made.push(w);
      madeChars += chars;
    },
    chars: (): number => madeChars,
    store: (): void => {
      if (made.length === 0) return;
      const writes = made;
      made = [];
      madeChars = 0;
      // A cache write: when it fails (a read-only index, a full map) the answer is whole all the same.
      void ports.index.commit(() => writes)();
    },
  };
};
type RenderingWrites = ReturnType<typeof renderingWrites>;

/** The whole rendering of the segment being walked, cut in chunks as its turns go by, stored at its end if it is big enough. */
const wholeRenderings = (lineage: ThreadLineage, writes: RenderingWrites) => {
  let whole: SegmentRendering | undefined;
  const cutChunk = (w: SegmentRendering): void => {
    if (w.parts.length === 0) return;
    const turns = w.parts.join(',');
    w.parts = [];
    w.partChars = 0;
    w.chunks += 1;
    w.chars += turns.length;
    const value: SegmentRenderingChunk = { through: w.through, turns };
    w.held.push({ op: 'put', table: 'segmentRenderings', key: [w.rolloutId, w.chunks], value });
    if (w.chars < SEGMENT_RENDERING_MIN_CHARS) return;
    for (const h of w.held) writes.write(h, SEGMENT_CHUNK_CHARS);
    w.held = [];
  };
  return {
    start: (rolloutId: string, through: number, chunksBefore: number): void => {
      whole = { rolloutId, through, chunksBefore, parts: [], partChars: 0, chunks: 0, chars: 0, held: [] };
    },
    isRendering: (): boolean => whole !== undefined,
    gather: (json: string): void => {
      if (whole === undefined) return;
      whole.parts.push(json);
      whole.partChars += json.length + 1;
      if (whole.partChars >= SEGMENT_CHUNK_CHARS) cutChunk(whole);
    },
    /** The segment's walk is over: its whole rendering is stored (the header last) if it is big enough. */
    finish: (): void => {
      const w = whole;
      whole = undefined;
      if (w === undefined) return;
      cutChunk(w);
      if (w.chars < SEGMENT_RENDERING_MIN_CHARS) return;
      for (let n = w.chunks + 1; n <= w.chunksBefore; n++)
        writes.write({ op: 'del', table: 'segmentRenderings', key: [w.rolloutId, n] }, 0);
      const header: SegmentRenderingHeader = {
        through: w.through,
        mode: lineage.mode,
        itemsFromResponses: lineage.itemsFromResponses === true,
        chunks: w.chunks,
      };
      writes.write({ op: 'put', table: 'segmentRenderings', key: [w.rolloutId, 0], value: header }, 0);
    },
  };
};

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

/**
 * The item rows of a segment's turns, from one forward scan of its `items` table merged with the
 * turns by turn id (a turn has all its rows once the scan is past its `lastItemLine`); the rows of
 * turns not reached yet wait in memory.
 */
const segmentRows = (ports: HistoryReadPorts) => {
  let scan: AsyncGenerator<{ readonly key: readonly [string, number]; readonly value: ItemRow }> | undefined;
  let scannedPast = -1;
  const waiting = new Map<string, Array<[number, ItemRow]>>();
  /** Turns of the segment written from their renderings: their item rows, when scanned, are passed over. */
  const rendered = new Set<string>();
  return {
    /** A new segment (or the end): the scan is closed and begins again. */
    restart: async (): Promise<void> => {
      await scan?.return(undefined);
      scan = undefined;
      scannedPast = -1;
      waiting.clear();
      rendered.clear();
    },
    passOver: (turnId: string): void => {
      rendered.add(turnId);
      waiting.delete(turnId);
    },
    of: async (seg: HistorySegment, row: TurnRow): Promise<Array<[number, ItemRow]>> => {
      const R = seg.rollout.rolloutId;
      // After turns written from renderings the scan starts at this turn's first item (the rows
      // before it are theirs, or a later turn's: looked up by id below); else at the file's start.
      const late = rendered.size > 0;
      if (scan === undefined) {
        const from = late ? row.firstItem?.line : undefined;
        scan = scanRows(
          ports.index,
          'items',
          [R],
          { reverse: false, ...(from === undefined ? {} : { from: [R, from] }) },
          256,
        );
        scannedPast = from === undefined ? -1 : from - 1;
      }
      const last = row.lastItemLine;
      while (last !== null && scannedPast < last) {
        const r = await scan.next();
        if (r.done === true) {
          scannedPast = Number.POSITIVE_INFINITY;
          break;
        }
        const [, line] = r.value.key;
        scannedPast = line;
        if (!itemInSegment(seg, line, r.value.value) || rendered.has(r.value.value.turnId)) continue;
        const rows = waiting.get(r.value.value.turnId);
        if (rows) rows.push([line, r.value.value]);
        else waiting.set(r.value.value.turnId, [[line, r.value.value]]);
      }
      const rows = waiting.get(row.id) ?? [];
      waiting.delete(row.id);
      // A scan begun late may have started past some of them (only an uncut segment has renderings: every item of the turn is in it).
      if (late && rows.length !== row.itemCount)
        return rowsAt(ports, R, (await take(ports.index.get('turnIds', [R, keyText(row.id)])))?.itemLines ?? []);
      return rows;
    },
  };
};
