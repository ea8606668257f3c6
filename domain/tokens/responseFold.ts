import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import type { RolloutEvent } from '../rollout/event.js';
import type { SessionMetaPayload } from '../rollout/kinds/sessionMeta.js';
import { TokenUsage } from '../rollout/kinds/common.js';
import type { Usage } from './usage.js';
import { ZERO_USAGE, isReset, sameUsage, subUsage, usageOf } from './usage.js';
import { decodeShape } from '../decodeShape.js';

/**
 * Which responses a rollout file itself paid for, one line at a time (pure). Each model response
 * is counted once:
 * - `token_usage_record.usage` where the file has records;
 * - for older files with only `event_msg/token_count`, the delta of `info.total_token_usage`
 *   against the previous count. A count that follows a record only moves the baseline (the
 *   record already counted that response); a count whose total did not change is a re-emission
 *   (failed/interrupted turns, compaction) and adds nothing. The file's first count, and one
 *   whose total went down (a restarted counter), count their `last_token_usage` (the response
 *   itself) where they carry one: a fork's or revision's running total starts from what it
 *   inherited, which its source's file already counted; without one, the total counts from zero.
 * History a fork or revision inherits *by reference* (`history_base`) is not in the file at all.
 * History inherited *by copy* (legacy forks copy the source's lines, records included) is marked
 * here and excluded when responses are selected (`selectResponses`): a copied record names its
 * source thread in `thread_id`; copied counts are recognised against the source's own counts.
 */

export interface TokenFileState {
  /** Thread id of the file (its session_meta id). */
  readonly threadId: string;
  /** Legacy fork that copies its source's lines: the source thread id. */
  readonly copyOf: string | null;
  readonly model: string | null;
  readonly provider: string | null;
  readonly cwd: string | null;
  /** The turn open at this point of the file (last task_started / turn_context). */
  readonly turnId: string | null;
  /** `total_token_usage` of the last token_count with info. */
  readonly lastTotal: Usage | null;
  /** A token_usage_record came after the last token_count. */
  readonly recordSinceCount: boolean;
}

/** One response a file paid for (or, for copies, carried along), with what the breakdowns need. */
export interface CountedResponse {
  /** The thread that made the response: the record's `thread_id`, else the file's thread. */
  readonly threadId: string;
  /** Thread id of the file the line is in. */
  readonly fileThreadId: string;
  readonly turnId: string | null;
  readonly responseId: string | null;
  /** Envelope timestamp of the line (ISO-8601 UTC). */
  readonly timestamp: string | null;
  readonly source: 'record' | 'count';
  readonly usage: Usage;
  /** Count rows: the cumulative total after this count (recognises copies of it). */
  readonly total: Usage | null;
  readonly model: string | null;
  readonly provider: string | null;
  readonly cwd: string | null;
  readonly copyOf: string | null;
}

const ThreadSettings = t.partial({
  model: t.union([t.string, t.null]),
  model_provider_id: t.union([t.string, t.null]),
  cwd: t.union([t.string, t.null]),
});

const CountInfo = t.intersection([
  t.type({ total_token_usage: TokenUsage }),
  t.partial({ last_token_usage: t.union([TokenUsage, t.null]) }),
]);

const str = (v: string | null | undefined): string | null => (typeof v === 'string' && v !== '' ? v : null);

type Settings = Partial<Record<'turnId' | 'model' | 'provider' | 'cwd', string | null | undefined>>;

/**
 * The state with these fields changed. Every field written out: a spread (`{ ...s, turnId }`) takes
 * V8's slow path, and a catch-up makes one state a line the fold reads.
 */
const stateWith = (
  s: TokenFileState,
  turnId: string | null,
  model: string | null,
  provider: string | null,
  cwd: string | null,
  lastTotal: Usage | null,
  recordSinceCount: boolean,
): TokenFileState => ({
  threadId: s.threadId,
  copyOf: s.copyOf,
  model,
  provider,
  cwd,
  turnId,
  lastTotal,
  recordSinceCount,
});

/** Settings a line states override the current ones; absent or empty ones keep them. */
const withSettings = (s: TokenFileState, next: Settings): TokenFileState =>
  stateWith(
    s,
    str(next.turnId) ?? s.turnId,
    str(next.model) ?? s.model,
    str(next.provider) ?? s.provider,
    str(next.cwd) ?? s.cwd,
    s.lastTotal,
    s.recordSinceCount,
  );

export const tokenFileStateOf = (meta: SessionMetaPayload): TokenFileState => ({
  threadId: meta.id,
  copyOf: meta.history_base ? null : str(meta.forked_from_id),
  model: null,
  provider: str(meta.model_provider),
  cwd: str(meta.cwd),
  turnId: null,
  lastTotal: null,
  recordSinceCount: false,
});

// Every field written out: spreading `fields` into an object with more fields takes V8's slow path (µs a row).
const countedResponse = (
  s: TokenFileState,
  timestamp: string | null,
  fields: Pick<CountedResponse, 'threadId' | 'turnId' | 'responseId' | 'source' | 'usage' | 'total'>,
): CountedResponse => ({
  threadId: fields.threadId,
  turnId: fields.turnId,
  responseId: fields.responseId,
  source: fields.source,
  usage: fields.usage,
  total: fields.total,
  fileThreadId: s.threadId,
  timestamp,
  model: s.model,
  provider: s.provider,
  cwd: s.cwd,
  copyOf: s.copyOf,
});

