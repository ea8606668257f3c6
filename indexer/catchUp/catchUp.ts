import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { stop, take, useCase } from '../../domain/effect.js';
import type { IndexStore } from '../../domain/ports.js';
import type { FileCheckpoint } from '../../domain/index/rows.js';
import { listRolloutHome, rolloutFilesAt } from '../../adapters/driven/jsonl/home/discover.js';
import { recordHomeStats } from './homeStatsRecord.js';
import { isInsideHome } from '../../adapters/driven/fs/insideHome.js';
import { toEngineError } from '../../adapters/driven/fs/fsError.js';
import type { Probe } from '../../adapters/driven/jsonl/readers/probe.js';
import type { RolloutFile, RolloutHomeListing } from '../../adapters/driven/jsonl/home/discover.js';
import { planCatchUp } from './plan.js';
import { claimedBy, settleUnchanged } from './settleUnchanged.js';
import type { SettledBy } from './settleUnchanged.js';
import type { CatchUpPlan } from './plan.js';
import { dayFolderOf } from '../../adapters/driven/jsonl/home/rolloutFileName.js';
import type { CatchUpOptions } from './catchUpOptions.js';
import { subsetOf, takesLeanTokenPass, tellingStopped } from './catchUpOptions.js';
import { emptySummary } from './catchUpSummary.js';
import type { CatchUpSummary } from './catchUpSummary.js';
import { markDue, refreshCaughtUpRows } from './catchUpThreadRows.js';
import type { DueMarks } from './catchUpThreadRows.js';
import type { ChangedFiles } from './threadRowRefresh.js';
import { carrying } from './carriedWrites.js';
import type { EarlyReader } from './probeHome.js';
import { probeHome, tokenCheckpointHolds } from './probeHome.js';
import { crashPoint } from '../../adapters/driven/system/crashPoint.js';
import { READER_THREAD_FROM_BYTES, forget, indexPlanned } from './applyPlan.js';

export type { CatchUpOptions, Progress } from './catchUpOptions.js';
export type { CatchUpSummary } from './catchUpSummary.js';

/**
 * Catch an index up with the rollout files of a CODEX_HOME (the IO half of the runner): settle the
 * files a stat shows as their checkpoint left them (settleUnchanged.ts, a whole home), probe the
 * others against their checkpoints (adapters/driven/jsonl/readers/probe.ts), plan what to do (plan.ts), then read only what
 * is new and commit the projections' writes with the checkpoints, many files per transaction
 * (indexFiles.ts: adapters/driven/jsonl/readers/tailLines.ts, commit.ts), in worker threads for large catch-ups (workerPool.ts).
 * A new file is indexed, a longer one caught up from its checkpoint, a shorter / replaced /
 * rewritten one re-indexed, a deleted one's rows go away, and two files claiming one rollout id
 * resolve to one winner, reported as duplicates. Thread rows are recomputed at the end.
 */

/** What catching the files up leaves for the catch-up's end: the thread rows and the home's stats to record. */
type FilesCaughtUp =
  /** Given files that left a rollout's file in question: caught up again with these, every file that can hold it (`widened`). */
  | { readonly kind: 'widen'; readonly paths: ReadonlyArray<string> }
  | {
      readonly kind: 'caughtUp';
      readonly filesTotal: number;
      readonly bytesTotal: number;
      /** Thread rows to redo (none for the token projection alone). */
      readonly threadRows:
        | {
            readonly due: DueMarks;
            readonly committed: boolean;
            /** Given files, not every change: their probes, and of those gone the threads and rollouts (a whole home's rows: `changed`). */
            readonly given: ChangedFiles | undefined;
            /**
             * A whole home's catch-up (or of given files that are every change) that left no rollout
             * without its file, not told to redo every row, with no interrupted one's mark: what it
             * changed (its thread rows are then those files' threads', and those the facts moved).
             */
            readonly changed: ChangedFiles | undefined;
            /** A whole home's listing, for the stats it records. */
            readonly listing: Pick<RolloutHomeListing, 'folders' | 'absent'> | undefined;
          }
        | undefined;
    };

