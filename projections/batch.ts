import type { IndexReader, IndexWrite, KeyOf, KeyPart, RowOf, TableName } from '../domain/index/rows.js';
import { ROLLOUT_TABLES } from '../domain/index/rows.js';

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
  /**
   * Pending slots by table and first key part (a rollout id): `keys` looks at one bucket, not
   * every write. Built on the first `keys` call: most batches (a cold index) never ask.
   */
  private buckets: SlotBuckets | undefined;
  /** Slots whose pending value is this batch's own copy (safe to change in place). */
  private readonly owned = new Set<string>();
  /** Rollouts the store holds no rows of (see `markEmpty`). */
  private readonly empty = new Set<string>();

  constructor(private readonly reader: IndexReader) {}

  get<T extends TableName>(table: T, key: KeyOf<T>): RowOf<T> | undefined {
    const p = this.pending.get(slot(table, key));
    if (p) return p.value as RowOf<T> | undefined;
    if (this.storesNothing(table, key)) return undefined;
    return this.reader.get(table, key);
  }

  /**
   * Declare that the store holds no rows of `rolloutId` (a rollout indexed from its first line,
   * after its old rows were cleared in this batch): reads of its rows stop at this batch's writes
   * (a cold index then never asks the store for rows it cannot have).
   */
  markEmpty(rolloutId: string): void {
    this.empty.add(rolloutId);
  }

  private storesNothing(table: TableName, key: ReadonlyArray<KeyPart>): boolean {
    return this.empty.size > 0 && ROLLOUT_TABLE_SET.has(table) && this.empty.has(key[0] as string);
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
   * not mutated.
   */
  edit<T extends TableName>(table: T, key: KeyOf<T>): Mutable<RowOf<T>> | undefined {
    const s = slot(table, key);
    const p = this.pending.get(s);
    if (p !== undefined && this.owned.has(s)) return p.value as Mutable<RowOf<T>> | undefined;
    const v = p !== undefined ? p.value : this.reader.get(table, key);
    if (v === undefined) return undefined;
    const copy = { ...(v as object) } as Mutable<RowOf<T>>;
    this.set(table, key, copy, s);
    this.owned.add(s);
    return copy;
  }

  private set(table: TableName, key: ReadonlyArray<KeyPart>, value: unknown, s: string = slot(table, key)): void {
    const p = this.pending.get(s);
    if (p === undefined) this.buckets?.add(table, key, s);
    else if (p.value === value) return; // putting back the row being edited: nothing changes
    this.owned.delete(s);
    this.pending.set(s, { table, key, value });
  }

  /** Keys with a prefix, merging stored keys with this batch's puts and deletes. */
  keys(table: TableName, prefix: ReadonlyArray<KeyPart>): ReadonlyArray<ReadonlyArray<KeyPart>> {
    const out = new Map<string, ReadonlyArray<KeyPart>>();
    if (!this.storesNothing(table, prefix)) for (const k of this.reader.keys(table, prefix)) out.set(slot(table, k), k);
    if (this.buckets === undefined) {
      this.buckets = new SlotBuckets();
      for (const [s, p] of this.pending) this.buckets.add(p.table, p.key, s);
    }
    for (const s of this.buckets.candidates(table, prefix)) {
      const p = this.pending.get(s)!;
      if (!hasPrefix(p.key, prefix)) continue;
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

/**
 * Slots grouped by (table, first key part), so a prefix query looks at one group; a query with an
 * empty prefix (rare: the whole threads table) looks at every slot of the table.
 */
class SlotBuckets {
  private readonly buckets = new Map<string, Set<string>>();
  private readonly all = new Map<TableName, Set<string>>();

  private static bucketOf(table: TableName, first: KeyPart | undefined): string {
    return `${table}\u0002${typeof first}${String(first)}`;
  }

  add(table: TableName, key: ReadonlyArray<KeyPart>, s: string): void {
    const b = SlotBuckets.bucketOf(table, key[0]);
    const set = this.buckets.get(b);
    if (set) set.add(s);
    else this.buckets.set(b, new Set([s]));
    const t = this.all.get(table);
    if (t) t.add(s);
    else this.all.set(table, new Set([s]));
  }

  remove(table: TableName, key: ReadonlyArray<KeyPart>, s: string): void {
    this.buckets.get(SlotBuckets.bucketOf(table, key[0]))?.delete(s);
    this.all.get(table)?.delete(s);
  }

  /** Slots that may have `prefix`. */
  candidates(table: TableName, prefix: ReadonlyArray<KeyPart>): Iterable<string> {
    return (prefix.length === 0 ? this.all.get(table) : this.buckets.get(SlotBuckets.bucketOf(table, prefix[0]))) ?? [];
  }
}

/** An empty index (tests, fresh folds for verify). */
export const emptyReader: IndexReader = { get: () => undefined, keys: () => [] };

/** A reader over an in-memory map of rows (verify's fresh fold, unit tests). */
export const memoryIndex = (): IndexReader & { apply: (ws: ReadonlyArray<IndexWrite>) => void; rows: () => Array<{ table: TableName; key: ReadonlyArray<KeyPart>; value: unknown }> } => {
  const m = new Map<string, { table: TableName; key: ReadonlyArray<KeyPart>; value: unknown }>();
  const buckets = new SlotBuckets();
  return {
    get: ((table: TableName, key: ReadonlyArray<KeyPart>) => m.get(slot(table, key))?.value) as IndexReader['get'],
    keys: (table, prefix) => {
      const out: Array<ReadonlyArray<KeyPart>> = [];
      for (const s of buckets.candidates(table, prefix)) {
        const r = m.get(s)!;
        if (hasPrefix(r.key, prefix)) out.push(r.key);
      }
      return out.sort(compareKeys);
    },
    apply: (ws) => {
      for (const w of ws) {
        const s = slot(w.table, w.key);
        if (w.op === 'put') {
          if (!m.has(s)) buckets.add(w.table, w.key, s);
          m.set(s, { table: w.table, key: w.key, value: w.value });
        } else if (m.delete(s)) buckets.remove(w.table, w.key, s);
      }
    },
    rows: () => [...m.values()],
  };
};
