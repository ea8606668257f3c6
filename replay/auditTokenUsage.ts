import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../domain/errors.js';
import type { IndexStore } from '../domain/ports.js';
import { toApiSource } from '../domain/thread/threadMeta.js';
import { bucketInRange, buildTokenReport } from '../domain/tokens/report.js';
import type { TokenDimension, TokenReport, TokenReportOptions, UsageBucket } from '../domain/tokens/report.js';
import type { StoredResponse } from '../domain/tokens/selectResponses.js';
import { SLOT_MS } from '../domain/tokens/usageBuckets.js';
import { storedResponses } from './internal/indexScans.js';
import { take, useCase } from './internal/useCase.js';
import { sourceKindsOf } from './internal/sourceKinds.js';

/**
 * Rollouts whose response rows are read between two unmaps (`releasePages`): their rows lie among
 * the record ids' pages, and the kernel maps the pages around each one read. On a real-shaped 1 GB
 * home, 264 rollouts read as rows had mapped 23 MB of the index; the record ids of the threads of
 * several files, 15 MB (an unmap after them too).
 */
const ROLLOUTS_BETWEEN_UNMAPS = 64;

/** Groupings by the local calendar: a bucket whose ends fall in two local days is read as rows for them. */
const BY_LOCAL_DAY: ReadonlySet<TokenDimension> = new Set(['dayLocal', 'week', 'month']);

export interface TokenAuditOptions extends Omit<TokenReportOptions, 'clientOf'> {
  /**
   * Unmap the pages each whole-table read mapped before the next table's (`remap`: the
   * environment and its ~40 tables reopened, 2–4 ms each and their garbage): for a one-shot
   * process, whose peak RSS is what its user sees. A server keeps its map (its reports would pay
   * the reopening every time).
   */
  readonly releasePages?: boolean;
}

/** The client a thread was used from: Codex's originator (codex_cli_rs, codex_vscode, …), else the kind of its source. */
const clientOf = (originator: string, apiSource: unknown): string | null => (originator !== '' ? originator : (sourceKindsOf(apiSource)[0] ?? null));

/**
 * Token-usage audit of a CODEX_HOME, answered from the index's token projection alone (a
 * thread's client from its file's session_meta, as its thread row has it), never by re-reading
 * rollout files: the caller catches the index up first. A report without turns reads the sums the projection keeps per file
 * (`tokenBuckets`) and only the responses they cannot stand for: the loose ones (copies another
 * file may hold), every response of the threads those copies name or that repeat a record id
 * (in one file, or in two of a thread's files: one response held twice), and of files with a bucket the
 * range or the time zone cuts. A report by turn reads every response.
 */
export const auditTokenUsage = (store: IndexStore, { releasePages, ...options }: TokenAuditOptions): TE.TaskEither<EngineError, TokenReport> =>
  useCase(async () => {
    // A read error of a remap surfaces on the next read.
    const unmap = (): void => void (releasePages === true ? store.remap?.() : undefined);
    // Each whole-table read is decoded, then its pages unmapped (`remap`) before the next table's:
    // the kernel maps the cached pages around every page read too, and the token tables'
    // pages lie among the response rows', so three tables at once were ~24 MB of a 1 GB home's RSS.
    const states = await take(store.range('tokenState', []));
    unmap();
    // A thread's client is its own file's session_meta's (a revision copies its base's: the thread row's), else its first file's.
    const clients = new Map<string, string | null>();
    for (const s of states) {
      const t = s.value.tokens.threadId;
      if (s.key[0] === t || !clients.has(t)) clients.set(t, clientOf(s.value.originator, toApiSource(s.value.source)));
    }
    const full = { ...options, clientOf: (threadId: string) => clients.get(threadId) ?? null };
    if ((options.dimensions ?? ['turn']).includes('turn')) return buildTokenReport(await take(storedResponses(store)), full);

    const threadOf = new Map(states.map((s) => [s.key[0], s.value.tokens.threadId]));
    const filesOf = new Map<string, string[]>();
    for (const [rid, t] of threadOf) {
      const rids = filesOf.get(t);
      if (rids === undefined) filesOf.set(t, [rid]);
      else rids.push(rid);
    }
    const loose = await take(store.range('tokenLoose', []));
    // Threads whose responses may be held twice: read as rows, whole. A thread of several files
    // (revisions) only when two of its files hold one record id (read from the ids, a few bytes
    // each: its response rows are scattered over the largest table, whose pages a read maps in).
    const wholeThreads = new Set<string>();
    for (const s of states) if (s.value.repeatedRecords) wholeThreads.add(s.value.tokens.threadId);
    let idsRead = false;
    for (const [t, rids] of filesOf) {
      if (rids.length < 2 || wholeThreads.has(t)) continue;
      idsRead = true;
      const held = new Set<string>();
      for (const rid of rids)
        for (const r of await take(store.range('tokenRecordIds', [rid]))) {
          if (held.has(r.key[1])) wholeThreads.add(t);
          held.add(r.key[1]);
        }
    }
    if (idsRead) unmap();
    for (const l of loose) {
      const r = l.value;
      if (r.source === 'record' && r.threadId !== r.fileThreadId) wholeThreads.add(r.threadId);
      if (r.source === 'count' && r.copyOf !== null) wholeThreads.add(r.copyOf);
    }
    const asRows = new Set([...threadOf].filter(([, t]) => wholeThreads.has(t)).map(([rid]) => rid));
    const bucketRows = await take(store.range('tokenBuckets', []));
    unmap();
    const buckets: Array<{ readonly rid: string; readonly b: UsageBucket }> = [];
    // Whether a slot's first and last instants fall in two local days (a zone not offset by quarter
    // hours): asked once a slot, and only of a report by the local calendar.
    const byLocalDay = (options.dimensions ?? [...BY_LOCAL_DAY]).some((d) => BY_LOCAL_DAY.has(d));
    const crossesDay = new Map<number, boolean>();
    const day = (ms: number) => options.localDay(new Date(ms).toISOString());
    const splitByDay = (v: { readonly minMs: number; readonly maxMs: number }): boolean => {
      if (!byLocalDay || v.minMs < 0) return false;
      const slot = v.minMs - (v.minMs % SLOT_MS);
      let crosses = crossesDay.get(slot);
      if (crosses === undefined) {
        crosses = day(slot) !== day(slot + SLOT_MS - 1);
        crossesDay.set(slot, crosses);
      }
      return crosses && day(v.minMs) !== day(v.maxMs);
    };
    for (const { key, value: v } of bucketRows) {
      const [rid, , model, provider, cwd] = key;
      if (asRows.has(rid)) continue;
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
      // A bucket the range cuts, or whose ends fall in two local days, is read as rows.
      if (bucketInRange(b, options) === 'cut' || splitByDay(v)) asRows.add(rid);
      else buckets.push({ rid, b });
    }
    const rows: StoredResponse[] = [];
    let read = 0;
    for (const rid of [...asRows].sort()) {
      for (const r of await take(store.range('tokenAudit', [rid]))) rows.push({ rolloutId: rid, line: r.key[1], response: r.value });
      if (++read % ROLLOUTS_BETWEEN_UNMAPS === 0) unmap();
    }
    for (const l of loose) if (!asRows.has(l.key[0])) rows.push({ rolloutId: l.key[0], line: l.key[1], response: l.value });
    return buildTokenReport(
      rows,
      full,
      buckets.filter((x) => !asRows.has(x.rid)).map((x) => x.b),
    );
  });
