import type { ThreadRow } from '../index/rows.js';
import type { Thread } from './thread.js';

/** Nothing runs a model in this process, so every thread it serves is reported as not loaded. */
export const NOT_LOADED = { type: 'notLoaded' } as const;

/** The app-server Thread for an index row, fields in the order Codex serialises them; `turns` an array, or a stream of them. */
export const threadFromRow = <Turns>(row: ThreadRow, turns: Turns): Omit<Thread, 'turns'> & { turns: Turns } => {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(row)) {
    if (k === 'archived' || k === 'rolloutId' || k === 'sortMs' || k === 'readState') continue;
    out[k] = v;
    if (k === 'recencyAt') out['status'] = NOT_LOADED;
  }
  out['turns'] = turns;
  return out as unknown as Omit<Thread, 'turns'> & { turns: Turns };
};
