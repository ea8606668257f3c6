import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { stop, take, useCase } from '../../domain/effect.js';
import type { IndexStore } from '../../domain/ports.js';
import type { FileCheckpoint, IndexWrite, KeyPart, RolloutRow, TableName } from '../../domain/index/rows.js';
import { FOLDED_ROLLOUT_TABLES, ROLLOUT_TABLES } from '../../domain/index/rows.js';
import { memoryIndexStore } from '../../projections/memoryStore.js';
import { memoryIndex } from '../../projections/batch.js';
import { refreshThreadRows } from '../../projections/threadRows.js';
import { discoverRolloutFiles } from '../../adapters/driven/jsonl/home/discover.js';
import type { RolloutFile } from '../../adapters/driven/jsonl/home/discover.js';
import { homeLogsEndingMidLine } from '../../adapters/driven/jsonl/writers/homeFacts.js';
import { errnoCode, toEngineError } from '../../adapters/driven/fs/fsError.js';
import { KEY_MAX } from '../../adapters/driven/lmdb/schema.js';
import { PROBE_CONCURRENCY, mapLimit } from '../catchUp/probeHome.js';
import { backfilledRowsOf, indexedFilesOf, readThreadRowHome, withoutStateDb } from '../catchUp/threadRowRefresh.js';
import type { CatchUpOptions } from '../catchUp/catchUp.js';
import { probeFile } from '../../adapters/driven/jsonl/readers/probe.js';
import type { Probe } from '../../adapters/driven/jsonl/readers/probe.js';
import { planCatchUp } from '../catchUp/plan.js';
import type { PlannedFile } from '../write/indexFiles.js';
import { indexFiles } from '../write/indexFiles.js';
import { emptySummary } from '../catchUp/catchUpSummary.js';
import { quarantinedOf, repeatedOrdinalsOf } from './quarantined.js';
import type { QuarantinedCount } from './quarantined.js';
import { indexStateOf } from './verifyFindings.js';
import type { VerifyFindings } from './verifyFindings.js';
import { keyText as idKeyText } from '../../domain/index/keyText.js';

/**
 * Verify: compare the index with a fresh fold of the files, in bounded memory. The files are
 * folded a group at a time into an in-memory store (each rollout file is projected on its own),
 * and each file's rows are compared with the index's rows of the same rollout (a range scan per
 * table); then the rows of rollouts and files the index holds but no file gives, and the thread
 * rows (derived from every file's rollout row, which is all that is kept). Memory is one group's
 * rows and one rollout row per file, whatever the size of the home. Differences are counted per
 * table; the first `keep` are kept in the report, each is told to `onDiff` as it is found.
 */

export interface IndexDiff {
  readonly table: string;
  readonly key: ReadonlyArray<KeyPart>;
  /** missing: a fresh fold has the row, the index not; extra: the reverse; different: both, unequal. */
  readonly kind: 'missing' | 'extra' | 'different';
  readonly indexed?: unknown;
  readonly expected?: unknown;
}

export interface TableCounts {
  missing: number;
  extra: number;
  different: number;
}

export interface VerifyReport {
  /** Rows a fresh fold of the files gives (of the files compared). */
  readonly rows: number;
  /** Every difference found, counted. */
  readonly differences: number;
  /** Differences per table and kind (tables without any are left out). */
  readonly byTable: Readonly<Record<string, TableCounts>>;
  /** The first differences found (`keep` of them), in the order found. */
  readonly diffs: ReadonlyArray<IndexDiff>;
  /** Rollout files compared. */
  readonly files: number;
  /** Lines of those files no read can show (quarantined), as the fresh fold counts them. */
  readonly quarantined: QuarantinedCount;
  /** Lines of those files whose ordinal repeats an earlier line's (shown, in line order), and the files that have any. */
  readonly repeatedOrdinals: QuarantinedCount;
  /** The home's logs (`session_index.jsonl`, the thread-state log) ending in the middle of a line (a writer killed mid-write): the next append ends it. */
  readonly tornLogs: ReadonlyArray<string>;
}

export interface VerifyOptions extends Pick<CatchUpOptions, 'batchLines' | 'batchBytes'> {
  /** Differences kept in the report (default 100); the others are only counted. */
  readonly keep?: number;
  /** Told of every difference as it is found (a listing of all of them without holding them). */
  readonly onDiff?: (d: IndexDiff) => void;
}

