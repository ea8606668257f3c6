import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { IndexStore } from '../../domain/ports.js';
import type { KeyOf, RowOf } from '../../domain/index/rows.js';
import { bucketInRange, buildTokenReport } from '../../domain/tokens/report.js';
import type { TokenDimension, TokenReport, TokenReportOptions, UsageBucket } from '../../domain/tokens/report.js';
import type { StoredResponse } from '../../domain/tokens/selectResponses.js';
import { SLOT_MS } from '../../domain/tokens/usageBuckets.js';
import { bucketSums, reportFromSums, tokenSumsOf } from '../../domain/tokens/reportSums.js';
import type { HomeTokenSums } from '../../domain/tokens/reportSums.js';
import { storedResponses } from '../internal/indexScans.js';
import { take, useCase } from '../../domain/effect.js';
import { sourceKindsOf } from '../internal/sourceKinds.js';
import { detachedString } from '../../domain/index/detachedString.js';

/**
 * Rollouts read between two unmaps (`releasePages`), as rows and as record ids: a rollout's rows
 * and ids lie among each other's pages, and the kernel maps the pages around each one read, so a
 * large home's reads would map much of the index. An unmap (the environment reopened) has a cost
 * of its own, so ids, a few pages a file, are read four times as many between two.
 */
const ROLLOUTS_BETWEEN_UNMAPS = 64;
const ID_ROLLOUTS_BETWEEN_UNMAPS = 4 * ROLLOUTS_BETWEEN_UNMAPS;

/** Groupings by the local calendar: a bucket whose ends fall in two local days is read as rows for them. */
const BY_LOCAL_DAY: ReadonlySet<TokenDimension> = new Set(['dayLocal', 'week', 'month']);

export interface TokenAuditOptions extends Omit<TokenReportOptions, 'clientOf'> {
  /**
   * Unmap the pages each whole-table read mapped before the next table's (`remap`: the
   * environment and each of its tables reopened, and their garbage): for a one-shot
   * process, whose peak RSS is what its user sees. A server keeps its map (its reports would pay
   * the reopening every time).
   */
  readonly releasePages?: boolean;
}

/** The client a thread was used from: Codex's originator (codex_cli_rs, codex_vscode, …), else the kind of its source. */
const clientOf = (originator: string, apiSource: unknown): string | null =>
  originator !== '' ? originator : (sourceKindsOf(apiSource)[0] ?? null);

/** The index's loose responses (`tokenLoose`): copies another file may hold. */
type LooseRows = ReadonlyArray<{ readonly key: KeyOf<'tokenLoose'>; readonly value: RowOf<'tokenLoose'> }>;

/** What the token states say of the home's files: each file's thread, each thread's client, the threads a file repeats a record id in. */
interface TokenStates {
  readonly clients: Map<string, string | null>;
  readonly threadOf: Map<string, string>;
  /** Threads whose responses may be held twice: read as rows, whole. */
  readonly wholeThreads: Set<string>;
}

/**
 * The token states, read in one pass and none kept (they are a large part of the report's heap):
 * each file's thread, its thread's client, and the threads a file repeats a record id in.
 */
const readTokenStates = async (store: IndexStore): Promise<TokenStates> => {
  const clients = new Map<string, string | null>();
  const threadOf = new Map<string, string>();
  const wholeThreads = new Set<string>();
  // Each client's name once, detached from the row it was read from (detachedString.ts).
  const clientNames = new Map<string, string>();
  const clientNamed = (c: string | null): string | null => {
    if (c === null) return null;
    let named = clientNames.get(c);
    if (named === undefined) clientNames.set(c, (named = detachedString(c)));
    return named;
  };
  await take(
    store.scan('tokenState', [], ({ key: [rid], value: s }) => {
      // The key's id where it is the thread's (a file not a revision): the value's is cut from the row's text.
      const t = s.tokens.threadId === rid ? rid : detachedString(s.tokens.threadId);
      // A thread's client is its own file's session_meta's (a revision copies its base's: the thread row's), else its first file's.
      if (rid === t || !clients.has(t)) clients.set(t, clientNamed(clientOf(s.originator, s.source)));
      threadOf.set(rid, t);
      if (s.repeatedRecords) wholeThreads.add(t);
    }),
  );
  return { clients, threadOf, wholeThreads };
};

/**
 * Threads of several files (revisions) two of whose files hold one record id, added to
 * `wholeThreads`: read from the ids, a few bytes each (its response rows are scattered over the
 * largest table, whose pages a read maps in).
 */
