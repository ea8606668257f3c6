import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import type { FileCheckpoint, IndexWrite, KeyPart, TableName } from '../../domain/index/rows.js';
import { ROLLOUT_TABLES } from '../../domain/index/rows.js';
import { memoryIndexStore } from '../../projections/memoryStore.js';
import { Batch } from '../../projections/batch.js';
import { clearRollout } from '../../projections/runner.js';
import { catchUpHome } from './catchUp.js';
import type { CatchUpOptions } from './catchUp.js';

export interface IndexDiff {
  readonly table: string;
  readonly key: ReadonlyArray<KeyPart>;
  /** missing: a fresh fold has the row, the index not; extra: the reverse; different: both, unequal. */
  readonly kind: 'missing' | 'extra' | 'different';
  readonly indexed?: unknown;
  readonly expected?: unknown;
}

export interface VerifyReport {
  readonly rows: number;
  readonly diffs: ReadonlyArray<IndexDiff>;
}

const slot = (table: string, key: unknown): string => JSON.stringify([table, key]);

/** Compare the index with a fresh fold of the files (built in memory). The index is not changed. */
export const verifyIndex =
  (store: IndexStore, home: string, options: CatchUpOptions = {}): TE.TaskEither<EngineError, VerifyReport> =>
  async () => {
    const fresh = memoryIndexStore();
    const built = await catchUpHome(fresh, home, { ...options, onProgress: undefined })();
    if (E.isLeft(built)) return built;
    const [ours, theirs] = await Promise.all([store.dump()(), fresh.dump()()]);
    if (E.isLeft(ours)) return ours;
    if (E.isLeft(theirs)) return theirs;
    const expected = new Map(theirs.right.map((r) => [slot(r.table, r.key), r]));
    const diffs: IndexDiff[] = [];
    const seen = new Set<string>();
    for (const r of ours.right) {
      const s = slot(r.table, r.key);
      seen.add(s);
      const e = expected.get(s);
      if (!e) diffs.push({ table: r.table, key: r.key as KeyPart[], kind: 'extra', indexed: r.value });
      else if (JSON.stringify(e.value) !== JSON.stringify(r.value))
        diffs.push({ table: r.table, key: r.key as KeyPart[], kind: 'different', indexed: r.value, expected: e.value });
    }
    for (const [s, e] of expected) if (!seen.has(s)) diffs.push({ table: e.table, key: e.key as KeyPart[], kind: 'missing', expected: e.value });
    return E.right({ rows: theirs.right.length, diffs });
  };

/**
 * Repair what verify finds: the rollouts and files with differing rows lose their rows and
 * checkpoints and are indexed again from their first byte; thread rows are recomputed.
 */
export const repairIndex =
  (store: IndexStore, home: string, options: CatchUpOptions = {}): TE.TaskEither<EngineError, { before: VerifyReport; after: VerifyReport; rollouts: string[] }> =>
  async () => {
    const before = await verifyIndex(store, home, options)();
    if (E.isLeft(before)) return before;
    const rollouts = new Set<string>();
    const paths = new Set<string>();
    const threads = new Set<string>();
    for (const d of before.right.diffs) {
      const k0 = String(d.key[0]);
      if (ROLLOUT_TABLES.includes(d.table as TableName)) rollouts.add(k0);
      else if (d.table === 'files') {
        paths.add(k0);
        for (const v of [d.indexed, d.expected] as Array<FileCheckpoint | undefined>) if (v?.rolloutId) rollouts.add(v.rolloutId);
      } else if (d.table === 'threads') threads.add(k0);
    }
    const cps = await store.range('files', [])();
    if (E.isLeft(cps)) return cps;
    for (const c of cps.right) if (c.value.rolloutId !== null && rollouts.has(c.value.rolloutId)) paths.add(c.value.path);
    const cleared = await store.commit((reader): IndexWrite[] => {
      const b = new Batch(reader);
      for (const r of rollouts) clearRollout(b, r);
      for (const p of paths) b.del('files', [p]);
      for (const t of threads) b.del('threads', [t]);
      return b.writes();
    })();
    if (E.isLeft(cleared)) return cleared;
    const caught = await catchUpHome(store, home, options)();
    if (E.isLeft(caught)) return caught;
    const after = await verifyIndex(store, home, options)();
    if (E.isLeft(after)) return after;
    return E.right({ before: before.right, after: after.right, rollouts: [...rollouts].sort() });
  };