type EventOf<K extends RolloutEvent['kind']> = Extract<RolloutEvent, { kind: K }>;
type TokenFold = { readonly state: TokenFileState; readonly response?: CountedResponse };

/** Why a kind of line neither counts a response nor changes what the next one is told. */
type NoTokens = { readonly noTokens: string };
const NO_TOKENS: NoTokens = {
  noTokens:
    'states no usage, turn or model: responses are counted from records and counts, told the turn and settings before them',
};

/**
 * What each kind of line does to the token fold, or why nothing (a kind added to `RolloutEvent`
 * is a compile error here until decided). The lean catch-up reads only the lines of these kinds by
 * their prefix (`TOKEN_TOP` / `TOKEN_EVENT_MSGS` in projections/linePrefix.ts; kindTables.unit
 * checks they agree).
 */
export const TOKEN_RULES: {
  readonly [K in RolloutEvent['kind']]:
    ((s: TokenFileState, ev: EventOf<K>, timestamp: string | null) => TokenFold) | NoTokens;
} = {
  taskStarted: (s, ev) => ({
    state: stateWith(s, ev.payload.turn_id, s.model, s.provider, s.cwd, s.lastTotal, s.recordSinceCount),
  }),
  turnContext: (s, ev) => ({
    state: withSettings(s, { turnId: ev.payload.turn_id, model: ev.payload.model, cwd: ev.payload.cwd }),
  }),
  threadSettingsApplied: (s, ev) => {
    const ts = decodeShape(ThreadSettings, ev.payload.thread_settings);
    if (E.isLeft(ts)) return { state: s };
    return {
      state: withSettings(s, { model: ts.right.model, provider: ts.right.model_provider_id, cwd: ts.right.cwd }),
    };
  },
  tokenUsageRecord: (s, ev, timestamp) => {
    const p = ev.payload;
    return {
      state: stateWith(s, s.turnId, s.model, s.provider, s.cwd, s.lastTotal, true),
      response: countedResponse(s, timestamp, {
        threadId: str(p.thread_id) ?? s.threadId,
        turnId: str(p.turn_id) ?? s.turnId,
        responseId: str(p.response_id),
        source: 'record',
        usage: usageOf(p.usage),
        total: null,
      }),
    };
  },
  tokenCount: (s, ev, timestamp) => {
    const info = decodeShape(CountInfo, ev.payload.info);
    if (E.isLeft(info)) return { state: s }; // rate-limit-only counts carry no usage
    const total = usageOf(info.right.total_token_usage);
    const next = stateWith(s, s.turnId, s.model, s.provider, s.cwd, total, false);
    if (s.recordSinceCount) return { state: next };
    // Before any count the thread has used nothing (an all-zero first count is no response).
    const prev = s.lastTotal ?? ZERO_USAGE;
    if (sameUsage(prev, total)) return { state: next };
    const last = info.right.last_token_usage;
    const fromStart = s.lastTotal === null || isReset(prev, total);
    const usage = !fromStart ? subUsage(total, prev) : last !== undefined && last !== null ? usageOf(last) : total;
    return {
      state: next,
      response: countedResponse(s, timestamp, {
        threadId: s.threadId,
        turnId: s.turnId,
        responseId: null,
        source: 'count',
        usage,
        total,
      }),
    };
  },
  sessionMeta: { noTokens: 'the file’s starting state (tokenFileStateOf), read by the caller' },
  worldState: NO_TOKENS,
  compacted: NO_TOKENS,
  responseItem: NO_TOKENS,
  taskComplete: NO_TOKENS,
  turnAborted: NO_TOKENS,
  threadRolledBack: NO_TOKENS,
  itemCompleted: NO_TOKENS,
  userMessage: NO_TOKENS,
  agentMessage: NO_TOKENS,
  agentReasoning: NO_TOKENS,
  agentReasoningRawContent: NO_TOKENS,
  contextCompacted: NO_TOKENS,
  enteredReviewMode: NO_TOKENS,
  exitedReviewMode: NO_TOKENS,
  error: NO_TOKENS,
  patchApplyEnd: NO_TOKENS,
  mcpToolCallEnd: NO_TOKENS,
  webSearchEnd: NO_TOKENS,
  subAgentActivity: NO_TOKENS,
  imageGenerationEnd: NO_TOKENS,
  other: { noTokens: 'a kind the decoder does not interpret' },
  invalid: { noTokens: 'a line Codex cannot read' },
};

/** Fold one event of the file. Returns the next state and the response it counted, if any. */
export const foldTokenEvent = (s: TokenFileState, ev: RolloutEvent, timestamp: string | null): TokenFold => {
  const rule = TOKEN_RULES[ev.kind];
  return typeof rule === 'function'
    ? (rule as (s: TokenFileState, ev: RolloutEvent, timestamp: string | null) => TokenFold)(s, ev, timestamp)
    : { state: s };
};
