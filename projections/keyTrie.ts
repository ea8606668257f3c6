import type { KeyPart, TableName } from '../domain/index/rows.js';

/**
 * Values by (table, key), one map level per key part. The hot path of a fold reads and writes
 * rows keyed `[rolloutId, …]` many times per line: walking maps keyed by the parts themselves
 * (a rollout id string hashes once, numbers not at all) costs less than building and hashing a
 * joined string per access, and a prefix's keys are the subtree under it. Pure.
 */

interface Node<V> {
  entry: { readonly key: ReadonlyArray<KeyPart>; value: V } | undefined;
  kids: Map<KeyPart, Node<V>> | undefined;
}

export class KeyTrie<V> {
  private readonly roots = new Map<TableName, Node<V>>();

  /** The entry at exactly this key, if one was set (and not removed). */
  find(table: TableName, key: ReadonlyArray<KeyPart>): { readonly key: ReadonlyArray<KeyPart>; value: V } | undefined {
    let n = this.roots.get(table);
    for (let i = 0; i < key.length && n !== undefined; i++) n = n.kids?.get(key[i]!);
    return n?.entry;
  }

  /** Set the value at a key; returns its entry (new, or the existing one, updated). */
  set(table: TableName, key: ReadonlyArray<KeyPart>, value: V): { readonly key: ReadonlyArray<KeyPart>; value: V } {
    let n = this.roots.get(table);
    if (n === undefined) this.roots.set(table, (n = { entry: undefined, kids: undefined }));
    for (const p of key) {
      const kids: Map<KeyPart, Node<V>> = (n.kids ??= new Map());
      let next = kids.get(p);
      if (next === undefined) kids.set(p, (next = { entry: undefined, kids: undefined }));
      n = next;
    }
    if (n.entry === undefined) n.entry = { key, value };
    else n.entry.value = value;
    return n.entry;
  }

  /** Remove the entry at a key; true if there was one. */
  remove(table: TableName, key: ReadonlyArray<KeyPart>): boolean {
    let n = this.roots.get(table);
    for (let i = 0; i < key.length && n !== undefined; i++) n = n.kids?.get(key[i]!);
    if (n?.entry === undefined) return false;
    n.entry = undefined;
    return true;
  }

  /** Entries whose key starts with `prefix` (in no particular order). */
  under(table: TableName, prefix: ReadonlyArray<KeyPart>): Array<{ readonly key: ReadonlyArray<KeyPart>; value: V }> {
    let n = this.roots.get(table);
    for (let i = 0; i < prefix.length && n !== undefined; i++) n = n.kids?.get(prefix[i]!);
    const out: Array<{ readonly key: ReadonlyArray<KeyPart>; value: V }> = [];
    const walk = (x: Node<V>): void => {
      if (x.entry !== undefined) out.push(x.entry);
      if (x.kids !== undefined) for (const k of x.kids.values()) walk(k);
    };
    if (n !== undefined) walk(n);
    return out;
  }
}