const DEFAULT_KEEP = 100;
/** Files folded into one in-memory store before their rows are compared (the bound on memory, with the largest file). */
const GROUP_FILES = 64;
const GROUP_BYTES = 8 << 20;
/** Rollouts compared between two remaps of the index's memory map (pages read stay resident until then). */
const REMAP_EVERY = 512;

/** What differs, by owner: the rollouts, files and threads repair re-indexes. */
interface Affected {
  readonly rollouts: Set<string>;
  readonly paths: Set<string>;
  readonly threads: Set<string>;
}

type Owner = { readonly rollout: string } | { readonly path: string } | { readonly thread: string };

class Differences {
  count = 0;
  readonly byTable: Record<string, TableCounts> = {};
  readonly kept: IndexDiff[] = [];
  readonly affected: Affected = { rollouts: new Set(), paths: new Set(), threads: new Set() };

  constructor(private readonly options: VerifyOptions) {}

  add(d: IndexDiff, owner: Owner): void {
    this.count += 1;
    const t = (this.byTable[d.table] ??= { missing: 0, extra: 0, different: 0 });
    t[d.kind] += 1;
    if (this.kept.length < (this.options.keep ?? DEFAULT_KEEP)) this.kept.push(d);
    this.options.onDiff?.(d);
    if ('rollout' in owner) this.affected.rollouts.add(owner.rollout);
    else if ('path' in owner) {
      this.affected.paths.add(owner.path);
      for (const v of [d.indexed, d.expected] as Array<FileCheckpoint | undefined>)
        if (v?.rolloutId) this.affected.rollouts.add(v.rolloutId);
    } else this.affected.threads.add(owner.thread);
  }

  /** Compare one key range's rows: the fresh fold's (`expected`) with the index's. */
  rows(
    table: string,
    expected: ReadonlyArray<Row>,
    indexed: ReadonlyArray<Row>,
    owner: (key: ReadonlyArray<KeyPart>) => Owner,
  ): void {
    const byKey = new Map(expected.map((r) => [keyText(r.key), r]));
    for (const r of indexed) {
      const k = keyText(r.key);
      const e = byKey.get(k);
      if (e === undefined) this.add({ table, key: r.key, kind: 'extra', indexed: r.value }, owner(r.key));
      else {
        byKey.delete(k);
        if (!sameValue(e.value, r.value))
          this.add({ table, key: r.key, kind: 'different', indexed: r.value, expected: e.value }, owner(r.key));
      }
    }
    for (const e of byKey.values()) this.add({ table, key: e.key, kind: 'missing', expected: e.value }, owner(e.key));
  }
}

/** A key as a map key (parts are strings and numbers; the type is part of it). */
const keyText = (key: ReadonlyArray<KeyPart>): string =>
  key.map((p) => (typeof p === 'number' ? `#${p}` : `$${p}`)).join('\u0000');

/**
 * Are two row values the same as JSON would write them (a property holding undefined is absent;
 * property order does not matter)? Without building the two texts: verify compares every row.
 */
export const sameValue = (a: unknown, b: unknown): boolean => {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  // Bytes (search signatures): a fresh fold's Uint8Array and LMDB's Buffer are equal by content.
  if (a instanceof Uint8Array || b instanceof Uint8Array)
    return a instanceof Uint8Array && b instanceof Uint8Array && Buffer.compare(a, b) === 0;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!sameValue(a[i] ?? null, b[i] ?? null)) return false;
    return true;
  }
  if (Array.isArray(b)) return false;
  const x = a as Record<string, unknown>;
  const y = b as Record<string, unknown>;
  let n = 0;
  for (const k in x) {
    if (x[k] === undefined) continue;
    n += 1;
    if (!sameValue(x[k], y[k])) return false;
  }
  for (const k in y) if (y[k] !== undefined) n -= 1;
  return n === 0;
};

interface Row {
  readonly key: ReadonlyArray<KeyPart>;
  readonly value: unknown;
}

/** Probe files as they are now, without checkpoints (a fresh look); files whose first line is still being written are left out, as a catch-up does. */
const probeFresh = async (files: ReadonlyArray<RolloutFile>): Promise<Probe[]> => {
  const probed = await mapLimit(files, PROBE_CONCURRENCY, async (f) => {
    try {
      return await probeFile(f, undefined);
    } catch (err) {
      if (errnoCode(err) === 'ENOENT') return 'incomplete' as const;
      throw err;
    }
  });
  return probed.filter((p): p is Probe => p !== 'incomplete');
};