/**
 * Catch the whole index up with the files of `home` (catchUpFiles), then redo the thread rows and
 * record the home's stats; the plan of every file is gone by then (a large home's thread rows
 * need the memory). Its progress ends `done`, or `stopped` when it fails (`tellingStopped`).
 */
export const catchUpHome = (
  store: IndexStore,
  home: string,
  options: CatchUpOptions = {},
): TE.TaskEither<EngineError, CatchUpSummary> =>
  tellingStopped(options, (options) =>
    useCase(async () => {
      const t0 = process.hrtime.bigint();
      const summary = emptySummary();
      const caught = await take(catchUpFiles(store, home, options, summary));
      if (caught.kind === 'widen') {
        const files = await take(TE.fromEither(rolloutFilesAt(home, caught.paths)));
        return await take(catchUpHome(store, home, { ...options, files, everyChange: true }));
      }
      const rows = caught.threadRows;
      if (rows !== undefined) {
        // Thread rows, and the marks cleared with the last of them.
        await take(refreshCaughtUpRows(store, home, rows.given, options, rows.due, rows.committed, rows.changed));
        if (rows.listing !== undefined && options.signal?.aborted !== true)
          await take(recordHomeStats(store, rows.listing, rows.due.own !== undefined));
      }
      summary.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      options.onProgress?.({
        stage: 'done',
        filesDone: caught.filesTotal,
        filesTotal: caught.filesTotal,
        bytesDone: summary.bytes,
        bytesTotal: caught.bytesTotal,
      });
      return summary;
    }),
  );

/**
 * The files of a catch-up: listed (or given), the unchanged settled, the rest probed and planned,
 * the gone forgotten and the planned read and committed, counted into `summary`.
 * long: one plan read top-down (list, settle, probe, plan, forget, fold); its steps share the plan's state
 */
