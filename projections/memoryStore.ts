import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { IndexStore } from '../domain/ports.js';
import type { KeyPart, TableName } from '../domain/index/rows.js';
import { TABLES } from '../domain/index/rows.js';
import { withCheckpointVouchedDropped } from '../domain/index/homeStats.js';
import { compareKeys, memoryIndex } from './batch.js';

/** An IndexStore held in memory: verify's fresh fold, tests. Same ordering as the LMDB store. */
export const memoryIndexStore = (): IndexStore => {
  const idx = memoryIndex();
  const sorted = (table: TableName, prefix: ReadonlyArray<KeyPart>) =>
    idx
      .rows()
      .filter((r) => r.table === table && prefix.every((p, i) => r.key[i] === p))
      .sort((a, b) => compareKeys(a.key, b.key));
  return {
    reader: idx,
    get: (table, key) => TE.right(idx.get(table, key)),
    range: (table, prefix, opts = {}) => {
      let rows = sorted(table, prefix);
      if (opts.reverse) rows = rows.reverse();
      const after = opts.after;
      if (after)
        rows = rows.filter((r) => (opts.reverse ? compareKeys(r.key, after) < 0 : compareKeys(r.key, after) > 0));
      const from = opts.from;
      if (from)
        rows = rows.filter((r) => (opts.reverse ? compareKeys(r.key, from) <= 0 : compareKeys(r.key, from) >= 0));
      if (opts.limit !== undefined) rows = rows.slice(0, opts.limit);
      return TE.right(rows.map((r) => ({ key: r.key as never, value: r.value as never })));
    },
    scan: (table, prefix, each) => async () => {
      const rows = sorted(table, prefix);
      for (const r of rows) each({ key: r.key as never, value: r.value as never });
      return E.right(rows.length);
    },
    commit: (build) => async () => {
      const ws = build(idx);
      idx.apply(withCheckpointVouchedDropped(ws));
      return E.right(ws.length);
    },
    dump: () =>
      TE.right(
        TABLES.filter((t) => t !== 'meta').flatMap((t) =>
          sorted(t, []).map((r) => ({ table: t as string, key: r.key as unknown, value: r.value })),
        ),
      ),
    close: () => TE.right(undefined),
  };
};
