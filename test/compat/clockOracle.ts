// The one place the compat suites compare clock readings. Codex answers a thread's times
// (`createdAt`, `updatedAt`, `recencyAt`, unix seconds) and the thread/list and thread/search
// cursors made of them from its state DB (`CODEX_HOME/state_5.sqlite`, table `threads`); ours come
// from the rollout lines by the rule docs/compatibility.md states. The oracle explains a difference
// exactly, or not at all:
//   1. Codex's value is its state DB's reading for the thread (the row read when comparing), or for
//      an answer of its file scan (`thread/list` without `useStateDbOnly` or `searchTerm`) its
//      `updatedAt` is the listed file's mtime (`AnsweredFrom`): the kernel stamps mtimes with a
//      coarse clock, a few ms behind the line's timestamp, so across a second boundary Codex
//      lists the second before ours; explained as the mtime rule below is;
//   2. ours is what the documented rule gives from the thread's current rollout file, or, for a
//      row Codex took from the file (a fork's, a backfilled one), the row's own (`ourReading`);
//   3. the two readings are one moment by two clocks: within STAMP_GAP_MS of each other; for
//      `updatedAt` and `recencyAt` the DB's stamp may also be that of an earlier line of the
//      thread's files (Codex stamps the row as it writes lines, and a line written after its last
//      stamp, e.g. a sub-agent's closing line, never reaches the row; a revision the engine writes
//      moves the row to the new file and keeps its stamps), and a row Codex took from a file it did not write (its
//      backfill: a copied, imported or mutated home, a DB rebuilt without the old one) holds the
//      file's mtime instead (`extract_metadata_from_rollout`): the one rule where Codex reads mtimes.
//   4. the time of the request: a start Codex's file scan and rollout reads cannot read (the first
//      session_meta's `timestamp` no RFC 3339 time) is answered as the moment it is asked, by both
//      servers (`RequestWindow`: Codex's and ours each within the step's asking).
// An explained value of ours is replaced by Codex's; anything else is left as it is, so the
// comparison that follows shows it.
import { openSqlite } from '../../adapters/driven/sqlite/sqliteDb.js';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * How far apart Codex's state-DB clock reading and the rollout line it stands for may be: they
 * are taken a few ms apart by two writers (measured on the compat homes: created_at 7–38 ms
 * before the session_meta line, updated_at 0–4 ms after the last line, recency_at 0–34 ms after
 * the last task_started, idle); a second bounds them under load.
 */
export const STAMP_GAP_MS = 1000;

/** Set to print why a reading was left unexplained (stderr). */
export const DEBUG_ENV = 'ROLLOUT_ENGINE_CLOCK_ORACLE_DEBUG';

type Field = 'createdAt' | 'updatedAt' | 'recencyAt';
const FIELDS: readonly Field[] = ['createdAt', 'updatedAt', 'recencyAt'];
const SORT_FIELDS: Readonly<Record<string, Field>> = {
  created_at: 'createdAt',
  updated_at: 'updatedAt',
  recency_at: 'recencyAt',
};

interface Readings {
  /** Milliseconds since the epoch, by field. */
  readonly ms: Readonly<Record<Field, number>>;
}

interface StateRow extends Readings {
  /** The seconds Codex answers, by field (the row's `created_at`, `updated_at`, `recency_at`). */
  readonly seconds: Readonly<Record<Field, number>>;
  readonly rolloutPath: string;
}

interface RuleReadings extends Readings {
  /** Every line's time, in file order (the moments Codex may have stamped). */
  readonly lineMs: readonly number[];
  readonly mtimeMs: number;
}

const second = (ms: number): number => Math.floor(ms / 1000);

/** When a step was asked of both servers: from before the first request to after the last answer (ms). */
export interface RequestWindow {
  readonly fromMs: number;
  readonly toMs: number;
}

