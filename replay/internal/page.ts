/** Which way a walk and its pages go: oldest first or newest first. */
export type Direction = 'asc' | 'desc';

/** One page cut from a walk: its rows, and whether more follow. */
export interface PageCut<R> {
  readonly rows: R[];
  readonly hasMore: boolean;
}

/**
 * Take `size` rows from a walk, reading one more to learn whether the page is the last (as
 * Codex does: `nextCursor` only when more follow). The walk is closed after.
 */
export const cutPage = async <R>(walk: AsyncGenerator<R>, size: number): Promise<PageCut<R>> => {
  const rows: R[] = [];
  try {
    for await (const r of walk) {
      rows.push(r);
      if (rows.length > size) break;
    }
  } finally {
    await walk.return(undefined);
  }
  return { rows: rows.slice(0, size), hasMore: rows.length > size };
};

/** Codex's cursors for a page: `next` after its last row (only when more follow), `backwards` at its first. */
export const pageCursors = <R>(
  cut: PageCut<R>,
  cursorOf: (row: R, includeAnchor: boolean) => string,
): { nextCursor: string | null; backwardsCursor: string | null } => {
  const first = cut.rows[0];
  const last = cut.rows[cut.rows.length - 1];
  return {
    nextCursor: cut.hasMore && last !== undefined ? cursorOf(last, false) : null,
    backwardsCursor: first !== undefined ? cursorOf(first, true) : null,
  };
};

/** Is `value` on the walk's side of a cursor's anchor (the anchor itself only when included)? */
export const pastAnchor = (direction: Direction, includeAnchor: boolean, value: number, anchor: number): boolean =>
  direction === 'asc'
    ? includeAnchor
      ? value >= anchor
      : value > anchor
    : includeAnchor
      ? value <= anchor
      : value < anchor;