/** Groups of files folded together: at most GROUP_FILES files or GROUP_BYTES bytes (a larger file alone). */
const groupsOf = (actions: ReadonlyArray<PlannedFile>): PlannedFile[][] => {
  const out: PlannedFile[][] = [];
  let group: PlannedFile[] = [];
  let bytes = 0;
  for (const a of actions) {
    if (group.length > 0 && (group.length >= GROUP_FILES || bytes + a.probe.size > GROUP_BYTES)) {
      out.push(group);
      group = [];
      bytes = 0;
    }
    group.push(a);
    bytes += a.probe.size;
  }
  if (group.length > 0) out.push(group);
  return out;
};

/** The distinct first key parts (rollout ids) of a table, one short range scan each. Inside `verifyIndex`'s use case (its reads `take`). */
const rolloutIdsIn = async (store: IndexStore, table: TableName): Promise<string[]> => {
  const ids: string[] = [];
  for (let from: KeyPart[] | undefined; ;) {
    const r = await take(store.range(table, [], from === undefined ? { limit: 1 } : { from, limit: 1 }));
    const key = r[0]?.key;
    if (key === undefined) return ids;
    const id = String(key[0]);
    ids.push(id);
    from = [id, KEY_MAX];
  }
};

interface Compared {
  readonly report: VerifyReport;
  readonly affected: Affected;
}

/**
 * The comparison, and what differs by owner. Inside `verifyIndex`'s use case (its reads `take`).
 * long: one comparison of the files with the rows, owner by owner
 */