/** RFC 3339 as chrono's `DateTime::parse_from_rfc3339` takes it (codex-rs thread-store `parse_rfc3339`). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

/**
 * Whether Codex's file scan and rollout reads cannot read the thread's start: its first
 * session_meta's `timestamp` is no RFC 3339 time (codex-rs rollout/src/list.rs
 * `record_session_meta_in_summary`; thread-store/src/local/helpers.rs `stored_thread_from_rollout_item`
 * then answers `Utc::now()`).
 */
export function startUnreadByCodex(rolloutPath: string): boolean {
  for (const l of readFileSync(rolloutPath, 'utf8').split('\n')) {
    let line: { type?: unknown; payload?: { timestamp?: unknown } };
    try {
      line = JSON.parse(l) as typeof line;
    } catch {
      continue;
    }
    if (line.type !== 'session_meta') continue;
    const ts = line.payload?.timestamp;
    return typeof ts !== 'string' || !RFC3339.test(ts) || Number.isNaN(Date.parse(ts.replace(' ', 'T')));
  }
  return false;
}

/**
 * Our documented rule (docs/compatibility.md) on one rollout file: `createdAt` its session_meta's
 * time (the payload's `timestamp`, else the line's), `updatedAt` its last line's, `recencyAt` its
 * last task_started's, else session_meta's.
 */
