import { createHash, randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../domain/errors.js';
import type { IndexStore } from '../domain/ports.js';
import type { FileCheckpoint } from '../domain/index/rows.js';
import { TOKEN_ROLLOUT_TABLES } from '../domain/index/rows.js';
import { clearThreadRowsDue, markThreadRowsDue, threadRowsDueKey, threadRowsDueMarks } from '../projections/threadRowsDue.js';
import { thisProcess } from '../adapters/system/processIdentity.js';
import { ownerGone } from './interruptedCatchUp.js';
import { readThreadRowHome, refreshThreads, touchedThreads } from './threadRowRefresh.js';
import type { ThreadRowHome } from '../projections/threadRows.js';
import { discoverRolloutFiles } from '../adapters/jsonl/discover.js';
import { errnoCode, toEngineError } from '../adapters/fs/fsError.js';
import { probeFile, statOnlyProbe, tailHashOf } from '../adapters/jsonl/probe.js';
import type { RolloutFile } from '../adapters/jsonl/discover.js';
import type { Probe } from '../adapters/jsonl/probe.js';
import { planCatchUp } from './plan.js';
import type { CatchUpPlan } from './plan.js';
import type { TailReader } from '../adapters/jsonl/tailReader.js';
import type { CatchUpOptions, Progress } from './catchUpOptions.js';
import { subsetOf, takesLeanTokenPass } from './catchUpOptions.js';
import type { ProjectionSubset } from '../projections/all.js';
import { emptySummary } from './catchUpSummary.js';
import type { CatchUpSummary } from './catchUpSummary.js';
import { crashPoint } from '../adapters/system/crashPoint.js';

export type { CatchUpOptions, Progress } from './catchUpOptions.js';
export type { CatchUpSummary } from './catchUpSummary.js';

/**
 * Catch an index up with the rollout files of a CODEX_HOME (the IO half of the runner): probe
 * every file against its checkpoint (adapters/jsonl/probe.ts), plan what to do (plan.ts), then read only what
 * is new and commit the projections' writes with the checkpoints, many files per transaction
 * (indexFiles.ts: adapters/jsonl/tailLines.ts, commit.ts), in worker threads for large catch-ups (workerPool.ts).
 * A new file is indexed, a longer one caught up from its checkpoint, a shorter / replaced /
 * rewritten one re-indexed, a deleted one's rows go away, and two files claiming one rollout id
 * resolve to one winner, reported as duplicates. Thread rows are recomputed at the end.
 */

/** Files probed at once: probing is open + stat + one read, latency-bound. */
export const PROBE_CONCURRENCY = 16;

/** Probes run between two turns of the event loop. */
const PROBES_BETWEEN_YIELDS = 32;

/** Stat-only probes (one lstat each, ~10 µs) run between two turns of the event loop. */
const STATS_BETWEEN_YIELDS = 512;

/** Map with bounded concurrency, results in input order. */
export const mapLimit = async <A, B>(xs: ReadonlyArray<A>, limit: number, f: (a: A) => Promise<B>): Promise<B[]> => {
  const out = new Array<B>(xs.length);
  let next = 0;
  const worker = async () => {
    while (next < xs.length) {
      const i = next++;
      out[i] = await f(xs[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, xs.length) }, worker));
  return out;
};

/** Catch the whole index up with the files of `home`. */
export const catchUpHome =
  (store: IndexStore, home: string, options: CatchUpOptions = {}): TE.TaskEither<EngineError, CatchUpSummary> =>
  async () => {
    const t0 = process.hrtime.bigint();
    const summary = emptySummary();
    // The folders are listed on the thread pool while the checkpoints are read here.
    const discovering = options.files ? Promise.resolve(E.right(options.files)) : discoverRolloutFiles(home)();
    const only = options.files ? new Set(options.files.map((f) => f.path)) : undefined;
    // Given files: only their checkpoints matter (one lookup each), not the whole table.
    const stored = only
      ? await TE.sequenceArray([...only].map((path) => TE.map((v: FileCheckpoint | undefined) => (v === undefined ? [] : [{ value: v }]))(store.get('files', [path]))))()
      : await TE.map((rows: ReadonlyArray<{ value: FileCheckpoint }>) => [rows])(store.range('files', []))();
    if (E.isLeft(stored)) return stored;
    const subset = subsetOf(options);
    // The token projection's own checkpoints: where it alone continues from, or what a full catch-up checks and passes.
    const tokenRows = only
      ? await TE.sequenceArray(
          [...only].map((path) => TE.map((v: FileCheckpoint | undefined) => (v === undefined ? [] : [{ value: v }]))(store.get('tokenFiles', [path]))),
        )()
      : await TE.map((rows: ReadonlyArray<{ value: FileCheckpoint }>) => [rows])(store.range('tokenFiles', []))();
    if (E.isLeft(tokenRows)) return tokenRows;
    const discovered = await discovering;
    if (E.isLeft(discovered)) return discovered;
    const tokenCps = new Map(tokenRows.right.flat().map((r) => [r.value.path, r.value]));
    const cps = new Map(stored.right.flat().map((r) => [r.value.path, r.value]));
    if (subset.name === 'tokens') for (const [path, cp] of tokenCps) cps.set(path, cp);
    // A catch-up that will read much starts its reader thread as soon as the probes have found
    // that much to read, so it boots while the rest are probed (whether it is used is decided once
    // the plan knows the bytes to read).
    const readerFrom = options.readerThreadFromBytes ?? READER_THREAD_FROM_BYTES;
    const openReader = options.tailReader;
    // The token projection alone reads in place (indexTokenFiles.ts) where the store can take its writes as built.
    const mayUseReader = openReader !== undefined && (options.workers?.count ?? 1) < 2 && !takesLeanTokenPass(store, options);
    let toRead = 0;
    let early: TailReader | undefined;
    try {
      let probes: Probe[];
      try {
        // Known files one lstat shows untouched are settled here in one synchronous pass (an
        // unchanged home is then a stat a file, no promise per file); the rest get the full probe.
        const settled: Probe[] = [];
        const toProbe: RolloutFile[] = [];
        for (let i = 0; i < discovered.right.length; i++) {
          const f = discovered.right[i]!;
          const cp = cps.get(f.path);
          const still = cp === undefined ? undefined : statOnlyProbe(f, cp);
          if (still === undefined) toProbe.push(f);
          else {
            settled.push(still);
            toRead += still.size - cp!.byteOffset;
          }
          if (i % STATS_BETWEEN_YIELDS === STATS_BETWEEN_YIELDS - 1) {
            await new Promise<void>((resolve) => setImmediate(resolve));
            await options.between?.();
          }
        }
        let started = 0;
        const probed = await mapLimit(toProbe, PROBE_CONCURRENCY, async (f) => {
          // Probes are synchronous calls: a backfill running behind a server lets its requests in between.
          if (++started % PROBES_BETWEEN_YIELDS === 0) {
            await new Promise<void>((resolve) => setImmediate(resolve));
            await options.between?.();
          }
          try {
            const p = await probeFile(f, cps.get(f.path));
            if (p !== 'incomplete') toRead += p.size - (p.cp !== undefined && !p.changed ? p.cp.byteOffset : 0);
            if (mayUseReader && early === undefined && toRead >= readerFrom) early = openReader();
            return p;
          } catch (err) {
            if (errnoCode(err) === 'ENOENT') return 'incomplete' as const; // deleted while we looked: handled as gone
            throw err;
          }
        });
        probes = settled;
        for (const p of probed) if (p !== 'incomplete') probes.push(p);
        // In discovery's order, as before the split (the plan's order of actions and reports).
        if (settled.length > 0 && toProbe.length > 0) {
          const order = new Map(discovered.right.map((f, i) => [f.path, i]));
          probes.sort((a, b) => order.get(a.file.path)! - order.get(b.file.path)!);
        }
        // A full catch-up keeps the token rows caught up alone only while their checkpoint still describes the file.
        if (subset.name === 'all' && tokenCps.size > 0) probes = probes.map((p) => (tokenCheckpointHolds(p, tokenCps.get(p.file.path)) ? p : { ...p, changed: true }));
      } catch (err) {
        return E.left(toEngineError(home, 'probe')(err));
      }
      summary.files = probes.length;
      let plan = planCatchUp(probes, cps, only);
      // Given files, one of them gone or holding a rollout the index has at another path (moved to
      // or from archived_sessions, copied): which file is the rollout's now is the whole home's
      // question (a watch reports the two paths of a move in either order), so the home is caught up.
      if (only !== undefined) {
        const moved = plan.gone.length > 0 ? E.right(true) : await holdsMovedRollout(store, plan);
        if (E.isLeft(moved)) return moved;
        if (moved.right) {
          const { files: _given, ...wholeHome } = options;
          return await catchUpHome(store, home, wholeHome)();
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
        );
      summary.duplicates = plan.duplicates;
      summary.mismatched = plan.mismatched;
      const told = (stage: Progress['stage'], filesDone: number) =>
        options.onProgress?.({ stage, filesDone, filesTotal: plan.actions.length, bytesDone: summary.bytes, bytesTotal: plan.bytesToRead });
      told('planned', 0);

      if (subset.name === 'tokens') {
        // The token projection alone: its rows and checkpoints, no thread rows (a report reads none).
        const forgotten = await forget(store, plan, subset, tokenCps, strayTokens);
        if (E.isLeft(forgotten)) return forgotten;
        summary.deleted = plan.gone.length;
        const indexed = await indexPlanned(store, plan, options, summary, readerFrom, early);
        if (E.isLeft(indexed)) return indexed;
        summary.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
        told('done', plan.actions.length);
        return E.right(summary);
      }
      // Thread rows are behind their files from the first row commit to the thread-row commit: marked meanwhile (threadRowsDue.ts).
      const due = await markDue(store, plan);
      if (E.isLeft(due)) return due;
      if (due.right.own !== undefined)
        options.onPlanned?.(new Set([...plan.actions.filter((a) => a.action.kind !== 'unchanged').map((a) => a.probe.file.path), ...plan.gone.map((g) => g.path)]));

      const forgotten = await forget(store, plan, subset, tokenCps, strayTokens);
      if (E.isLeft(forgotten)) return forgotten;
      summary.deleted = plan.gone.length;

      const indexed = await indexPlanned(store, plan, options, summary, readerFrom, early);
      if (E.isLeft(indexed)) return indexed;
      // Rows of changed files committed, their thread rows not: what the mark above is for.
      if (due.right.own !== undefined) crashPoint('catchUp.filesCommitted');

      // Codex's names and configured provider only matter to thread rows: a token catch-up (above)
      // never reads session_index.jsonl or config.toml.
      const rowHome = await readThreadRowHome(home);
      if (E.isLeft(rowHome)) return rowHome;
      const touched = options.files ? await touchedThreads(store, probes) : E.right(undefined);
      if (E.isLeft(touched)) return touched;
      const full = due.right.interrupted.length > 0 || touched.right === undefined;
      // A thread row derives from its files' rows, the names, the provider and the thread-state log
      // (whose fold writes the rows itself): with no file changed and those as at the last full refresh,
      // every row is as it is (a serve's first thread/list on 5,600 threads spent 8 s redoing them).
      const digest = rowHomeDigest(rowHome.right);
      // No mark of its own: every file was unchanged and none went.
      const noFileChanged = full && options.threadRows !== 'all' && due.right.own === undefined && due.right.interrupted.length === 0;
      const known = noFileChanged ? await store.get('meta', NAMES_DIGEST_KEY)() : undefined;
      if (!(known !== undefined && E.isRight(known) && known.right === digest)) {
        // An interrupted catch-up's mark: every thread row is redone.
        const rows = await refreshThreads(
          store,
          rowHome.right,
          full ? undefined : touched.right,
          options.files?.map((f) => f.path),
        );
        if (E.isLeft(rows)) return rows;
        if (full) {
          const noted = await store.commit(() => [{ op: 'put', table: 'meta', key: [...NAMES_DIGEST_KEY], value: digest }])();
          if (E.isLeft(noted)) return noted;
        }
      }
      const cleared = await clearDue(store, due.right);
      if (E.isLeft(cleared)) return cleared;
      summary.seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      told('done', plan.actions.length);
      return E.right(summary);
    } finally {
      await early?.close();
    }
  };

/** Does the plan index a file new to the index whose rollout the index already has at another path? */
const holdsMovedRollout = async (store: IndexStore, plan: CatchUpPlan): Promise<E.Either<EngineError, boolean>> => {
  for (const { probe, action } of plan.actions) {
    if (action.kind !== 'index' || action.from !== undefined || !probe.identity.ok) continue;
    const row = await store.get('rollouts', [probe.identity.rolloutId])();
    if (E.isLeft(row)) return row;
    if (row.right !== undefined && row.right.path !== probe.file.path) return E.right(true);
  }
  return E.right(false);
};

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
    if (t.rolloutId !== null && (kind === undefined || kind === 'duplicate' || kind === 'unreadable')) out.add(t.rolloutId);
  }
  return out;
};

