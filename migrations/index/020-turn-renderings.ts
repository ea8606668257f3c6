import type { IndexReader, IndexWrite, ItemRow, TurnRow } from '../../domain/index/rows.js';

/**
 * Schema 20 adds `turnRenderings` (empty: whole reads fill it) and the turn rows' `itemsThrough`,
 * which a rendering is checked against. The fold keeps it as the largest end of the byte ranges
 * of the turn's items (an item's lines are only ever replaced by or extended with later lines),
 * so it is derived here from the item rows.
 */
export const addItemsThrough = (reader: IndexReader): IndexWrite[] => {
  const through = new Map<string, number>();
  const turnKey = (rolloutId: string, turnId: string): string => `${rolloutId}\n${turnId}`;
  for (const key of reader.keys('items', [])) {
    const [rolloutId, line] = key as readonly [string, number];
    const row: ItemRow | undefined = reader.get('items', [rolloutId, line]);
    if (row === undefined) continue;
    const k = turnKey(rolloutId, row.turnId);
    let end = through.get(k) ?? 0;
    for (const [byteOffset, byteLength] of row.ranges) end = Math.max(end, byteOffset + byteLength);
    through.set(k, end);
  }
  const writes: IndexWrite[] = [];
  for (const key of reader.keys('turns', [])) {
    const [rolloutId, line] = key as readonly [string, number];
    const row: TurnRow | undefined = reader.get('turns', [rolloutId, line]);
    if (row === undefined) continue;
    writes.push({
      op: 'put',
      table: 'turns',
      key: [rolloutId, line],
      value: { ...row, itemsThrough: through.get(turnKey(rolloutId, row.id)) ?? null },
    });
  }
  return writes;
};