export function ruleReadings(rolloutPath: string): RuleReadings {
  const lines = readFileSync(rolloutPath, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .flatMap((l) => {
      // A line cut mid-write (a real user's file committed while Codex wrote it) is no reading.
      try {
        return [JSON.parse(l) as { timestamp?: string; payload?: { type?: string; timestamp?: string } }];
      } catch {
        return [];
      }
    });
  const lineMs = lines.map((l) => Date.parse(l.timestamp ?? ''));
  const metaMs = Date.parse(lines[0]?.payload?.timestamp ?? '');
  const createdMs = Number.isNaN(metaMs) ? lineMs[0]! : metaMs;
  const lastTask = lines.map((l, i) => (l.payload?.type === 'task_started' ? i : -1)).filter((i) => i >= 0);
  const recencyMs = lastTask.length > 0 ? lineMs[lastTask[lastTask.length - 1]!]! : createdMs;
  return {
    ms: { createdAt: createdMs, updatedAt: lineMs[lineMs.length - 1]!, recencyAt: recencyMs },
    lineMs,
    mtimeMs: statSync(rolloutPath).mtimeMs,
  };
}

/** How far Codex's allocation moves a time it took from a file's mtime (`allocate_thread_timestamp`). */
const ALLOCATION_SPAN_MS = 1000;

/**
 * Our reading of a field (docs/compatibility.md, the rule of `domain/thread/codexRowTimes.ts` said
 * again here): a row Codex took from the file (its two times one reading, or two within a second
 * past the file's mtime) answers that row's `updatedAt` and `recencyAt`; a row Codex ran, the
 * lines. A fork's row before its first turn is of the first kind: Codex stamps both times as it
 * writes the fork, after the lines it copies (1 ms after in the project CI of stop 91's head:
 * rich-legacy's phases-fork, ordered after its source by ours and before it by Codex).
 */
export function ourReading(row: StateRow | undefined, rule: RuleReadings, field: Field): number {
  if (row === undefined || field === 'createdAt') return rule.ms[field];
  const { updatedAt, recencyAt } = row.ms;
  const mtime = Math.floor(rule.mtimeMs);
  const nearMtime = (t: number): boolean => t >= mtime && t <= mtime + ALLOCATION_SPAN_MS;
  const taken =
    updatedAt === recencyAt ||
    (Math.abs(updatedAt - recencyAt) <= ALLOCATION_SPAN_MS && nearMtime(updatedAt) && nearMtime(recencyAt));
  return taken ? row.ms[field] : rule.ms[field];
}

/** Every thread row of the home's state DB, as it is now (none without the DB). */
function stateRows(codexHome: string): Map<string, StateRow> {
  const rows = new Map<string, StateRow>();
  const file = join(codexHome, 'state_5.sqlite');
  if (!existsSync(file)) return rows;
  const db = openSqlite(file, { readonly: true, timeoutMs: 5000 });
  try {
    const all = db
      .prepare(
        'SELECT id, rollout_path, created_at, updated_at, recency_at, created_at_ms, updated_at_ms, recency_at_ms FROM threads',
      )
      .all() as Array<{
      id: string;
      rollout_path: string;
      created_at: number;
      updated_at: number;
      recency_at: number;
      created_at_ms: number | null;
      updated_at_ms: number | null;
      recency_at_ms: number;
    }>;
    for (const r of all)
      rows.set(r.id, {
        rolloutPath: r.rollout_path,
        seconds: { createdAt: r.created_at, updatedAt: r.updated_at, recencyAt: r.recency_at },
        ms: {
          createdAt: r.created_at_ms ?? r.created_at * 1000,
          updatedAt: r.updated_at_ms ?? r.updated_at * 1000,
          recencyAt: r.recency_at_ms,
        },
      });
  } finally {
    db.close();
  }
  return rows;
}

/**
 * Where Codex answered a request's thread times from. `thread/list` without `useStateDbOnly` and
 * without `searchTerm` scans the files (docs/compatibility.md): its `updatedAt` is the listed
 * file's mtime, not its row's (measured on 0.169.0: a rollout touched to 2030 lists as updated in
 * 2030 beside a state DB row of its last line). A list of a thread's sub-agents
 * (`parentThreadId`, `ancestorThreadId`) is the state DB's too: the spawn edges live only there
 * (seen in clean-clone CI at 6a9a6e1: a sub-agent's `updatedAt` in both lists was 1 s after its
 * last line's and its file's second, its row stamped a few ms after the line; to check against
 * codex-rs's list code). Every other answer is the state DB's.
 */
export type AnsweredFrom = 'stateDb' | 'fileScan';

export const answeredFrom = (method: string, params: unknown): AnsweredFrom => {
  if (method !== 'thread/list') return 'stateDb';
  const p = (typeof params === 'object' && params !== null ? params : {}) as {
    useStateDbOnly?: unknown;
    searchTerm?: unknown;
    sortKey?: unknown;
    parentThreadId?: unknown;
    ancestorThreadId?: unknown;
    modelProviders?: unknown;
    sourceKinds?: unknown;
    cwd?: unknown;
  };
  const byEdges = typeof p.parentThreadId === 'string' || typeof p.ancestorThreadId === 'string';
  // A listing Codex filters by no metadata (every provider, no cwd, a source kind its storage
  // cannot filter) is answered with its state DB's rows (codex-rs/rollout/src/recorder.rs,
  // `list_threads_with_db_fallback`'s `listing_has_metadata_filters`; listParents.compat): their
  // `updatedAt` is the row's, not the listed file's mtime.
  const unfiltered =
    Array.isArray(p.modelProviders) &&
    p.modelProviders.length === 0 &&
    (p.cwd === undefined || p.cwd === null) &&
    Array.isArray(p.sourceKinds) &&
    p.sourceKinds.some((k) => typeof k === 'string' && !['cli', 'vscode'].includes(k));
  // A list by recency_at is the state DB's on every path (issue 69: its rows carry the DB's
  // provider and no parent, measured on 0.169.0).
  return byEdges ||
    unfiltered ||
    p.useStateDbOnly === true ||
    p.sortKey === 'recency_at' ||
    (typeof p.searchTerm === 'string' && p.searchTerm !== '')
    ? 'stateDb'
    : 'fileScan';
};

/** What a `<time>|<id>` next cursor (or a bare time) holds: its time in ms and its id; undefined for another cursor. */
export const cursorParts = (cursor: unknown): { readonly ms: number; readonly id: string | null } | undefined => {
  if (typeof cursor !== 'string') return undefined;
  const bar = cursor.indexOf('|');
  const ms = Date.parse(bar < 0 ? cursor : cursor.slice(0, bar));
  return Number.isNaN(ms) ? undefined : { ms, id: bar < 0 ? null : cursor.slice(bar + 1) };
};

/** Whether Codex's DB reading and ours stand for one moment (rule 3 above). */
function sameMoment(
  field: Field,
  dbMs: number,
  rule: RuleReadings,
  codexFileMtimeMs: number | null,
  threadLineMs: readonly number[],
): boolean {
  const ours = rule.ms[field];
  if (Math.abs(dbMs - ours) <= STAMP_GAP_MS) return true;
  if (field === 'createdAt') return false;
  if (codexFileMtimeMs !== null && second(dbMs) === second(codexFileMtimeMs)) return true;
  return dbMs <= ours + STAMP_GAP_MS && threadLineMs.some((l) => Math.abs(dbMs - l) <= STAMP_GAP_MS);
}

/** Every rollout file of a thread (its root and revisions, live or archived): their names hold its id. */
function threadFiles(codexHome: string, threadId: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(dir, e.name));
      else if (e.name.startsWith('rollout-') && e.name.endsWith('.jsonl') && e.name.includes(threadId))
        found.push(join(dir, e.name));
    }
  };
  walk(join(codexHome, 'sessions'));
  walk(join(codexHome, 'archived_sessions'));
  return found;
}