const markRecordsHeldTwice = async (store: IndexStore, states: TokenStates, unmap: () => void): Promise<void> => {
  const { threadOf, wholeThreads } = states;
  const filesOf = new Map<string, string[]>();
  for (const [rid, t] of threadOf) {
    const rids = filesOf.get(t);
    if (rids === undefined) filesOf.set(t, [rid]);
    else rids.push(rid);
  }
  let idsRead = 0;
  for (const [t, rids] of filesOf) {
    if (rids.length < 2 || wholeThreads.has(t)) continue;
    const held = new Set<string>();
    for (const rid of rids) {
      await take(
        store.scan('tokenRecordIds', [rid], ({ key: [, responseId] }) => {
          if (held.has(responseId)) wholeThreads.add(t);
          held.add(responseId);
        }),
      );
      if (++idsRead % ID_ROLLOUTS_BETWEEN_UNMAPS === 0) unmap();
    }
  }
  if (idsRead % ID_ROLLOUTS_BETWEEN_UNMAPS !== 0) unmap();
};

/** The threads loose responses name (their record's thread, the file a count copies), added to `wholeThreads`. */
const markLooseThreads = (loose: LooseRows, wholeThreads: Set<string>): void => {
  for (const l of loose) {
    const r = l.value;
    if (r.source === 'record' && r.threadId !== r.fileThreadId) wholeThreads.add(r.threadId);
    if (r.source === 'count' && r.copyOf !== null) wholeThreads.add(r.copyOf);
  }
};

/**
 * Whether a bucket's ends fall in two local days, for a report by the local calendar; whether a
 * slot's first and last instants do (a zone not offset by quarter hours) is asked once a slot.
 */
const localDaySplitOf = (
  options: Omit<TokenAuditOptions, 'releasePages'>,
): ((v: { readonly minMs: number; readonly maxMs: number }) => boolean) => {
  const byLocalDay = (options.dimensions ?? [...BY_LOCAL_DAY]).some((d) => BY_LOCAL_DAY.has(d));
  const crossesDay = new Map<number, boolean>();
  const day = (ms: number) => options.localDay(new Date(ms).toISOString());
  return (v) => {
    if (!byLocalDay || v.minMs < 0) return false;
    const slot = v.minMs - (v.minMs % SLOT_MS);
    let crosses = crossesDay.get(slot);
    if (crosses === undefined) {
      crosses = day(slot) !== day(slot + SLOT_MS - 1);
      crossesDay.set(slot, crosses);
    }
    return crosses && day(v.minMs) !== day(v.maxMs);
  };
};

/**
 * The buckets of the files not read as rows (`asRows`), each given to `add` as it is read: a
 * bucket the range cuts, or whose ends fall in two local days, adds its file to `asRows` instead.
 * The table is keyed by file first, so a file's buckets are held only until its last is read (a
 * bucket read before one that sends its file to `asRows` is then dropped with it).
 */
const readBuckets = async (
  store: IndexStore,
  threadOf: ReadonlyMap<string, string>,
  asRows: Set<string>,
  options: Omit<TokenAuditOptions, 'releasePages'>,
  add: (b: UsageBucket) => void,
): Promise<void> => {
  const splitByDay = localDaySplitOf(options);
  let file: { rid: string; buckets: UsageBucket[] } | undefined;
  const settle = (): void => {
    if (file !== undefined && !asRows.has(file.rid)) for (const b of file.buckets) add(b);
  };
  await take(
    store.scan('tokenBuckets', [], ({ key, value: v }) => {
      const [rid, , model, provider, cwd] = key;
      if (asRows.has(rid)) return;
      if (file?.rid !== rid) {
        settle();
        file = { rid, buckets: [] };
      }
      const timed = v.minMs >= 0;
      const b: UsageBucket = {
        threadId: threadOf.get(rid) ?? rid,
        firstMs: timed ? v.minMs : null,
        lastMs: timed ? v.maxMs : null,
        model: model === '' ? null : model,
        provider: provider === '' ? null : provider,
        cwd: cwd === '' ? null : cwd,
        usage: v,
        responses: v.responses,
      };
      if (bucketInRange(b, options) === 'cut' || splitByDay(v)) asRows.add(rid);
      else file.buckets.push(b);
    }),
  );
  settle();
};

/** The responses of the files read as rows, in file order, then the loose ones of the other files. */
const readResponseRows = async (
  store: IndexStore,
  asRows: ReadonlySet<string>,
  loose: LooseRows,
  unmap: () => void,
): Promise<StoredResponse[]> => {
  const rows: StoredResponse[] = [];
  let read = 0;
  for (const rid of [...asRows].sort()) {
    for (const r of await take(store.range('tokenAudit', [rid])))
      rows.push({ rolloutId: rid, line: r.key[1], response: r.value });
    if (++read % ROLLOUTS_BETWEEN_UNMAPS === 0) unmap();
  }
  for (const l of loose)
    if (!asRows.has(l.key[0])) rows.push({ rolloutId: l.key[0], line: l.key[1], response: l.value });
  return rows;
};

