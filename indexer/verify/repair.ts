import * as fs from 'node:fs/promises';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { stop, take, useCase } from '../../domain/effect.js';
import type { IndexStore } from '../../domain/ports.js';
import type { FileCheckpoint, IndexWrite, KeyOf, RowOf } from '../../domain/index/rows.js';
import { Batch } from '../../projections/batch.js';
import { clearRollout } from '../../projections/runner.js';
import { writeThreadRow } from '../../projections/threadRows.js';
import { discoverRolloutFiles } from '../../adapters/driven/jsonl/home/discover.js';
import type { RolloutFile } from '../../adapters/driven/jsonl/home/discover.js';
import { errnoCode, toEngineError } from '../../adapters/driven/fs/fsError.js';
import { catchUpHome } from '../catchUp/catchUp.js';
import { PROBE_CONCURRENCY, mapLimit } from '../catchUp/probeHome.js';
import type { CatchUpOptions, CatchUpSummary } from '../catchUp/catchUp.js';
import { probeFile } from '../../adapters/driven/jsonl/readers/probe.js';
import type { Probe } from '../../adapters/driven/jsonl/readers/probe.js';
import { planCatchUp } from '../catchUp/plan.js';
import { indexStateOf } from './verifyFindings.js';
import type { VerifyFindings } from './verifyFindings.js';
import { writeCheckpoint } from '../../projections/fileCheckpoints.js';

/**
 * Repair: re-index what differs, no slower than a rebuild. Checking a file against a fresh fold
 * costs more than indexing it again, so repair does not verify: it re-indexes what the last verify
 * found (its findings, valid while the index is as it was verified: verifyFindings.ts) and the
 * files whose checkpoints say they are not indexed as they are now (an interrupted index, files
 * written since), in place when they are a small share of the home's bytes. When they are most of
 * it, or there are no findings to go by, the index is rebuilt into a fresh environment (the caller
 * rebuilds and swaps it in), which is the cheapest way to an index equal to a fresh fold.
 */

/** How a repair goes: re-index what differs in place, or rebuild the index into a fresh environment. */
export type RepairStrategy = 'files' | 'rebuild';

/**
 * From which share of the home's bytes to be read again a rebuild is faster than re-indexing in
 * place (which clears the old rows first and writes into a full environment).
 */
export const REBUILD_FROM_SHARE = 0.5;

/** Re-index in place when few bytes must be read again, rebuild when most must. Pure. */
export const chooseRepair = (p: { readonly reindexBytes: number; readonly totalBytes: number }): RepairStrategy =>
  p.totalBytes > 0 && p.reindexBytes >= p.totalBytes * REBUILD_FROM_SHARE ? 'rebuild' : 'files';

export interface RepairReport {
  readonly strategy: RepairStrategy;
  /** Why this strategy, in words. */
  readonly reason: string;
  /** The home's rollout files and bytes (null: not looked at, a rebuild reads them all). */
  readonly files: number | null;
  readonly bytes: number | null;
  /** Files to read again: found different by the last verify, or not indexed as they are now. */
  readonly reindexFiles: number | null;
  readonly reindexBytes: number | null;
  /** Strategy `files`: rollouts whose rows were cleared and indexed again, and the catch-up that did it. */
  readonly rollouts: ReadonlyArray<string>;
  readonly catchUp: CatchUpSummary | null;
  readonly seconds: number;
}

const shareText = (c: ShareCounts): string =>
  `${c.reindexFiles} of ${c.files} files (${Math.round((c.reindexBytes / Math.max(1, c.bytes)) * 100)}% of the bytes) differ or are not indexed as they are now`;

type RepairCounts = Pick<RepairReport, 'files' | 'bytes' | 'reindexFiles' | 'reindexBytes'>;
type ShareCounts = { files: number; bytes: number; reindexFiles: number; reindexBytes: number };

const UNKNOWN_COUNTS: RepairCounts = { files: null, bytes: null, reindexFiles: null, reindexBytes: null };

/** The sizes of the discovered files, a stat each (0 for a file gone since). */
const fileSizes = (home: string, discovered: ReadonlyArray<RolloutFile>): Promise<number[]> =>
  mapLimit(discovered, PROBE_CONCURRENCY, (f) =>
    fs.stat(f.path).then(
      (st) => st.size,
      (err: unknown) => (errnoCode(err) === 'ENOENT' ? 0 : Promise.reject(err)),
    ),
  ).catch((err: unknown) => stop(toEngineError(home, 'stat')(err)));

/** Every discovered file probed against its checkpoint; a file gone since is left out. */
const probeDiscovered = async (
  home: string,
  discovered: ReadonlyArray<RolloutFile>,
  cps: ReadonlyMap<string, FileCheckpoint>,
): Promise<Probe[]> => {
  try {
    const probed = await mapLimit(discovered, PROBE_CONCURRENCY, async (f) => {
      try {
        return await probeFile(f, cps.get(f.path));
      } catch (err) {
        if (errnoCode(err) === 'ENOENT') return 'incomplete' as const;
        throw err;
      }
    });
    return probed.filter((p): p is Probe => p !== 'incomplete');
  } catch (err) {
    return stop(toEngineError(home, 'probe')(err));
  }
};

/**
 * The paths to read again: those found, those a catch-up would index or has lost, and every file of
 * a rollout to clear; `rollouts` gains the rollouts of the files a catch-up would index.
 */