type Json = unknown;
const isRecord = (v: Json): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Explains the clock readings of one home's answers (opened on that home; reads its DB per answer). */
export class ClockOracle {
  /** Why each reading this oracle left to differ was not explained (its DB row, our rule's readings). */
  readonly unexplained: string[] = [];

  /** `rows`: the state DB as Codex answered from it, when it has changed since (see `now`). */
  constructor(
    readonly codexHome: string,
    private readonly rows?: ReadonlyMap<string, StateRow>,
  ) {}

  /**
   * The threads whose `created_at` Codex's state DB holds in another second than our rule's reading
   * (the session_meta's): the home's own facts, whichever pages a query happens to show them on.
   * Past a created_at cursor such a thread lies in a different second on each server.
   */
  createdAcrossSecond(): string[] {
    const rows = this.rows ?? stateRows(this.codexHome);
    return [...rows]
      .filter(
        ([, row]) =>
          existsSync(row.rolloutPath) && row.seconds.createdAt !== second(ruleReadings(row.rolloutPath).ms.createdAt),
      )
      .map(([id]) => id);
  }

  /**
   * The threads Codex and ours put on different sides of a cursor's time, each server its own
   * cursor (`codexCursorMs`, `ourCursorMs`): Codex compares its state DB reading of `sortKey`, ours
   * our rule's, both to the millisecond and strictly. A page back from a backwards cursor (the first
   * row's second or reading ∓ 1 ms) holds such a thread on one server only, as the two clocks fell:
   * a clean-clone run (2026-11-26) had chat-paginated's thread at …29.000–29.001 in Codex's DB and
   * later on its session_meta, so back ascending from …29.001 Codex listed nothing and ours the thread.
   * A next cursor (`<time>|<id>`, `cursorIds`) also passes a thread at exactly its time whose id lies
   * beyond: a CI run (ci2, 2026-11-27) had fork-paginated's thread at …30.000 in Codex's DB and
   * later on its session_meta, so past thread/search's next cursor `…30Z|<id>` Codex listed it, ours not.
   */
  straddlingCursor(
    sortKey: unknown,
    codexCursorMs: number,
    ourCursorMs: number,
    direction: 'asc' | 'desc',
    cursorIds: { readonly codex: string | null; readonly ours: string | null } = { codex: null, ours: null },
  ): string[] {
    const field = SORT_FIELDS[typeof sortKey === 'string' ? sortKey : 'created_at'];
    if (field === undefined) return [];
    const rows = this.rows ?? stateRows(this.codexHome);
    const sign = direction === 'asc' ? 1 : -1;
    // A next cursor's id decides a tie (`<time>|<id>`, strictly past the pair); a backwards cursor has none.
    const past = (ms: number, id: string, cursorMs: number, cursorId: string | null): boolean =>
      ms !== cursorMs
        ? sign * (ms - cursorMs) > 0
        : cursorId !== null && sign * (id < cursorId ? -1 : id > cursorId ? 1 : 0) > 0;
    return [...rows]
      .filter(
        ([id, row]) =>
          existsSync(row.rolloutPath) &&
          past(row.ms[field], id, codexCursorMs, cursorIds.codex) !==
            past(ourReading(row, ruleReadings(row.rolloutPath), field), id, ourCursorMs, cursorIds.ours),
      )
      .map(([id]) => id);
  }