const compareHome = async (store: IndexStore, home: string, options: VerifyOptions): Promise<Compared> => {
  const discovered = await take(discoverRolloutFiles(home));
  const rowHome = await take(readThreadRowHome(home));
  let tornLogs: string[];
  try {
    tornLogs = await homeLogsEndingMidLine(home);
  } catch (err) {
    return stop(toEngineError(home, 'read home logs')(err));
  }
  let probes: Probe[];
  try {
    probes = await probeFresh(discovered);
  } catch (err) {
    return stop(toEngineError(home, 'probe')(err));
  }
  const plan = planCatchUp(probes, new Map(), undefined);
  const d = new Differences(options);
  const paths = new Set(probes.map((p) => p.file.path));
  // Every rollout a file gives rows to: the index's rows of any other are extra.
  const owners = new Set(
    plan.actions.flatMap((a) => (a.action.kind === 'index' && a.probe.identity.ok ? [a.probe.identity.rolloutId] : [])),
  );
  const kept: { rollouts: RolloutRow[]; checkpoints: FileCheckpoint[] } = { rollouts: [], checkpoints: [] };
  let rows = 0;
  let compared = 0;
  for (const group of groupsOf(plan.actions)) {
    const fresh = memoryIndexStore();
    await take(
      indexFiles(fresh, group, { batchLines: options.batchLines, batchBytes: options.batchBytes }, emptySummary()),
    );
    // The in-memory store's own reader: key-prefix lookups (its `range` sorts every row it holds).
    const reader = fresh.reader!;
    const freshRows = (table: TableName, prefix: ReadonlyArray<KeyPart>): Row[] =>
      reader.keys(table, prefix).map((key) => ({ key, value: reader.get(table, key as never) }));
    for (const { probe, action } of group) {
      const path = probe.file.path;
      const cp = reader.get('files', [path]);
      const stored = await take(store.get('files', [path]));
      d.rows(
        'files',
        cp === undefined ? [] : [{ key: [path], value: cp }],
        stored === undefined ? [] : [{ key: [path], value: stored }],
        () => ({ path }),
      );
      if (cp !== undefined) {
        kept.checkpoints.push(cp);
        rows += 1;
      }
      if (action.kind !== 'index' || !probe.identity.ok) continue;
      const rid = probe.identity.rolloutId;
      for (const table of FOLDED_ROLLOUT_TABLES) {
        const expected = freshRows(table, [rid]);
        const indexed = await take(store.range(table, [rid]));
        d.rows(table, expected, indexed, () => ({ rollout: rid }));
        rows += expected.length;
      }
      const row = reader.get('rollouts', [rid]);
      if (row !== undefined) kept.rollouts.push(row);
      if (++compared % REMAP_EVERY === 0 && store.remap) await take(store.remap());
    }
  }

  // Rows of files and rollouts no file gives.
  const checkpoints = await take(store.range('files', []));
  for (const c of checkpoints) if (!paths.has(c.key[0])) d.rows('files', [], [c], () => ({ path: c.key[0] }));
  // Each thread's files, as the checkpoints name them (the path is the key's last part).
  const threadFiles = kept.checkpoints.flatMap((c) =>
    c.threadId === null ? [] : [{ key: [c.threadId, c.path], value: 0 }],
  );
  d.rows('threadFiles', threadFiles, await take(store.range('threadFiles', [])), (key) => ({
    path: String(key[1]),
  }));
  rows += threadFiles.length;
  for (const table of ROLLOUT_TABLES) {
    const ids = await rolloutIdsIn(store, table);
    for (const rid of ids) {
      if (owners.has(rid)) continue;
      const indexed = await take(store.range(table, [rid]));
      d.rows(table, [], indexed, () => ({ rollout: rid }));
    }
  }

  // Which rollouts continue which file, from every file's rollout row.
  const forks = kept.rollouts.flatMap((r) =>
    r.base === null ? [] : [{ key: [idKeyText(r.base.rolloutId), r.rolloutId], value: 0 }],
  );
  const indexedForks = await take(store.range('rolloutForks', []));
  d.rows('rolloutForks', forks, indexedForks, (key) => ({ rollout: String(key[1]) }));
  rows += forks.length;

  // Thread rows, from every file's rollout row (as a catch-up derives them).
  const mem = memoryIndex();
  mem.apply(kept.rollouts.map((r): IndexWrite => ({ op: 'put', table: 'rollouts', key: [r.rolloutId], value: r })));
  // What the thread-state log says of threads is part of their rows; its own table is checked against the log when the home opens.
  const states = await take(store.range('threadState', []));
  mem.apply(states.map((r): IndexWrite => ({ op: 'put', table: 'threadState', key: r.key, value: r.value })));
  // Without Codex's state DB, the rows its backfill will write, from the files as they are now.
  const facts = withoutStateDb(home) ? { ...rowHome, codexRows: backfilledRowsOf(home, kept.checkpoints) } : rowHome;
  const derived = refreshThreadRows(mem, indexedFilesOf(kept.checkpoints), facts);
  // Thread rows, their list order keys and their links below their parents (the thread id is the key's last part).
  for (const table of ['threads', 'threadOrder', 'threadChildren'] as const) {
    const expected = derived.flatMap((w) =>
      w.op === 'put' && w.table === table ? [{ key: w.key, value: w.value }] : [],
    );
    const indexed = await take(store.range(table, []));
    d.rows(table, expected, indexed, (key) => ({ thread: String(key[key.length - 1]) }));
    rows += expected.length;
  }
  return {
    report: {
      rows,
      differences: d.count,
      byTable: d.byTable,
      diffs: d.kept,
      files: plan.actions.length,
      quarantined: quarantinedOf(kept.rollouts),
      repeatedOrdinals: repeatedOrdinalsOf(kept.rollouts),
      tornLogs,
    },
    affected: d.affected,
  };
};

/**
 * Compare the index with a fresh fold of the files. The index is not changed. `findings` (for
 * repair) name what differs; undefined when the index was written while it was compared.
 */
export const verifyIndex = (
  store: IndexStore,
  home: string,
  options: VerifyOptions = {},
): TE.TaskEither<EngineError, VerifyReport & { readonly findings: VerifyFindings | undefined }> =>
  useCase(async () => {
    const before = await take(indexStateOf(store));
    const r = await compareHome(store, home, options);
    const after = await take(indexStateOf(store));
    const { rollouts, paths, threads } = r.affected;
    const findings: VerifyFindings | undefined =
      before === after
        ? {
            version: 1,
            home,
            indexState: after,
            verifiedAt: new Date().toISOString(),
            rollouts: [...rollouts].sort(),
            paths: [...paths].sort(),
            threads: [...threads].sort(),
          }
        : undefined;
    return { ...r.report, findings };
  });