/**
 * Does the token projection's own checkpoint (caught up alone, past the file's) still describe the
 * file as probed: the same head, not shorter, the same bytes before it? (One read of at most 4 KiB.)
 */
const tokenCheckpointHolds = (p: Probe, t: FileCheckpoint | undefined): boolean => {
  if (t === undefined) return true;
  if (!p.identity.ok || p.headLen !== t.headLen || p.headHash !== t.headHash || p.size < t.byteOffset) return false;
  try {
    return tailHashOf(p.file.path, t.byteOffset).tailHash === t.tailHash;
  } catch {
    return false;
  }
};

/** Where the digest of the home facts (names, provider) the last full thread-row refresh used is kept. */
const NAMES_DIGEST_KEY = ['threadNamesDigest'] as const;

/** A digest of session_index.jsonl's names (thread id → name, order-free) and the configured provider. */
const rowHomeDigest = (home: ThreadRowHome): string => {
  const h = createHash('sha256');
  h.update(`provider\u0000${home.defaultModelProvider}\u0000`);
  for (const [id, name] of [...home.names].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) h.update(`${id}\u0000${name}\u0000`);
  return h.digest('hex');
};

const PARALLEL_FROM_BYTES = 32 << 20;
/**
 * From how many bytes to read a catch-up reads on a reader thread. Measured on 2 cores with
 * bench-shaped data: at 100 MB it was 10% slower than reading here (its start-up, and its own
 * compiler warm-up), at 300 MB even, at 1 GB 15-20% faster.
 */
