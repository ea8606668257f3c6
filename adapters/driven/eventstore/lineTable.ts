import type { LogPosition } from '../../../domain/errors.js';

/** Where a line starts in a stream: its file position and the revision of its first event. */
export interface LineStart extends LogPosition {
  readonly revision: number;
}

/**
 * The node-local `(stream, byteOffset) → revision` table: what lets byte-range reads and reads
 * from a checkpoint find their event without a scan, so index rows keep the file's offsets.
 * Filled by every read and append of this process; a miss is answered by a forward scan that
 * fills it. Per stream, starts are kept sorted by offset (a stream's lines only grow).
 */
export class LineTable {
  private readonly streams = new Map<string, LineStart[]>();

  remember(stream: string, start: LineStart): void {
    let starts = this.streams.get(stream);
    if (starts === undefined) {
      starts = [];
      this.streams.set(stream, starts);
    }
    const last = starts[starts.length - 1];
    if (last === undefined || last.byteOffset < start.byteOffset) {
      starts.push(start);
      return;
    }
    const i = this.floorIndex(starts, start.byteOffset);
    if (i >= 0 && starts[i]!.byteOffset === start.byteOffset) starts[i] = start;
    else starts.splice(i + 1, 0, start);
  }

  /** The known start at `byteOffset` exactly, if any. */
  at(stream: string, byteOffset: number): LineStart | undefined {
    const starts = this.streams.get(stream);
    if (starts === undefined) return undefined;
    const i = this.floorIndex(starts, byteOffset);
    const s = starts[i];
    return s !== undefined && s.byteOffset === byteOffset ? s : undefined;
  }

  /** The last known start at or before `byteOffset`, if any. */
  floor(stream: string, byteOffset: number): LineStart | undefined {
    const starts = this.streams.get(stream);
    return starts === undefined ? undefined : starts[this.floorIndex(starts, byteOffset)];
  }

  /** A stream deleted or found rewritten: what this process knew of it is void. */
  forget(stream: string): void {
    this.streams.delete(stream);
  }

  private floorIndex(starts: ReadonlyArray<LineStart>, byteOffset: number): number {
    let lo = 0;
    let hi = starts.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]!.byteOffset <= byteOffset) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }
}
