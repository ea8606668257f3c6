/**
 * The tops of a virtualised list's rows, summed from their heights: computed again, all at once,
 * the first time they are asked for after a height changed (`stale`), never row by row; and the
 * room the list leaves after its last row.
 */
export class RowOffsets {
  private offsets: number[] = [0];
  private dirty = false;

  constructor(private readonly rows: () => ReadonlyArray<{ readonly height: number }>) {}

  /** A row's height changed, or rows came or went. */
  stale(): void {
    this.dirty = true;
  }

  /** Sum the heights again if one changed since. */
  ensure(): void {
    if (!this.dirty) return;
    const rows = this.rows();
    const offsets = new Array<number>(rows.length + 1);
    offsets[0] = 0;
    for (let i = 0; i < rows.length; i++) offsets[i + 1] = offsets[i]! + rows[i]!.height;
    this.offsets = offsets;
    this.dirty = false;
  }

  /** Row `i`'s top as last summed (a draw places its rows by one sum, whatever it measures meanwhile). */
  top(i: number): number {
    return this.offsets[i]!;
  }

  total(): number {
    this.ensure();
    return this.offsets[this.rows().length] ?? 0;
  }

  /** The first row whose bottom is below `y`, as last summed. */
  rowAt(y: number): number {
    let lo = 0;
    let hi = this.rows().length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.offsets[mid + 1]! <= y) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /**
   * Room below the last row, in a list `height` high, so that the end of the list shows a whole row at
   * its top: scrolled to the end, the rows' own end would leave a clipped sliver of a row there (an
   * empty band: its bottom padding). None when the rows end on a row's top, or when the row at
   * the top would be the last (a row taller than the list).
   */
  endPad(height: number): number {
    const end = this.total() - height;
    if (end <= 0) return 0;
    const atTop = this.rowAt(end);
    if (this.top(atTop) === end || atTop + 1 >= this.rows().length) return 0;
    return this.top(atTop + 1) - end;
  }
}