const catchUpFiles = (
  store: IndexStore,
  home: string,
  options: CatchUpOptions,
  summary: CatchUpSummary,
): TE.TaskEither<EngineError, FilesCaughtUp> =>
  useCase(async (): Promise<FilesCaughtUp> => {
    // The folders are listed on the thread pool while the checkpoints are read here.
    // A whole-home catch-up also notes each folder's times, for the home's stats it records at its end (homeAsIndexed.ts).
    // Given files are read as a listing's are: no folder below the home followed as a link.
    const given = options.files?.map((f) =>
      f.root === undefined && isInsideHome(home, f.path) ? { ...f, root: home } : f,
    );
    const discovering = given
      ? Promise.resolve(E.right({ files: given, folders: [], absent: [] }))
      : listRolloutHome(home, true)();
    const only = options.files ? new Set(options.files.map((f) => f.path)) : undefined;
    // A whole home read through a synchronous view settles its unchanged files one by one (settleUnchanged.ts):
    // no checkpoint of those is held.
    const view = only === undefined ? store.reader : undefined;
    const stored = view === undefined ? await take(checkpointRows(store, 'files', only)) : [];
    const subset = subsetOf(options);
    // The token projection's own checkpoints: where it alone continues from, or what a full catch-up
    // checks and passes. Its own catch-up of a whole home reads them as it settles (settleUnchanged.ts).
    const tokensSettled = view !== undefined && subset.name === 'tokens';
    const tokenRows = tokensSettled ? [] : await take(checkpointRows(store, 'tokenFiles', only));
    const discovered = await take(discovering);
    if (given === undefined) options.onHomeListed?.(discovered);
    // Told before the probes, which a whole home holds until its plan: the CLI bounds its heap from here.
    const listed = discovered.files.length;
    options.onProgress?.({ stage: 'probing', filesDone: 0, filesTotal: listed, bytesDone: 0, bytesTotal: 0 });
    const tokenCpsRead = new Map(tokenRows.map((cp) => [cp.path, cp]));
    const by: SettledBy = tokensSettled ? { subset: 'tokens' } : { subset: 'all', tokenCps: tokenCpsRead };
    const settling =
      view === undefined
        ? undefined
        : // A remap's failure surfaces on the next read.
          { view, ...(await settleUnchanged(view, discovered.files, by, options, () => void store.remap?.())) };
    const tokenCps = settling?.tokenCps ?? tokenCpsRead;
    const cps = settling?.cps ?? new Map(stored.map((cp) => [cp.path, cp]));
    const files = settling === undefined ? discovered.files : settling.rest.map((i) => discovered.files[i]!);
    if (subset.name === 'tokens' && !tokensSettled) for (const [path, cp] of tokenCps) cps.set(path, cp);
    // A catch-up that will read much starts its reader thread as soon as the probes have found
    // that much to read, so it boots while the rest are probed (whether it is used is decided once
    // the plan knows the bytes to read).
    const readerFrom = options.readerThreadFromBytes ?? READER_THREAD_FROM_BYTES;
    // The token projection alone reads in place (indexTokenFiles.ts) where the store can take its writes as built.
    const mayUseReader = (options.workers?.count ?? 1) < 2 && !takesLeanTokenPass(store, options);
    const reader: EarlyReader = { open: mayUseReader ? options.tailReader : undefined, fromBytes: readerFrom };
    try {
      let probes: Probe[];
      try {
        probes = await probeHome(files, cps, options, reader);
        // Settled files whose rollout id a probed one claims: probed too, for the plan to elect the winner.
        const claimed = settling === undefined ? [] : claimedBy(settling.view, discovered.files, probes, settling);
        if (settling !== undefined && claimed.length > 0)
          probes = inListingOrder(
            discovered.files,
            [...settling.rest, ...claimed],
            [
              ...probes,
              ...(await probeHome(
                claimed.map((i) => discovered.files[i]!),
                cps,
                options,
                reader,
              )),
            ],
          );
        // A full catch-up keeps the token rows caught up alone only while their checkpoint still describes the file.
        if (subset.name === 'all' && tokenCps.size > 0)
          probes = probes.map((p) =>
            tokenCheckpointHolds(p, tokenCps.get(p.file.path)) ? p : { ...p, changed: true },
          );
      } catch (err) {
        return stop(toEngineError(home, 'probe')(err));
      }
      const settledCount = settling?.byRollout.size ?? 0;
      summary.files = probes.length + settledCount;
      summary.unchanged += settledCount;
      let plan = planCatchUp(probes, cps, only, settledCount);
      // Given files, one of them gone, holding a rollout the index has at another path (moved to or
      // from archived_sessions, copied) or leaving a rollout with no file among them (replaced): which
      // file is the rollout's now is settled among every file that can hold it (a watch reports the
      // two paths of a move in either order; a copy's other file is unchanged, not given), so they
      // are caught up again with those (`widened`), told they are every change (`everyChange`),
      // until no file is left to add.
      if (only !== undefined) {
        const moved = await take(movedRollouts(store, plan));
        if (plan.gone.length > 0 || moved.length > 0 || plan.orphaned.length > 0) {
          const paths = await take(widened(store, home, only, plan, moved, cps));
          if (options.everyChange !== true || paths.some((p) => !only.has(p))) return { kind: 'widen', paths };
        }
      }
      // A full catch-up and token rows caught up alone through a file that is gone, or that is no
      // longer its rollout's winner: those rows go (forget), and the winner is indexed whole again.
      const strayTokens = subset.name === 'all' ? strayTokenRollouts(plan, tokenCps) : new Set<string>();
      if (strayTokens.size > 0)
        plan = planCatchUp(
          probes.map((p) => (p.identity.ok && strayTokens.has(p.identity.rolloutId) ? { ...p, changed: true } : p)),
          cps,
          only,
          settledCount,
        );
      summary.duplicates = plan.duplicates;
      summary.mismatched = plan.mismatched;
      const filesTotal = plan.settled + plan.actions.length;
      options.onProgress?.({
        stage: 'planned',
        filesDone: plan.settled,
        filesTotal,
        bytesDone: summary.bytes,
        bytesTotal: plan.bytesToRead,
      });

      if (subset.name === 'tokens') {
        // The token projection alone: its rows and checkpoints, no thread rows (a report reads none).
        await take(forget(store, plan, subset, tokenCps, strayTokens));
        summary.deleted = plan.gone.length;
        await take(indexPlanned(carrying(store, []), plan, options, summary, readerFrom, reader.started));
        return { kind: 'caughtUp', filesTotal, bytesTotal: plan.bytesToRead, threadRows: undefined };
      }
      // Thread rows are behind their files from the first row commit to the thread-row commit: marked meanwhile (threadRowsDue.ts).
      const due = await take(markDue(store, plan));
      if (due.own !== undefined)
        options.onPlanned?.(
          new Set([
            ...plan.actions.filter((a) => a.action.kind !== 'unchanged').map((a) => a.probe.file.path),
            ...plan.gone.map((g) => g.path),
          ]),
        );

      // The mark goes in with the first rows this catch-up commits (carriedWrites.ts).
      const rows = carrying(store, due.marking);
      await take(forget(rows.store, plan, subset, tokenCps, strayTokens));
      summary.deleted = plan.gone.length;

      await take(indexPlanned(rows, plan, options, summary, readerFrom, reader.started));
      // Rows of changed files committed, their thread rows not: what the mark above is for.
      if (due.own !== undefined) crashPoint('catchUp.filesCommitted');

      const changedProbes = plan.actions.filter((a) => a.action.kind !== 'unchanged').map((a) => a.probe);
      return {
        kind: 'caughtUp',
        filesTotal,
        bytesTotal: plan.bytesToRead,
        threadRows: {
          due,
          committed: rows.committed(),
          // Every change given (`everyChange`: a move, a delete): its thread rows as a whole home's, the
          // facts beside the files followed too (a home without Codex's DB dates a thread as Codex's
          // backfill does, over every file: a file moved can move another thread's time by 1 ms).
          given: only === undefined || options.everyChange === true ? undefined : changedBy(plan, probes),
          changed:
            (only === undefined || options.everyChange === true) &&
            plan.orphaned.length === 0 &&
            options.threadRows !== 'all' &&
            due.interrupted.length === 0
              ? changedBy(plan, changedProbes)
              : undefined,
          listing: only === undefined ? { folders: discovered.folders, absent: discovered.absent } : undefined,
        },
      };
    } finally {
      await reader.started?.close();
    }
  });