  /**
   * `rows` (a state-DB list page of ours, in our rule's `sortKey` order) in the order Codex's state
   * DB gives them: by its readings to the millisecond, then id (`state/src/runtime/threads.rs`), the
   * whole list reversed descending. For readings that run the other way from ours: the DB older
   * Codex versions left holds `created_at` in whole seconds (0.169 migrates it to `created_at_ms` =
   * `created_at` × 1000), so its threads of one second come in id order, ours by the session_meta's
   * millisecond. Undefined when a row has no DB reading, ours is not in our rule's order (a fault
   * of ours, left to show), or the order is already Codex's.
   */
  inStateDbOrder<T extends { readonly id: string; readonly path?: unknown }>(
    rows: readonly T[],
    sortKey: unknown,
    direction: 'asc' | 'desc',
  ): T[] | undefined {
    const field = SORT_FIELDS[typeof sortKey === 'string' ? sortKey : 'created_at'];
    const db = this.rows ?? stateRows(this.codexHome);
    if (field === undefined || rows.some((r) => !db.has(r.id))) return undefined;
    const inOrder = (at: (r: T) => number): T[] => {
      const sorted = [...rows].sort((a, b) => at(a) - at(b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return direction === 'desc' ? sorted.reverse() : sorted;
    };
    const pathOf = (r: T): string => (typeof r.path === 'string' ? r.path : db.get(r.id)!.rolloutPath);
    if (rows.some((r) => !existsSync(pathOf(r)))) return undefined;
    if (!inOrder((r) => ourReading(db.get(r.id), ruleReadings(pathOf(r)), field)).every((r, i) => r === rows[i]))
      return undefined;
    const sorted = inOrder((r) => db.get(r.id)!.ms[field]);
    return sorted.every((r, i) => r === rows[i]) ? undefined : sorted;
  }

  /** An oracle on the state DB as it is now: for answers Codex gave before a later request changed it. */
  static now(codexHome: string): ClockOracle {
    return new ClockOracle(codexHome, stateRows(codexHome));
  }

  /**
   * `ours` with every thread time and cursor the oracle explains taken as Codex's. `sortKey` is the
   * request's (thread/list, thread/search): what the cursors hold; `created_at` when absent.
   * `ourOrder`: for a page of ours compared in the DB's order (`inStateDbOrder`), its ids as ours
   * listed them; each server's cursors name its own first and last rows, so there a cursor of ours
   * is explained by its own row's reading and Codex's by its row's, when the rows are the page's.
   */
  explained(
    codex: Json,
    ours: Json,
    sortKey?: unknown,
    from: AnsweredFrom = 'stateDb',
    ourOrder?: readonly string[],
    asked?: RequestWindow,
  ): Json {
    const rows = this.rows ?? stateRows(this.codexHome);
    // Both readings the time of the request, for a thread whose start Codex reads as that time: a
    // millisecond within the step's asking (± 1 ms, a cursor's move), or a second that overlaps it.
    const inWindow = (ms: number, unit: 'ms' | 's'): boolean =>
      asked !== undefined &&
      (unit === 'ms'
        ? ms >= asked.fromMs - 1 && ms <= asked.toMs + 1
        : ms * 1000 + 999 >= asked.fromMs && ms * 1000 <= asked.toMs);
    const atRequest = (threadId: string, path: unknown, cv: number, ov: number, unit: 'ms' | 's'): boolean => {
      const file =
        typeof path === 'string' ? path : (rows.get(threadId)?.rolloutPath ?? threadFiles(this.codexHome, threadId)[0]);
      return (
        file !== undefined && inWindow(cv, unit) && inWindow(ov, unit) && existsSync(file) && startUnreadByCodex(file)
      );
    };
    const rules = new Map<string, RuleReadings | null>();
    const ruleFor = (path: string): RuleReadings | null => {
      if (!rules.has(path)) rules.set(path, existsSync(path) ? ruleReadings(path) : null);
      return rules.get(path)!;
    };
    const explains = (
      threadId: string,
      path: unknown,
      field: Field,
      check: (row: StateRow, rule: RuleReadings) => boolean,
    ): boolean => {
      const row = rows.get(threadId);
      if (row === undefined) return false;
      const rule = ruleFor(typeof path === 'string' ? path : row.rolloutPath);
      const codexFile = ruleFor(row.rolloutPath);
      const lineMs = threadFiles(this.codexHome, threadId).flatMap((f) => ruleFor(f)?.lineMs ?? []);
      const explained =
        rule !== null && sameMoment(field, row.ms[field], rule, codexFile?.mtimeMs ?? null, lineMs) && check(row, rule);
      if (!explained) {
        const why = `clock oracle: ${threadId} ${field} unexplained: row ${JSON.stringify(row)} rule ${JSON.stringify(rule && { ms: rule.ms, mtimeMs: rule.mtimeMs })} codex file mtime ${codexFile?.mtimeMs}`;
        this.unexplained.push(why);
        if (process.env[DEBUG_ENV] !== undefined) process.stderr.write(`${why}\n`);
      }
      return explained;
    };
    const scannedMtimeExplains = (
      threadId: string,
      codexPath: unknown,
      ourPath: unknown,
      cv: number,
      ov: number,
    ): boolean => {
      const listed = typeof codexPath === 'string' && existsSync(codexPath) ? statSync(codexPath).mtimeMs : null;
      const rule = typeof ourPath === 'string' ? ruleFor(ourPath) : null;
      const explained = listed !== null && rule !== null && cv === second(listed) && ov === second(rule.ms.updatedAt);
      if (!explained) {
        const why = `clock oracle: ${threadId} updatedAt unexplained (file scan): listed file mtime ${listed} rule ${JSON.stringify(rule && rule.ms)}`;
        this.unexplained.push(why);
        if (process.env[DEBUG_ENV] !== undefined) process.stderr.write(`${why}\n`);
      }
      return explained;
    };
    const field = SORT_FIELDS[typeof sortKey === 'string' ? sortKey : 'created_at'];
    /**
     * A cursor holds its server's reading of the row time, to the millisecond or (a created_at one
     * from a state DB) the whole second, moved by the page direction's ∓ 1 ms; each side's is
     * checked against its own source, with the same move. (Measured on 0.169.0: Codex's
     * `thread/list` with `useStateDbOnly` gives its `created_at_ms`, `thread/search` the second;
     * ours gives the second on both, docs/compatibility.md.)
     */
    const moves = (cursorMs: number, readingMs: number): number[] =>
      [readingMs, second(readingMs) * 1000].filter((at) => Math.abs(cursorMs - at) <= 1).map((at) => cursorMs - at);
    const cursor = (
      c: string,
      o: string,
      codexFirstRowId: string | undefined,
      ourFirstRowId: string | undefined,
    ): string => {
      const [ct, cid] = c.split('|');
      const [ot, oid] = o.split('|');
      const [codexThread, ourThread] = [cid ?? codexFirstRowId, oid ?? ourFirstRowId];
      if (field === undefined || codexThread === undefined || ourThread === undefined) return o;
      const [cms, oms] = [Date.parse(ct!), Date.parse(ot!)];
      if (
        cid === undefined &&
        oid === undefined &&
        codexThread === ourThread &&
        atRequest(codexThread, undefined, cms, oms, 'ms')
      )
        return c;
      // A reading within 2 ms of its second's start fits both forms (ours at X.001 with a `+ 1` cursor
      // X.001 is the reading unmoved, or its second moved by 1): the two sides agree when one move fits both.
      if (codexThread === ourThread) {
        const same = explains(codexThread, undefined, field, (row, rule) => {
          const om = moves(oms, ourReading(row, rule, field));
          return moves(cms, row.ms[field]).some((m) => om.includes(m));
        });
        return same ? c : o;
      }
      // A reordered page: each side's cursor names its own row, both rows of the page, each reading explained.
      if (ourOrder === undefined || !ourOrder.includes(codexThread) || !ourOrder.includes(ourThread)) return o;
      let [cm, om]: [number[], number[]] = [[], []];
      const codexSide = explains(codexThread, undefined, field, (row) => (cm = moves(cms, row.ms[field])).length > 0);
      const ourSide = explains(
        ourThread,
        undefined,
        field,
        (row, rule) => (om = moves(oms, ourReading(row, rule, field))).length > 0,
      );
      return codexSide && ourSide && cm.some((m) => om.includes(m)) ? c : o;
    };
    const walk = (c: Json, o: Json): Json => {
      if (Array.isArray(c) && Array.isArray(o)) return o.map((x, i) => walk(c[i], x));
      if (!isRecord(c) || !isRecord(o)) return o;
      const out: Record<string, Json> = {};
      for (const [k, v] of Object.entries(o)) out[k] = walk(c[k], v);
      // A thread object: its times.
      if (typeof o['id'] === 'string' && o['id'] === c['id'])
        for (const f of FIELDS) {
          const [cv, ov] = [c[f], o[f]];
          if (typeof cv !== 'number' || typeof ov !== 'number' || cv === ov) continue;
          if (f !== 'recencyAt' && atRequest(o['id'], c['path'], cv, ov, 's')) {
            out[f] = cv;
            continue;
          }
          if (from === 'fileScan' && f === 'updatedAt') {
            // The file scan's reading is the mtime of the file it listed: the one rule where Codex reads mtimes.
            if (scannedMtimeExplains(o['id'], c['path'], o['path'], cv, ov)) out[f] = cv;
            continue;
          }
          if (
            explains(
              o['id'],
              o['path'],
              f,
              (row, rule) => cv === row.seconds[f] && ov === second(ourReading(row, rule, f)),
            )
          )
            out[f] = cv;
        }
      // A page: its cursors (a backwards cursor without an id names the first row's time).
      const firstRowId = (page: Record<string, Json>): string | undefined => {
        const data = page['data'];
        const first = Array.isArray(data) && isRecord(data[0]) ? data[0] : undefined;
        return first === undefined
          ? undefined
          : typeof first['id'] === 'string'
            ? first['id']
            : isRecord(first['thread'])
              ? String(first['thread']['id'])
              : undefined;
      };
      const ourFirst = ourOrder !== undefined && 'data' in o ? ourOrder[0] : firstRowId(o);
      for (const k of ['nextCursor', 'backwardsCursor']) {
        const [cv, ov] = [c[k], o[k]];
        if (typeof cv === 'string' && typeof ov === 'string' && cv !== ov)
          out[k] = cursor(cv, ov, firstRowId(c), ourFirst);
      }
      return out;
    };
    return walk(codex, ours);
  }
}