const READER_THREAD_FROM_BYTES = 512 << 20;

/**
 * Index the plan's files: in worker threads when asked and worth it, else here (reading on a
 * reader thread when there is much to read and it is not turned off).
 */
const indexPlanned = async (
  store: IndexStore,
  plan: CatchUpPlan,
  options: CatchUpOptions,
  summary: CatchUpSummary,
  readerFrom: number,
  started: TailReader | undefined,
): Promise<E.Either<EngineError, void>> => {
  const progress = (filesDone: number) =>
    options.onProgress?.({ stage: 'reading', filesDone, filesTotal: plan.actions.length, bytesDone: summary.bytes, bytesTotal: plan.bytesToRead });
  // A warm catch-up (every file unchanged, as indexFiles would count them) loads no folding code:
  // indexFiles and the projections it runs are loaded for a file to read or to record.
  if (options.signal?.aborted !== true && plan.actions.every((a) => a.action.kind === 'unchanged')) {
    summary.unchanged += plan.actions.length;
    progress(plan.actions.length);
    return E.right(undefined);
  }
  const [{ indexFiles }, { indexFilesInWorkers }] = await Promise.all([import('./indexFiles.js'), import('./workerPool.js')]);
  const reading = plan.actions.filter((a) => a.action.kind === 'index');
  if (takesLeanTokenPass(store, options)) return (await import('./indexTokenFiles.js')).indexTokenFiles(store, plan.actions, options, summary, progress);
  const workers = options.workers;
  if (workers === undefined || workers.count < 2 || reading.length < 2 || plan.bytesToRead < (workers.fromBytes ?? PARALLEL_FROM_BYTES)) {
    if (options.tailReader === undefined || plan.bytesToRead < readerFrom) {
      return indexFiles(store, plan.actions, options, summary, progress);
    }
    const reader = started ?? options.tailReader();
    summary.readerThread = true;
    try {
      return await indexFiles(store, plan.actions, options, summary, progress, reader);
    } finally {
      await reader.close();
    }
  }
  // Files that only record a checkpoint (or nothing) are done here; the others in the workers.
  const local = await indexFiles(
    store,
    plan.actions.filter((a) => a.action.kind !== 'index'),
    options,
    summary,
  );
  if (E.isLeft(local)) return local;
  const offset = plan.actions.length - reading.length;
  return indexFilesInWorkers(workers.indexPath, workers.count, reading, options, summary, (n) => progress(offset + n));
};

