import type { IndexReader, IndexWrite, KeyOf, KeyPart, RowOf, TableName } from '../domain/index/rows.js';

/** Order of lmdb ordered-binary array keys for the parts we use: numbers before strings. */
export const compareKeys = (a: ReadonlyArray<KeyPart>, b: ReadonlyArray<KeyPart>): number => {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    if (typeof x !== typeof y) return typeof x === 'number' ? -1 : 1;
    if (x < y) return -1;
    if (x > y) return 1;
  }
  return a.length - b.length;
};

/** A map key for (table, key): parts tagged by type so 1 and "1" differ. Hot path: no JSON. */
const slot = (table: TableName, key: ReadonlyArray<KeyPart>): string => {
  let s = table;
  for (const p of key) s += typeof p === 'number' ? `\u0001n${p}` : `\u0001s${p}`;
  return s;
};

const hasPrefix = (key: ReadonlyArray<KeyPart>, prefix: ReadonlyArray<KeyPart>): boolean =>
  prefix.every((p, i) => key[i] === p);

/**
 * The writes of one batch, readable while they are built (reads see earlier writes). Pure: it
 * holds values in memory and reads through to the `IndexReader` it was given.
 */
export class Batch {
  private readonly pending = new Map<string, { table: TableName; key: ReadonlyArray<KeyPart>; value: unknown | undefined }>();

  constructor(private readonly reader: IndexReader) {}

  get<T extends TableName>(table: T, key: KeyOf<T>): RowOf<T> | undefined {
    const p = this.pending.get(slot(table, key));
    if (p) return p.value as RowOf<T> | undefined;
    return this.reader.get(table, key);
  }

  put<T extends TableName>(table: T, key: KeyOf<T>, value: RowOf<T>): void {
    this.pending.set(slot(table, key), { table, key, value });
  }

  del<T extends TableName>(table: T, key: KeyOf<T>): void {
    this.pending.set(slot(table, key), { table, key, value: undefined });
  }

  /** Keys with a prefix, merging stored keys with this batch's puts and deletes. */
  keys(table: TableName, prefix: ReadonlyArray<KeyPart>): ReadonlyArray<ReadonlyArray<KeyPart>> {
    const out = new Map<string, ReadonlyArray<KeyPart>>();
    for (const k of this.reader.keys(table, prefix)) out.set(slot(table, k), k);
    for (const [s, p] of this.pending) {
      if (p.table !== table || !hasPrefix(p.key, prefix)) continue;
      if (p.value === undefined) out.delete(s);
      else out.set(s, p.key);
    }
    return [...out.values()].sort(compareKeys);
  }

  writes(): IndexWrite[] {
    return [...this.pending.values()].map((p) =>
      p.value === undefined ? { op: 'del', table: p.table, key: p.key } : { op: 'put', table: p.table, key: p.key, value: p.value },
    );
  }

  get size(): number {
    return this.pending.size;
  }
}

/** An empty index (tests, fresh folds for verify). */
export const emptyReader: IndexReader = { get: () => undefined, keys: () => [] };

/** A reader over an in-memory map of rows (verify's fresh fold, unit tests). */
export const memoryIndex = (): IndexReader & { apply: (ws: ReadonlyArray<IndexWrite>) => void; rows: () => Array<{ table: TableName; key: ReadonlyArray<KeyPart>; value: unknown }> } => {
  const m = new Map<string, { table: TableName; key: ReadonlyArray<KeyPart>; value: unknown }>();
  return {
    get: ((table: TableName, key: ReadonlyArray<KeyPart>) => m.get(slot(table, key))?.value) as IndexReader['get'],
    keys: (table, prefix) =>
      [...m.values()].filter((r) => r.table === table && hasPrefix(r.key, prefix)).map((r) => r.key).sort(compareKeys),
    apply: (ws) => {
      for (const w of ws) {
        if (w.op === 'put') m.set(slot(w.table, w.key), { table: w.table, key: w.key, value: w.value });
        else m.delete(slot(w.table, w.key));
      }
    },
    rows: () => [...m.values()],
  };
};