/** What a plan changed, for its thread rows: each of `probes` as its path and ids, and of the files gone the threads they named and the rollouts whose rows went. */
const changedBy = (plan: CatchUpPlan, probes: ReadonlyArray<Probe>): ChangedFiles => ({
  files: probes.map((p) =>
    p.identity.ok
      ? { path: p.file.path, threadId: p.identity.threadId, rolloutId: p.identity.rolloutId }
      : { path: p.file.path },
  ),
  goneThreads: plan.gone.flatMap((g) => (g.threadId === null ? [] : [g.threadId])),
  goneRollouts: plan.gone.flatMap((g) => g.owned),
});

/** Probes of the listed files at `indices` (`probes` holds them, in any order), in the listing's order. */
const inListingOrder = (
  listed: ReadonlyArray<RolloutFile>,
  indices: ReadonlyArray<number>,
  probes: ReadonlyArray<Probe>,
): Probe[] => {
  const at = new Map(indices.map((i) => [listed[i]!.path, i]));
  return [...probes].sort((a, b) => at.get(a.file.path)! - at.get(b.file.path)!);
};

/**
 * The checkpoints of `table`: of the given files only (one lookup each, not the whole table), else all of them.
 * The lookups run together; the first failed one in the files' order is the answer.
 */
const checkpointRows = (
  store: IndexStore,
  table: 'files' | 'tokenFiles',
  only: ReadonlySet<string> | undefined,
): TE.TaskEither<EngineError, FileCheckpoint[]> =>
  useCase(async () => {
    if (only === undefined) return (await take(store.range(table, []))).map((r) => r.value);
    const answers = await Promise.all([...only].map((path) => store.get(table, [path])()));
    const out: FileCheckpoint[] = [];
    for (const answer of answers) {
      const cp = await take(answer);
      if (cp !== undefined) out.push(cp);
    }
    return out;
  });