interface DueMarks {
  /** This catch-up's own mark, if it changes rows. */
  readonly own: readonly [string] | undefined;
  /** Marks of catch-ups whose process is gone. */
  readonly interrupted: ReadonlyArray<readonly [string]>;
}

const markDue = async (store: IndexStore, plan: CatchUpPlan): Promise<E.Either<EngineError, DueMarks>> => {
  const meta = await store.range('meta', [])();
  if (E.isLeft(meta)) return meta;
  const interrupted = threadRowsDueMarks(meta.right)
    .filter((m) => ownerGone(m.owner))
    .map((m) => m.key);
  // Unchanged files change no row (a rename changes thread rows only, each derived whole): no mark, no write.
  if (plan.actions.every((a) => a.action.kind === 'unchanged') && plan.gone.length === 0 && plan.orphaned.length === 0) return E.right({ own: undefined, interrupted });
  const id = randomUUID();
  const r = await store.commit(() => [markThreadRowsDue(id, thisProcess())])();
  return E.isLeft(r) ? r : E.right({ own: threadRowsDueKey(id), interrupted });
};

const clearDue = async (store: IndexStore, due: DueMarks): Promise<E.Either<EngineError, void>> => {
  const keys = due.own === undefined ? due.interrupted : [due.own, ...due.interrupted];
  if (keys.length === 0) return E.right(undefined);
  const r = await store.commit(() => keys.map(clearThreadRowsDue))();
  return E.isLeft(r) ? r : E.right(undefined);
};

