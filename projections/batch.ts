import type { IndexReader, IndexWrite, KeyOf, KeyPart, RowOf, TableName } from '../domain/index/rows.js';
import { ROLLOUT_TABLES } from '../domain/index/rows.js';
import { KeyTrie } from './keyTrie.js';

const ROLLOUT_TABLE_SET: ReadonlySet<TableName> = new Set(ROLLOUT_TABLES);

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

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

/**
 * The writes of one batch, readable while they are built (reads see earlier writes). Pure: it
 * holds values in memory and reads through to the `IndexReader` it was given.
 */
export class Batch {
  /** Pending writes by key (a delete is an entry whose value is undefined). */
  private readonly pending = new KeyTrie<Pending>();
  /** The same, in the order their keys were first written (the order of `writes`). */
  private readonly order: Pending[] = [];
  /** Rollouts the store holds no rows of (see `markEmpty`). */
  private readonly empty = new Set<string>();
  /** Rollouts the store holds rows of in these tables only (see `markEmpty`). */
  private readonly storedIn = new Map<string, ReadonlySet<TableName>>();

  constructor(private readonly reader: IndexReader) {}

  get<T extends TableName>(table: T, key: KeyOf<T>): RowOf<T> | undefined {
    const p = this.pending.find(table, key)?.value;
    if (p) return p.value as RowOf<T> | undefined;
    if (this.storesNothing(table, key)) return undefined;
    return this.reader.get(table, key);
  }

  /**
   * Declare that the store holds no rows of `rolloutId` (a rollout indexed from its first line,
   * after its old rows were cleared in this batch): reads of its rows stop at this batch's writes
   * (a cold index then never asks the store for rows it cannot have). `except`: tables that do
   * hold its rows (the token projection's, caught up alone before).
   */
  markEmpty(rolloutId: string, except: ReadonlyArray<TableName> = []): void {
    this.empty.add(rolloutId);
    if (except.length > 0) this.storedIn.set(rolloutId, new Set(except));
  }

  private storesNothing(table: TableName, key: ReadonlyArray<KeyPart>): boolean {
    return (
      this.empty.size > 0 &&
      ROLLOUT_TABLE_SET.has(table) &&
      this.empty.has(key[0] as string) &&
      this.storedIn.get(key[0] as string)?.has(table) !== true
    );
  }

  put<T extends TableName>(table: T, key: KeyOf<T>, value: RowOf<T>): void {
    this.set(table, key, value);
  }

  del<T extends TableName>(table: T, key: KeyOf<T>): void {
    this.set(table, key, undefined);
  }

  /**
   * The row to change in place (hot paths: a row updated by every line). The first edit in this
   * batch puts a shallow copy, so rows read from the store, or handed to `put` by a caller, are
   * never mutated; later edits return that same copy. Nested values must still be replaced,
   * not mutated, unless `copy` (the first edit's copy, shallow by default) copied them too.
   */
  edit<T extends TableName>(
    table: T,
    key: KeyOf<T>,
    copy?: (row: RowOf<T>) => RowOf<T>,
  ): Mutable<RowOf<T>> | undefined {
    const p = this.pending.find(table, key)?.value;
    if (p !== undefined && p.owned) return p.value as Mutable<RowOf<T>> | undefined;
    const v = p !== undefined ? p.value : this.storesNothing(table, key) ? undefined : this.reader.get(table, key);
    if (v === undefined) return undefined;
    const own = (copy === undefined ? { ...(v as object) } : copy(v as RowOf<T>)) as Mutable<RowOf<T>>;
    this.set(table, key, own).owned = true;
    return own;
  }

  private set(table: TableName, key: ReadonlyArray<KeyPart>, value: unknown): Pending {
    const found = this.pending.find(table, key);
    if (found === undefined) {
      const p: Pending = { table, key, value, owned: false };
      this.pending.set(table, key, p);
      this.order.push(p);
      return p;
    }
    const p = found.value;
    if (p.value === value) return p; // putting back the row being edited: nothing changes
    p.value = value;
    p.owned = false;
    return p;
  }

  /** Keys with a prefix, merging stored keys with this batch's puts and deletes. */
  keys(table: TableName, prefix: ReadonlyArray<KeyPart>): ReadonlyArray<ReadonlyArray<KeyPart>> {
    const out = new KeyTrie<boolean>();
    if (!this.storesNothing(table, prefix)) for (const k of this.reader.keys(table, prefix)) out.set(table, k, true);
    for (const { key, value: p } of this.pending.under(table, prefix)) {
      if (p.value === undefined) out.remove(table, key);
      else out.set(table, key, true);
    }
    return out
      .under(table, [])
      .map((e) => e.key)
      .sort(compareKeys);
  }

  writes(): IndexWrite[] {
    return this.order.map((p) =>
      p.value === undefined
        ? { op: 'del', table: p.table, key: p.key }
        : { op: 'put', table: p.table, key: p.key, value: p.value },
    );
  }

  get size(): number {
    return this.order.length;
  }
}

interface Pending {
  readonly table: TableName;
  readonly key: ReadonlyArray<KeyPart>;
  value: unknown;
  /** The value is this batch's own copy (safe to change in place). */
  owned: boolean;
}

/** A reader over an in-memory map of rows (verify's fresh fold, unit tests). */
export const memoryIndex = (): IndexReader & {
  apply: (ws: ReadonlyArray<IndexWrite>) => void;
  rows: () => Array<{ table: TableName; key: ReadonlyArray<KeyPart>; value: unknown }>;
} => {
  const m = new KeyTrie<unknown>();
  const tables = new Set<TableName>();
  return {
    get: ((table: TableName, key: ReadonlyArray<KeyPart>) => m.find(table, key)?.value) as IndexReader['get'],
    keys: (table, prefix) =>
      m
        .under(table, prefix)
        .map((e) => e.key)
        .sort(compareKeys),
    apply: (ws) => {
      for (const w of ws) {
        if (w.op === 'put') {
          m.set(w.table, w.key, w.value);
          tables.add(w.table);
        } else m.remove(w.table, w.key);
      }
    },
    rows: () => [...tables].flatMap((table) => m.under(table, []).map((e) => ({ table, key: e.key, value: e.value }))),
  };
};