const pathsToReread = (
  found: ReadonlySet<string>,
  rollouts: Set<string>,
  probes: ReadonlyArray<Probe>,
  stored: ReadonlyArray<{ readonly key: KeyOf<'files'>; readonly value: RowOf<'files'> }>,
  cps: ReadonlyMap<string, FileCheckpoint>,
): Set<string> => {
  const plan = planCatchUp(probes, cps, undefined);
  const paths = new Set(found);
  for (const a of plan.actions) {
    if (a.action.kind !== 'index') continue;
    paths.add(a.probe.file.path);
    if (a.probe.identity.ok) rollouts.add(a.probe.identity.rolloutId);
    if (a.probe.cp?.rolloutId) rollouts.add(a.probe.cp.rolloutId);
  }
  for (const g of plan.gone) paths.add(g.path);
  for (const c of stored) if (c.value.rolloutId !== null && rollouts.has(c.value.rolloutId)) paths.add(c.key[0]);
  for (const p of probes) if (p.identity.ok && rollouts.has(p.identity.rolloutId)) paths.add(p.file.path);
  return paths;
};

/** The rows of the rollouts, the checkpoints of the paths and the found threads' rows and order keys, cleared. */
const clearForReindex = (
  store: IndexStore,
  findings: VerifyFindings,
  rollouts: ReadonlySet<string>,
  paths: ReadonlySet<string>,
): TE.TaskEither<EngineError, number> =>
  store.commit((reader): IndexWrite[] => {
    const b = new Batch(reader);
    for (const r of rollouts) clearRollout(b, r);
    for (const p of paths) writeCheckpoint(b, 'files', p, undefined);
    for (const t of findings.threads) writeThreadRow(b, t, undefined);
    // An order key or a link no row of its thread gives (the row's own went with it just above),
    // and a file's link its checkpoint does not give.
    const threads = new Set(findings.threads);
    for (const k of reader.keys('threadOrder', []))
      if (threads.has(k[3] as string)) b.del('threadOrder', k as KeyOf<'threadOrder'>);
    for (const k of reader.keys('threadChildren', []))
      if (threads.has(k[1] as string)) b.del('threadChildren', k as KeyOf<'threadChildren'>);
    for (const k of reader.keys('threadFiles', []))
      if (paths.has(k[1] as string)) b.del('threadFiles', k as KeyOf<'threadFiles'>);
    return b.writes();
  });

/**
 * Repair the index of `home` with the last verify's `findings`: without them (or when the index
 * has been written since) a rebuild is asked for, nothing is read; with them, the files they name
 * and the stale ones (probed against their checkpoints) are re-indexed in place when
 * `chooseRepair` says so: their rows and checkpoints are cleared and a catch-up indexes them again
 * from their first byte and recomputes thread rows. For `rebuild` nothing is changed here.
 */
export const repairIndex = (
  store: IndexStore,
  home: string,
  findings: VerifyFindings | undefined,
  options: CatchUpOptions = {},
): TE.TaskEither<EngineError, RepairReport> =>
  useCase(async () => {
    const t0 = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - t0) / 1e9;
    const rebuild = (reason: string, counts: RepairCounts): RepairReport => ({
      strategy: 'rebuild',
      reason,
      ...counts,
      rollouts: [],
      catchUp: null,
      seconds: seconds(),
    });
    if (findings === undefined)
      return rebuild('no verify findings: run verify first to repair only what differs', UNKNOWN_COUNTS);
    const state = await take(indexStateOf(store));
    if (findings.home !== home || findings.indexState !== state)
      return rebuild('the index was written since the last verify: its findings no longer hold', UNKNOWN_COUNTS);

    const discovered = await take(discoverRolloutFiles(home));
    const stored = await take(store.range('files', []));
    const cps = new Map(stored.map((r) => [r.value.path, r.value]));
    // When what verify found is already most of the home, a rebuild: decided from the files' sizes
    // (a stat each), before probing every file (which the rebuild does again).
    const found = new Set(findings.paths);
    const rollouts = new Set(findings.rollouts);
    for (const c of stored) if (c.value.rolloutId !== null && rollouts.has(c.value.rolloutId)) found.add(c.key[0]);
    const sizes = await fileSizes(home, discovered);
    const foundCounts: ShareCounts = {
      files: discovered.length,
      bytes: sizes.reduce((n, b) => n + b, 0),
      reindexFiles: discovered.filter((f) => found.has(f.path)).length,
      reindexBytes: discovered.reduce((n, f, i) => n + (found.has(f.path) ? sizes[i]! : 0), 0),
    };
    if (chooseRepair({ reindexBytes: foundCounts.reindexBytes, totalBytes: foundCounts.bytes }) === 'rebuild')
      return rebuild(shareText(foundCounts), foundCounts);
    const probes = await probeDiscovered(home, discovered, cps);
    const paths = pathsToReread(found, rollouts, probes, stored, cps);
    const reread = probes.filter((p) => paths.has(p.file.path));
    const counts: ShareCounts = {
      files: probes.length,
      bytes: probes.reduce((n, p) => n + p.size, 0),
      reindexFiles: reread.length,
      reindexBytes: reread.reduce((n, p) => n + p.size, 0),
    };
    const share = shareText(counts);
    if (chooseRepair({ reindexBytes: counts.reindexBytes, totalBytes: counts.bytes }) === 'rebuild')
      return rebuild(share, counts);

    await take(clearForReindex(store, findings, rollouts, paths));
    // Every thread row is redone: a damaged row or order key is no file change.
    const caught = await take(catchUpHome(store, home, { ...options, threadRows: 'all' }));
    const repaired: RepairReport = {
      strategy: 'files',
      reason: share,
      ...counts,
      rollouts: [...rollouts].sort(),
      catchUp: caught,
      seconds: seconds(),
    };
    return repaired;
  });