/**
 * Files that are gone lose their checkpoints; rollouts left without a file lose their rows. One
 * transaction. The token projection alone clears only its own rows and checkpoints (the file's
 * `files` checkpoint and other rows are the next full catch-up's to forget).
 */
const forget = async (
  store: IndexStore,
  plan: CatchUpPlan,
  subset: ProjectionSubset,
  tokenCps: ReadonlyMap<string, FileCheckpoint>,
  strayTokens: ReadonlySet<string> = new Set(),
): Promise<E.Either<EngineError, void>> => {
  if (plan.gone.length === 0 && plan.orphaned.length === 0 && strayTokens.size === 0) return E.right(undefined);
  const [{ Batch }, { clearRollout }] = await Promise.all([import('../projections/batch.js'), import('../projections/runner.js')]);
  const r = await store.commit((reader) => {
    const b = new Batch(reader);
    for (const rid of strayTokens) clearRollout(b, rid, TOKEN_ROLLOUT_TABLES);
    for (const t of tokenCps.values())
      if (t.rolloutId !== null && strayTokens.has(t.rolloutId) && !plan.actions.some((a) => a.probe.file.path === t.path)) b.del('tokenFiles', [t.path]);
    for (const g of plan.gone) {
      for (const o of g.owned) clearRollout(b, o, subset.tables);
      if (subset.name === 'all') b.del('files', [g.path]);
      if (tokenCps.has(g.path)) b.del('tokenFiles', [g.path]);
    }
    for (const rid of plan.orphaned) clearRollout(b, rid, subset.tables);
    return b.writes();
  })();
  return E.isLeft(r) ? r : E.right(undefined);
};