/**
 * What a token-usage report of a CODEX_HOME is built from, read from the index's token projection
 * alone (a thread's client from its file's session_meta, as its thread row has it), never by
 * re-reading rollout files: the caller catches the index up first. A report without turns reads the sums the projection keeps per file
 * (`tokenBuckets`) and only the responses they cannot stand for: the loose ones (copies another
 * file may hold), every response of the threads those copies name or that repeat a record id
 * (in one file, or in two of a thread's files: one response held twice), and of files with a bucket the
 * range or the time zone cuts. A report by turn reads every response.
 */
const readTokenInputs = (
  store: IndexStore,
  { releasePages, ...options }: TokenAuditOptions,
  /** Each bucket that stands for its file's responses, as it is read. */
  addBucket: (b: UsageBucket) => void,
): TE.TaskEither<EngineError, TokenInputs> =>
  useCase(async () => {
    // A read error of a remap surfaces on the next read.
    const unmap = (): void => void (releasePages === true ? store.remap?.() : undefined);
    // Each whole-table read is decoded, then its pages unmapped (`remap`) before the next table's:
    // the kernel maps the cached pages around every page read too, and the token tables'
    // pages lie among the response rows', so three tables at once held much of a large home's RSS.
    const states = await readTokenStates(store);
    const { clients, threadOf, wholeThreads } = states;
    unmap();
    if ((options.dimensions ?? ['turn']).includes('turn')) return { clients, rows: await take(storedResponses(store)) };
    const loose = await take(store.range('tokenLoose', []));
    await markRecordsHeldTwice(store, states, unmap);
    markLooseThreads(loose, wholeThreads);
    const asRows = new Set([...threadOf].filter(([, t]) => wholeThreads.has(t)).map(([rid]) => rid));
    await readBuckets(store, threadOf, asRows, options, addBucket);
    unmap();
    return { clients, rows: await readResponseRows(store, asRows, loose, unmap) };
  });

/** What a report is built from beside the buckets: the threads' clients, the responses read as rows. */
interface TokenInputs {
  readonly clients: ReadonlyMap<string, string | null>;
  readonly rows: ReadonlyArray<StoredResponse>;
}

/** The sums of every response of the index, whatever a report's range and zone (the inputs of a report without either). */
export const readTokenSums = (
  store: IndexStore,
  options: Pick<TokenAuditOptions, 'releasePages' | 'pricing'>,
): TE.TaskEither<EngineError, HomeTokenSums> =>
  useCase(async () => {
    // The buckets summed as they are read, none held: a large home's were much of the report's heap.
    const buckets = bucketSums();
    const { clients, rows } = await take(
      readTokenInputs(
        store,
        { ...options, localDay: (iso) => iso.slice(0, 10), dimensions: ['dayUtc'] },
        buckets.addBucket,
      ),
    );
    return { sums: tokenSumsOf(rows, buckets), clients };
  });

/** The client of each thread as the report reads it. */
export const clientOfThreads =
  (clients: ReadonlyMap<string, string | null>) =>
  (threadId: string): string | null =>
    clients.get(threadId) ?? null;

/**
 * Token-usage audit of a CODEX_HOME from its index (see `readTokenInputs`). A report without turns
 * is built from the home's sums (`reportFromSums`), a few thousand, when its range and zone cut
 * none; else, and by turn, from what `readTokenInputs` reads for it.
 */
export const auditTokenUsage = (
  store: IndexStore,
  options: TokenAuditOptions,
): TE.TaskEither<EngineError, TokenReport> =>
  useCase(async () => {
    if (!(options.dimensions ?? ['turn']).includes('turn')) {
      const { sums, clients } = await take(readTokenSums(store, options));
      const fromSums = reportFromSums(sums, { ...options, clientOf: clientOfThreads(clients) });
      if (fromSums !== undefined) return fromSums;
    }
    return await take(auditTokenUsageByRows(store, options));
  });

/** The report built from what `readTokenInputs` reads for it, never from the sums: what the sums must give (test/indexer/tokenWarmRecord.int.spec.ts). */
export const auditTokenUsageByRows = (
  store: IndexStore,
  options: TokenAuditOptions,
): TE.TaskEither<EngineError, TokenReport> =>
  useCase(async () => {
    const buckets: UsageBucket[] = [];
    const { clients, rows } = await take(readTokenInputs(store, options, (b) => void buckets.push(b)));
    return buildTokenReport(rows, { ...options, clientOf: clientOfThreads(clients) }, buckets);
  });