/** The files the plan indexes anew whose rollout the index has at another path (`at`), with the thread it names. */
const movedRollouts = (
  store: IndexStore,
  plan: CatchUpPlan,
): TE.TaskEither<
  EngineError,
  ReadonlyArray<{ readonly path: string; readonly at: string; readonly threadId: string }>
> =>
  useCase(async () => {
    const out: Array<{ path: string; at: string; threadId: string }> = [];
    for (const { probe, action } of plan.actions) {
      if (action.kind !== 'index' || action.from !== undefined || !probe.identity.ok) continue;
      const row = await take(store.get('rollouts', [probe.identity.rolloutId]));
      if (row !== undefined && row.path !== probe.file.path)
        out.push({ path: probe.file.path, at: row.path, threadId: probe.identity.threadId });
    }
    return out;
  });

/**
 * Given files with every file that can hold the rollouts whose file they leave in question (one
 * gone, one holding a rollout the index has at another path, one whose rollout lost its file among
 * them): every file the index links to their threads (`threadFiles`: a duplicate, a revision, the
 * file the index has; the files of one rollout name one thread, homeStats.ts records no other
 * duplicate), the index's path of a moved one, and for each gone or moved file where Codex's
 * archive and unarchive move a file of its name (`archived_sessions/`, the day folder its name
 * gives: one rename, so the other end is there now whichever the watch reported first). A path
 * with no file and no checkpoint is no change.
 */
const widened = (
  store: IndexStore,
  home: string,
  only: ReadonlySet<string>,
  plan: CatchUpPlan,
  moved: ReadonlyArray<{ readonly path: string; readonly at: string; readonly threadId: string }>,
  cps: ReadonlyMap<string, FileCheckpoint>,
): TE.TaskEither<EngineError, string[]> =>
  useCase(async () => {
    const out = new Set(only);
    const threads = new Set<string>();
    const named = [...plan.gone.map((g) => g.path), ...moved.flatMap((m) => [m.path, m.at])];
    for (const g of plan.gone) if (g.threadId !== null) threads.add(g.threadId);
    for (const m of moved) {
      threads.add(m.threadId);
      out.add(m.at);
    }
    const orphaned = new Set(plan.orphaned);
    for (const cp of cps.values())
      if (cp.rolloutId !== null && cp.threadId !== null && orphaned.has(cp.rolloutId)) threads.add(cp.threadId);
    for (const id of threads) for (const { key } of await take(store.range('threadFiles', [id]))) out.add(key[1]);
    for (const path of named) {
      const name = nodePath.basename(path);
      out.add(nodePath.join(home, 'archived_sessions', name));
      const day = dayFolderOf(home, path);
      if (day !== undefined) out.add(nodePath.join(day, name));
    }
    return [...out];
  });

/**
 * Rollouts whose token rows were caught up alone through a file a full catch-up will not fold
 * them from: gone, or not its rollout's winner now (a duplicate, an unreadable file).
 */
const strayTokenRollouts = (plan: CatchUpPlan, tokenCps: ReadonlyMap<string, FileCheckpoint>): Set<string> => {
  const out = new Set<string>();
  if (tokenCps.size === 0) return out;
  const actions = new Map(plan.actions.map((a) => [a.probe.file.path, a.action.kind]));
  for (const t of tokenCps.values()) {
    const kind = actions.get(t.path);
    if (t.rolloutId !== null && (kind === undefined || kind === 'duplicate' || kind === 'unreadable'))
      out.add(t.rolloutId);
  }
  return out;
};
