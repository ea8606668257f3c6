// The renderings whole reads keep in the index (`turnRenderings`, `segmentRenderings`): looked up,
// read back chunk by chunk, and made as a walk goes by (split from fullTurns.ts, the whole read).
import type {
  IndexWrite,
  KeyOf,
  RowOf,
  SegmentRenderingChunk,
  SegmentRenderingHeader,
  TurnRow,
} from '../../domain/index/rows.js';
import type { HistorySegment, ThreadLineage } from '../../domain/history/lineage.js';
import { RenderedTurns } from '../../domain/thread/turn.js';
import { corrupt } from '../../domain/errors.js';
import type { HistoryReadPorts } from '../ports.js';
import * as E from 'fp-ts/lib/Either.js';
import { stop, take } from '../../domain/effect.js';
import { uncut } from './turnView.js';
import { keyText } from '../../domain/index/keyText.js';

/** A whole segment's rendering is stored in chunks of about this many characters (a read is a few gets). */
const SEGMENT_CHUNK_CHARS = 256 * 1024;
/**
 * A segment whose turns render to less, and are fewer than `SEGMENT_RENDERING_MIN_TURNS`, is not
 * stored whole: walking its turns is quick already. A walk's cost follows its turns (their rows
 * and item reads), not its text: many turns whose items render small but sit among large lines
 * (tool outputs a legacy read does not answer) were walked again at every read.
 */
const SEGMENT_RENDERING_MIN_CHARS = 1024 * 1024;
const SEGMENT_RENDERING_MIN_TURNS = 256;
/** A file grown by this much since its stored rendering is rendered again at the next whole read, even with a turn running. */
const SEGMENT_REGROWTH_BYTES = 1024 * 1024;

/** Does a rendering belong to the thread's item fold (the same file can be read as either only if the lineage says so)? */
const sameFold = (
  lineage: ThreadLineage,
  r: { readonly mode: string; readonly itemsFromResponses: boolean },
): boolean => r.mode === lineage.mode && r.itemsFromResponses === (lineage.itemsFromResponses === true);

/** A row, through the store's synchronous view when it has one (a lookup per turn). */
export const rowOf = async <T extends 'turnRenderings' | 'segmentRenderings' | 'files'>(
  ports: HistoryReadPorts,
  table: T,
  key: KeyOf<T>,
): Promise<RowOf<T> | undefined> =>
  ports.index.reader ? ports.index.reader.get(table, key) : await take(ports.index.get(table, key));

/** The stored rendering of a turn's items, if one is current: made at the turn's `itemsThrough`, by the same item fold. */
export const keptTurn = async (
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
export const keptSegment = async (
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
export const timeToRender = async (
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
export async function* segmentChunks(
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
  turns: number;
  /** Chunk writes held until the rendering is big enough to store. */
  held: IndexWrite[];
}

/** The renderings a walk makes, held until stored in one cache write. */
export const renderingWrites = (ports: HistoryReadPorts) => {
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
export type RenderingWrites = ReturnType<typeof renderingWrites>;

/** The whole rendering of the segment being walked, cut in chunks as its turns go by, stored at its end if it is big enough. */
export const wholeRenderings = (lineage: ThreadLineage, writes: RenderingWrites) => {
  let whole: SegmentRendering | undefined;
  const worthStoring = (w: SegmentRendering): boolean =>
    w.chars >= SEGMENT_RENDERING_MIN_CHARS || w.turns >= SEGMENT_RENDERING_MIN_TURNS;
  const cutChunk = (w: SegmentRendering): void => {
    if (w.parts.length === 0) return;
    const turns = w.parts.join(',');
    w.parts = [];
    w.partChars = 0;
    w.chunks += 1;
    w.chars += turns.length;
    const value: SegmentRenderingChunk = { through: w.through, turns };
    w.held.push({ op: 'put', table: 'segmentRenderings', key: [w.rolloutId, w.chunks], value });
    if (!worthStoring(w)) return;
    for (const h of w.held) writes.write(h, SEGMENT_CHUNK_CHARS);
    w.held = [];
  };
  return {
    start: (rolloutId: string, through: number, chunksBefore: number): void => {
      whole = { rolloutId, through, chunksBefore, parts: [], partChars: 0, chunks: 0, chars: 0, turns: 0, held: [] };
    },
    isRendering: (): boolean => whole !== undefined,
    gather: (json: string): void => {
      if (whole === undefined) return;
      whole.parts.push(json);
      whole.partChars += json.length + 1;
      whole.turns += 1;
      if (whole.partChars >= SEGMENT_CHUNK_CHARS) cutChunk(whole);
    },
    /** The segment's walk is over: its whole rendering is stored (the header last) if it is big enough. */
    finish: (): void => {
      const w = whole;
      whole = undefined;
      if (w === undefined) return;
      cutChunk(w);
      if (!worthStoring(w)) return;
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
