// One home's history answers from `rollout-engine serve` and from a cold `codex app-server` 0.169.0:
// thread/list, thread/read, thread/turns/list and thread/items/list, with every view, both
// directions, page walks that follow each server's own cursors, item anchors, deferred output and
// the error cases. The history API spec runs it on every scenario home, the multi-version spec on a
// home older Codex versions wrote.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initializedServe } from '../fixtures/stdioRpcClient.js';
import type { RpcAnswer, StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import { compatCodexVersion } from './appServer.js';
import { openColdCodex, type HomeConfig } from './compatHomes.js';
import { describeDifferences, jsonDifferences } from './jsonDifferences.js';
import type { JsonDifference } from './jsonDifferences.js';
import { allThreads, discoverRollouts, type CompatHome } from './scenarios.js';
import { normaliseHistoryAnswer as normalise } from './historyAnswers.js';
import { answeredFrom, ClockOracle, cursorParts } from './clockOracle.js';
import type { RequestWindow } from './clockOracle.js';
import { codexAnswer } from './codexAndOurs.js';
import { SourceKind } from '../../protocol/threads.js';

type Ask = (method: string, params: unknown) => Promise<RpcAnswer>;

/** One request a comparison asks both servers (a walk: the same request on each server's next pages). */
export interface Step {
  readonly label: string;
  readonly method: string;
  readonly params: Record<string, unknown>;
  /** Follow `nextCursor` (each server its own) this many more pages. */
  readonly walk?: number;
}

const stepsFor = (
  threadId: string,
  turnIds: readonly string[],
  itemIds: ReadonlyArray<{ turnId: string; itemId: string }>,
): Step[] => {
  const t = { threadId };
  const steps: Step[] = [
    { label: 'read', method: 'thread/read', params: { ...t, includeTurns: false } },
    { label: 'read+turns', method: 'thread/read', params: { ...t, includeTurns: true } },
    { label: 'turns default', method: 'thread/turns/list', params: t },
    { label: 'turns limit 0', method: 'thread/turns/list', params: { ...t, limit: 0 } },
    { label: 'turns bad cursor', method: 'thread/turns/list', params: { ...t, cursor: 'not-a-cursor' } },
    { label: 'items default', method: 'thread/items/list', params: t },
    {
      label: 'items desc walk',
      method: 'thread/items/list',
      params: { ...t, sortDirection: 'desc', limit: 7 },
      walk: 30,
    },
    { label: 'items asc walk', method: 'thread/items/list', params: { ...t, limit: 5 }, walk: 40 },
    { label: 'items unknown turn', method: 'thread/items/list', params: { ...t, turnId: 'no-such-turn' } },
    // The threads this one spawned (a review's sub-agent), directly and below it; filters only Codex's state DB can meet.
    {
      label: 'list children',
      method: 'thread/list',
      params: { parentThreadId: threadId, sourceKinds: ALL_SOURCE_KINDS },
    },
    {
      label: 'list descendants',
      method: 'thread/list',
      params: { ancestorThreadId: threadId, sourceKinds: ALL_SOURCE_KINDS },
    },
    { label: 'list attached', method: 'thread/list', params: { attachedToThreadId: threadId } },
    {
      label: 'list section',
      method: 'thread/list',
      params: { sectionId: 'no-such-section', sortKey: 'section_position' },
    },
    { label: 'list no originators', method: 'thread/list', params: { originators: [] } },
    {
      label: 'items thread-wide deferOutput',
      method: 'thread/items/list',
      params: { ...t, deferOutput: { commandExecution: true, mcpToolCall: true } },
    },
  ];
  for (const view of ['notLoaded', 'summary', 'full'])
    for (const sortDirection of ['asc', 'desc'])
      steps.push({
        label: `turns ${view} ${sortDirection} walk`,
        method: 'thread/turns/list',
        params: { ...t, itemsView: view, sortDirection, limit: 20 },
        walk: 5,
      });
  steps.push({
    label: 'turns l2 desc walk',
    method: 'thread/turns/list',
    params: { ...t, itemsView: 'notLoaded', sortDirection: 'desc', limit: 2 },
    walk: 40,
  });
  // Every turn of a short thread (each of the rich scenario's turns holds another kind of item);
  // of a long one the first, second (the tool scenario's failing command) and last.
  const pageTurns =
    turnIds.length <= 12
      ? turnIds
      : [...new Set([turnIds[0], turnIds[1], turnIds[turnIds.length - 1]])].filter((x): x is string => x !== undefined);
  for (const turnId of pageTurns) {
    steps.push({
      label: `items of turn ${turnId}`,
      method: 'thread/items/list',
      params: { ...t, turnId, deferOutput: { commandExecution: true, mcpToolCall: true } },
    });
    steps.push({
      label: `items of turn ${turnId} desc l1`,
      method: 'thread/items/list',
      params: { ...t, turnId, sortDirection: 'desc', limit: 1 },
      walk: 10,
    });
  }
  // thread/items/read: some ids of a turn, asked out of order, one twice, one unknown; an unknown turn; too many ids.
  const firstTurn = itemIds[0]?.turnId;
  const ofFirst = itemIds.filter((i) => i.turnId === firstTurn).map((i) => i.itemId);
  for (const turnId of pageTurns) {
    const ofTurn = itemIds.filter((i) => i.turnId === turnId).map((i) => i.itemId);
    if (ofTurn.length === 0) continue;
    steps.push({
      label: `items/read some of ${turnId}`,
      method: 'thread/items/read',
      params: { ...t, turnId, itemIds: [...ofTurn].reverse().concat('no-such-item', ofTurn[0]!) },
    });
  }
  if (firstTurn !== undefined) {
    steps.push({
      label: 'items/read unknown turn',
      method: 'thread/items/read',
      params: { ...t, turnId: 'no-such-turn', itemIds: ofFirst },
    });
    steps.push({
      label: 'items/read none',
      method: 'thread/items/read',
      params: { ...t, turnId: firstTurn, itemIds: [] },
    });
  }
  const anchor = itemIds[1] ?? itemIds[0];
  if (anchor) {
    for (const sortDirection of ['asc', 'desc'])
      steps.push({
        label: `items anchor ${sortDirection}`,
        method: 'thread/items/list',
        params: { ...t, turnId: anchor.turnId, cursor: { type: 'item', itemId: anchor.itemId }, sortDirection },
      });
    // Anchors Codex refuses (issue 69 row 10): unknown, empty, of another turn, without a turn.
    steps.push({
      label: 'items anchor unknown',
      method: 'thread/items/list',
      params: { ...t, turnId: anchor.turnId, cursor: { type: 'item', itemId: 'no-such-item' } },
    });
    steps.push({
      label: 'items anchor empty',
      method: 'thread/items/list',
      params: { ...t, turnId: anchor.turnId, cursor: { type: 'item', itemId: '' } },
    });
    const elsewhere = itemIds.find((i) => i.turnId !== anchor.turnId);
    if (elsewhere)
      steps.push({
        label: 'items anchor other turn',
        method: 'thread/items/list',
        params: { ...t, turnId: anchor.turnId, cursor: { type: 'item', itemId: elsewhere.itemId } },
      });
    steps.push({
      label: 'items anchor no turn',
      method: 'thread/items/list',
      params: { ...t, cursor: { type: 'item', itemId: anchor.itemId } },
    });
  }
  return steps;
};

/** Every source kind the protocol names (a list of all of them: Codex's filters by kind, then after). */
export const ALL_SOURCE_KINDS = Object.keys(SourceKind.keys);

const LIST_STEPS: Step[] = [
  { label: 'list default', method: 'thread/list', params: {} },
  { label: 'list all sources', method: 'thread/list', params: { sourceKinds: ALL_SOURCE_KINDS } },
  { label: 'list archived', method: 'thread/list', params: { archived: true } },
  { label: 'list provider other', method: 'thread/list', params: { modelProviders: ['openai'] } },
  { label: 'list search', method: 'thread/list', params: { searchTerm: 'turn 1' } },
  // Sub-agents as the file scan lists them and as the state DB does: a review's or a spawned
  // sub-agent names its parent in the first, not in the second.
  {
    label: 'list all sources from the state DB',
    method: 'thread/list',
    params: { sourceKinds: ALL_SOURCE_KINDS, useStateDbOnly: true },
  },
  {
    label: 'list all sources search',
    method: 'thread/list',
    params: { sourceKinds: ALL_SOURCE_KINDS, searchTerm: 'Review' },
  },
  {
    label: 'list all sources search sub-agent',
    method: 'thread/list',
    params: { sourceKinds: ALL_SOURCE_KINDS, searchTerm: 'Sub-agent' },
  },
  // Sub-agents' rows by recency (issue 69 row 7: Codex's carry no parent there).
  {
    label: 'list all sources recency',
    method: 'thread/list',
    params: { sourceKinds: ALL_SOURCE_KINDS, sortKey: 'recency_at' },
  },
  ...(['created_at', 'updated_at', 'recency_at'] as const).flatMap((sortKey) =>
    (['asc', 'desc'] as const).map((sortDirection) => ({
      label: `list ${sortKey} ${sortDirection}`,
      method: 'thread/list',
      params: { sortKey, sortDirection, limit: 2, useStateDbOnly: true },
      walk: 10,
    })),
  ),
];

/** The `cwd` filter as a client may spell the threads' folder: exactly, with a trailing slash, doubled slashes, one of several. */
const cwdSteps = (workDir: string): Step[] => [
  { label: 'list cwd', method: 'thread/list', params: { cwd: workDir } },
  { label: 'list cwd trailing slash', method: 'thread/list', params: { cwd: `${workDir}/` } },
  { label: 'list cwd doubled slash', method: 'thread/list', params: { cwd: workDir.replace('/', '//') } },
  { label: 'list cwd one of two', method: 'thread/list', params: { cwd: ['/nowhere', `${workDir}/`] } },
  { label: 'list cwd elsewhere', method: 'thread/list', params: { cwd: `${workDir}-other` } },
];

/**
 * A thread id no home has: Codex's words for it differ by method (`thread not loaded` for the
 * reads, `no rollout found for thread id` for thread/fork), ours must be the same. (thread/items/list
 * is left out: Codex answers an unknown id as a legacy thread, -32601, which we serve.)
 */
const UNKNOWN_THREAD = '00000000-0000-7000-8000-0000000000ff';
const UNKNOWN_THREAD_STEPS: Step[] = [
  { label: 'read unknown thread', method: 'thread/read', params: { threadId: UNKNOWN_THREAD, includeTurns: true } },
  { label: 'turns unknown thread', method: 'thread/turns/list', params: { threadId: UNKNOWN_THREAD } },
  { label: 'fork unknown thread', method: 'thread/fork', params: { threadId: UNKNOWN_THREAD } },
];

/** Run a step on one server, following its own cursors; the answers, page by page. */
/**
 * A step's pages from both servers, each walking its own cursors, Codex's page first and ours after
 * it: Codex's reads write its state DB (a search reconciles its hits, re-dating their rows), and
 * ours follows what that DB holds once written, as beside a running Codex.
 */
const runStep = async (askCodex: Ask, askOurs: Ask, step: Step): Promise<[RpcAnswer[], RpcAnswer[]]> => {
  const sides = [askCodex, askOurs].map((ask) => ({ ask, pages: [] as RpcAnswer[], params: step.params, done: false }));
  for (let i = 0; i <= (step.walk ?? 0) && sides.some((side) => !side.done); i += 1)
    for (const side of sides) {
      if (side.done) continue;
      const a = await side.ask(step.method, side.params);
      side.pages.push(a);
      const next = 'result' in a ? (a.result as { nextCursor?: unknown }).nextCursor : undefined;
      if (typeof next === 'string') side.params = { ...step.params, cursor: next };
      else side.done = true;
    }
  return [sides[0]!.pages, sides[1]!.pages];
};

/**
 * Where we differ on purpose (README, compatibility): Codex refuses thread/items/list and read on legacy
 * threads, which we serve; Codex's file-scanning thread/list repeats a reverted thread once per
 * rollout file, where we list each thread once (as its useStateDbOnly list does). `legacy` is
 * whether the step's thread is one (a rollout that is not paginated).
 */
const deliberate = (legacy: boolean, method: string, codex: RpcAnswer): boolean => {
  if (
    legacy &&
    (method === 'thread/items/list' || method === 'thread/items/read') &&
    'error' in codex &&
    codex.error.code === -32601
  )
    return true;
  if (method !== 'thread/list' || !('result' in codex)) return false;
  const ids = ((codex.result as { data?: Array<{ id: string }> }).data ?? []).map((d) => d.id);
  return new Set(ids).size < ids.length;
};

/** A list page without the rows of `threads`. */
const withoutRows = (answer: RpcAnswer, threads: ReadonlySet<string>): RpcAnswer => {
  if (threads.size === 0 || !('result' in answer)) return answer;
  const result = answer.result as { data?: Array<{ id: string }> };
  return { result: { ...result, data: (result.data ?? []).filter((t) => !threads.has(t.id)) } };
};

/** The rows of a list page, none when it is an error. */
const rowsOf = (answer: RpcAnswer): number =>
  'result' in answer ? ((answer.result as { data?: unknown[] }).data ?? []).length : 0;

/** A list answer with no cursors: pages whose walks go on from different rows are compared by their rows. */
const uncursored = (answer: RpcAnswer): RpcAnswer => {
  if (!('result' in answer)) return answer;
  const r = answer.result as Record<string, unknown>;
  return { result: { ...r, nextCursor: null, ...('backwardsCursor' in r ? { backwardsCursor: null } : {}) } };
};

/**
 * A page of ours that held rows Codex cannot read: ours asked again from the same place with as
 * many more rows as were taken out (again while the longer page takes out more and the list goes
 * on), those taken out, so that it holds as many rows Codex reads as Codex's page when the list
 * has them. A thread we fail to list then shows as a row that differs, not as a shorter page.
 */
const widenedPage = async (
  askOurs: Ask,
  params: Record<string, unknown>,
  codexRows: number,
  unreadable: ReadonlySet<string>,
): Promise<RpcAnswer> => {
  let extra = 0;
  for (let tries = 0; tries < 8; tries += 1) {
    const a = await askOurs('thread/list', { ...params, limit: codexRows + extra });
    const kept = withoutRows(a, unreadable);
    const taken = rowsOf(a) - rowsOf(kept);
    if (taken <= extra || rowsOf(a) < codexRows + extra) return kept;
    extra = taken;
  }
  throw new Error(`widenedPage: ${JSON.stringify(params)} kept taking out more rows`);
};

/** What `compareHome` needs of a home: where it is and which threads to ask about. */
export type ComparedHome = Pick<CompatHome, 'key' | 'codexHome' | 'workDir' | 'threads'>;

/** One answer that differs: where, and the differences' paths (array indexes as `[]`). */
export interface AnswerDifference {
  readonly label: string;
  readonly method: string;
  /** The thread a thread-scoped step asked about; undefined for the home's lists. */
  readonly threadId: string | undefined;
  readonly paths: readonly string[];
  /** Each difference with both readings (the paths as answered, indices kept); absent for a page count. */
  readonly found?: readonly JsonDifference[];
  /** When the step was asked of both servers. */
  readonly asked?: RequestWindow;
}

export interface CompareOptions {
  /**
   * Threads Codex cannot read at all (a meta it cannot decode): their own steps are not asked, and
   * their rows are taken out of our list pages before comparing (the caller checks them apart).
   */
  readonly unreadableByCodex?: ReadonlySet<string>;
  /** Threads whose own steps are not asked (the caller checks them apart); they stay in the lists. */
  readonly notAsked?: ReadonlySet<string>;
  /**
   * Compare our state-DB list pages in the order Codex's state DB holds them
   * (`ClockOracle.inStateDbOrder`): for a DB whose readings are not ours to the millisecond (the one
   * older versions left). The pages so reordered are named in `reordered`.
   */
  readonly inStateDbOrder?: boolean;
  /** The home's `config.toml` both servers start on (`openColdCodex`); default the compat config (provider `mock`). */
  readonly config?: HomeConfig;
  /** Asks each home-level `thread/list` step once more with these params merged (say `modelProviders: []`, every provider, where the configured one holds no thread). */
  readonly listParams?: Readonly<Record<string, unknown>>;
  /** The folder the `cwd` list steps ask for (default: the home's `workDir`), e.g. one its threads ran in. */
  readonly listCwd?: string;
  /** More steps asked of the home's lists, after the fixed ones (the differential fuzzer's random pages and cursors). */
  readonly extraListSteps?: readonly Step[];
  /** More steps asked of each thread, after the fixed ones, given its turns and items as Codex read them. */
  readonly extraSteps?: (
    threadId: string,
    turnIds: readonly string[],
    itemIds: ReadonlyArray<{ turnId: string; itemId: string }>,
  ) => readonly Step[];
}

export interface HomeComparison {
  /** Answers (pages) compared. */
  readonly compared: number;
  /** One entry per answer that differs, with its differences. */
  readonly problems: readonly string[];
  /** The same answers, as data. */
  readonly differences: readonly AnswerDifference[];
  /** Answers equal, per method. */
  readonly byMethod: ReadonlyMap<string, number>;
  /** Answers compared, per method. */
  readonly comparedByMethod: ReadonlyMap<string, number>;
  /** Answers equal and compared, per thread id (thread-scoped steps only). */
  readonly byThread: ReadonlyMap<string, { readonly compared: number; readonly equal: number }>;
  /** Pages of ours compared in Codex's state-DB order (`inStateDbOrder`), and the ids as ours listed them. */
  readonly reordered: readonly string[];
  /**
   * Walk pages not compared: a thread lay across the next cursors that led to them (Codex's state-DB
   * reading on one side of its cursor, our rule's on the other of ours: `ClockOracle.straddlingCursor`),
   * so from there each server's pages hold other threads as the two clocks fell. The step, the page
   * from which on, the threads.
   */
  readonly acrossCursor: readonly string[];
}

/**
 * The first page of a state-DB `thread/list` walk led to by next cursors a thread lies across
 * (`ClockOracle.straddlingCursor`), and those threads; undefined when none does.
 */
const straddledPage = (
  oracle: ClockOracle,
  step: Step,
  codex: readonly RpcAnswer[],
  ours: readonly RpcAnswer[],
): { page: number; threads: string[] } | undefined => {
  if (step.method !== 'thread/list' || answeredFrom(step.method, step.params) !== 'stateDb') return undefined;
  const nextOf = (a: RpcAnswer | undefined): unknown =>
    a !== undefined && 'result' in a ? (a.result as { nextCursor?: unknown }).nextCursor : undefined;
  const direction = step.params['sortDirection'] === 'asc' ? 'asc' : 'desc';
  for (let page = 1; page < Math.max(codex.length, ours.length); page += 1) {
    const [c, o] = [cursorParts(nextOf(codex[page - 1])), cursorParts(nextOf(ours[page - 1]))];
    if (c === undefined || o === undefined) return undefined;
    const threads = oracle.straddlingCursor(step.params['sortKey'], c.ms, o.ms, direction, { codex: c.id, ours: o.id });
    if (threads.length > 0) return { page, threads };
  }
  return undefined;
};

/** A state-DB list page of ours in Codex's state-DB order, when `inStateDbOrder` asks it and the order differs. */
const inStateDbOrder = (oracle: ClockOracle, step: Step, answer: RpcAnswer): RpcAnswer | undefined => {
  if (step.method !== 'thread/list' || answeredFrom(step.method, step.params) !== 'stateDb' || !('result' in answer))
    return undefined;
  const result = answer.result as { data?: Array<{ id: string }> };
  const rows = oracle.inStateDbOrder(
    result.data ?? [],
    step.params['sortKey'],
    step.params['sortDirection'] === 'asc' ? 'asc' : 'desc',
  );
  return rows === undefined ? undefined : { result: { ...result, data: rows } };
};

/** Asks both servers, cold, everything `LIST_STEPS` and `stepsFor` name on one home, and compares the answers. */
export const compareHome = async (home: ComparedHome, options: CompareOptions = {}): Promise<HomeComparison> => {
  const indexDir = mkdtempSync(join(tmpdir(), 'compat-history-index-'));
  const codex = await openColdCodex(home, options.config);
  // Ours beside Codex: the same working directory and home folder (a relative cwd and `~` resolve against them, as foldRules.compat runs them).
  const ours: StdioRpcClient = await initializedServe(home.codexHome, {
    clientInfo: { name: 'compat', version: '0' },
    capabilities: { experimentalApi: true },
    // The version of the Codex compared with, whatever the environment says (a bench sets none).
    args: ['--index-dir', indexDir, '--codex-version', compatCodexVersion()],
    ...(existsSync(home.workDir) ? { cwd: home.workDir } : {}),
    env: { ...process.env, HOME: join(home.codexHome, '..', 'user-home') },
  }).catch(async (err: unknown) => {
    await codex.stop(); // the failure is thrown, not left running
    throw err;
  });
  const problems: string[] = [];
  const differences: AnswerDifference[] = [];
  const unreadable = options.unreadableByCodex ?? new Set<string>();
  const byMethod = new Map<string, number>();
  const comparedByMethod = new Map<string, number>();
  const byThread = new Map<string, { compared: number; equal: number }>();
  const reordered: string[] = [];
  const acrossCursor: string[] = [];
  let compared = 0;
  try {
    // Inside the try: a home it cannot describe (a first line that is not JSON) stops both servers.
    const legacyThreads = new Set(
      discoverRollouts(home.codexHome)
        .filter((r) => r.historyMode !== 'paginated')
        .map((r) => r.threadId),
    );
    const askCodex: Ask = (m, p) => codexAnswer(codex.server, m, p);
    const askOurs: Ask = (m, p) => ours.request(m, p);
    const oracle = new ClockOracle(home.codexHome);
    const check = async (label: string, step: Step, threadId?: string): Promise<void> => {
      const fromMs = Date.now();
      const [c, o] = await runStep(askCodex, askOurs, step);
      const asked = { fromMs, toMs: Date.now() };
      const tally =
        threadId === undefined
          ? undefined
          : (byThread.get(threadId) ?? byThread.set(threadId, { compared: 0, equal: 0 }).get(threadId)!);
      const straddled = straddledPage(oracle, step, c, o);
      if (straddled !== undefined)
        acrossCursor.push(`${label} from page ${straddled.page}: ${straddled.threads.join(', ')}`);
      for (let i = 0; i < Math.min(Math.max(c.length, o.length), straddled?.page ?? Infinity); i += 1) {
        const ca = c[i];
        const oa = o[i];
        if (ca === undefined || oa === undefined) {
          problems.push(`${label} page ${i}: codex gave ${c.length} pages, ours ${o.length}`);
          differences.push({ label: `${label} page ${i}`, method: step.method, threadId, paths: ['(page count)'] });
          break;
        }
        if (deliberate(threadId !== undefined && legacyThreads.has(threadId), step.method, c[0]!)) break;
        compared += 1;
        comparedByMethod.set(step.method, (comparedByMethod.get(step.method) ?? 0) + 1);
        if (tally !== undefined) tally.compared += 1;
        const kept = step.method === 'thread/list' ? withoutRows(oa, unreadable) : oa;
        // A page that held rows Codex cannot read: ours asked again for as many rows Codex reads as
        // Codex's page holds (`widenedPage`), compared without cursors, and no later page (the
        // two walks go on from different rows).
        const unreadableListed = rowsOf(kept) < rowsOf(oa);
        const ourCursor =
          i === 0 ? undefined : ((o[i - 1] as { result?: { nextCursor?: unknown } }).result?.nextCursor ?? undefined);
        const pageParams = {
          ...(step.params as Record<string, unknown>),
          ...(ourCursor === undefined ? {} : { cursor: ourCursor }),
        };
        const cPage = unreadableListed ? uncursored(ca) : ca;
        const listed = unreadableListed
          ? uncursored(await widenedPage(askOurs, pageParams, rowsOf(ca), unreadable))
          : kept;
        const inDbOrder = options.inStateDbOrder === true ? inStateDbOrder(oracle, step, listed) : undefined;
        const ourOrder =
          inDbOrder === undefined
            ? undefined
            : ((listed as { result: { data?: Array<{ id: string }> } }).result.data ?? []).map((t) => t.id);
        if (ourOrder !== undefined) reordered.push(`${label} page ${i}: ours ${ourOrder.join(', ')}`);
        const { expected, actual } = normalise(
          oracle,
          step.method,
          step.params,
          cPage,
          inDbOrder ?? listed,
          ourOrder,
          asked,
        );
        const d = jsonDifferences(expected, actual, 6);
        if (d.length > 0) {
          problems.push(`${label} page ${i} ${JSON.stringify(step.params)}\n${describeDifferences(d)}`);
          differences.push({
            label: `${label} page ${i}`,
            method: step.method,
            threadId,
            paths: d.map((x) => x.path.replace(/\[\d+\]/g, '[]')),
            found: d,
            asked,
          });
        } else {
          byMethod.set(step.method, (byMethod.get(step.method) ?? 0) + 1);
          if (tally !== undefined) tally.equal += 1;
        }
        if (unreadableListed) break;
      }
    };
    for (const step of [
      ...LIST_STEPS,
      ...cwdSteps(options.listCwd ?? home.workDir),
      ...UNKNOWN_THREAD_STEPS,
      ...(options.extraListSteps ?? []),
    ])
      await check(`${home.key} ${step.label}`, step);
    const extra = options.listParams;
    if (extra !== undefined)
      for (const step of [...LIST_STEPS, ...cwdSteps(options.listCwd ?? home.workDir)])
        await check(`${home.key} ${step.label} ${JSON.stringify(extra)}`, {
          ...step,
          params: { ...step.params, ...extra },
        });
    for (const ref of allThreads(home)) {
      if (unreadable.has(ref.id) || options.notAsked?.has(ref.id) === true) continue;
      const read = await askCodex('thread/read', { threadId: ref.id, includeTurns: true });
      const turns =
        'result' in read
          ? ((read.result as { thread: { turns: Array<{ id: string; items: Array<{ id: string }> }> } }).thread.turns ??
            [])
          : [];
      const items = turns.flatMap((t) => t.items.map((i) => ({ turnId: t.id, itemId: i.id })));
      const turnIds = turns.map((t) => t.id);
      for (const step of [...stepsFor(ref.id, turnIds, items), ...(options.extraSteps?.(ref.id, turnIds, items) ?? [])])
        await check(`${home.key} ${ref.label} ${step.label}`, step, ref.id);
    }
  } finally {
    await ours.close();
    await codex.stop();
    rmSync(indexDir, { recursive: true, force: true });
  }
  return { compared, problems, differences, byMethod, comparedByMethod, byThread, reordered, acrossCursor };
};
