/**
 * The responses ccusage (20.0.24, `ccusage codex daily`) leaves out of a home, found line by line
 * so the tokens bench (bench/tokensVsCcusage.ts) can tell an explained cell from an unexplained
 * one. ccusage treats the first `token_count` lines of a child rollout (a fork: `forked_from_id`;
 * a sub-agent: `source.subagent.thread_spawn.parent_thread_id`) as history replayed from the
 * parent and drops them when either
 * - `prefix`: their usage equals, in order, the usage events the parent's file recorded up to the
 *   child's `session_meta` stamp (its CodexReplayPlan, adapter/codex/replay.rs), or
 * - `burst`: none matched (or the parent has no file in the home: nothing to match), the file names
 *   `thread_spawn` or `forked_from_id` in its first 16 KiB, and its first two usage events lie
 *   less than a second apart: then the leading run of events each less than a second after the one
 *   before (its "rewritten-second" fallback; replay.rs `replayed_usage_from_first_second` when the
 *   parent has no file). Measured on 20.0.24, for a legacy fork, a paginated fork and a sub-agent
 *   alike, parent file present or not: 999 ms apart dropped, 1,100 kept; a run 100 ms, 900 ms,
 *   900 ms apart dropped whole (1.9 s after its first); a third event 1,100 ms after the second kept.
 * Codex 0.169.0 does neither: a paginated fork's file holds only its own lines (its history is a
 * `history_base` reference), and a sub-agent's counter starts at zero (its first
 * `total_token_usage` equals its `last_token_usage`), so what ccusage drops there is the child's
 * own responses (codex-rs/protocol/src/protocol.rs, TokenUsageInfo: `last_token_usage` is the
 * usage of the response just completed). The rules fire on the real-shaped homes because the mock
 * Responses API serves the same usage to every thread's first response and answers in
 * milliseconds; docs/reports.md has the measurements.
 * A legacy fork's file (a `forked_from_id` without `history_base`) starts with copies of its
 * parent's lines, re-stamped: those both ccusage and we leave to the parent; they are the counts
 * whose running total is at most the last the parent had reached at the fork. When the parent's
 * file is not in the home (a partial clone of the bench's home), we count each copied response
 * once (by its `token_usage_record`: thread and response id, domain/tokens/selectResponses.ts),
 * and ccusage counts it in every file whose rules keep it: left out when no file keeps it.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';

/** One usage event as ccusage reads it from a `token_count` line. */
interface UsageEvent {
  readonly ms: number;
  readonly day: string;
  readonly model: string;
  readonly input: number;
  readonly cached: number;
  readonly cacheWrite: number;
  readonly output: number;
  readonly reasoning: number;
  readonly total: number;
  /** `total_token_usage.total_tokens` of the line (the thread's running total), if it has one. */
  readonly runningTotal: number | null;
  /** The `token_usage_record` just before the count (thread and response id), if there is one. */
  readonly record: { readonly threadId: string; readonly responseId: string } | null;
}

interface RolloutUsage {
  readonly path: string;
  readonly id: string | null;
  readonly parentId: string | null;
  readonly createdMs: number;
  /** The file names `thread_spawn` or `forked_from_id` in its first 16 KiB (ccusage's replay-session test). */
  readonly replaySession: boolean;
  /** A fork whose file copies its parent's lines (no `history_base` reference). */
  readonly legacyFork: boolean;
  readonly events: readonly UsageEvent[];
}

export type LeftOutRule = 'prefix' | 'burst';

/** A response ccusage leaves out, with the cell it belongs to (UTC day and model). */
export interface LeftOutLine extends UsageEvent {
  readonly rollout: string;
  readonly rule: LeftOutRule;
}

const BURST_MS = 1000;

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (typeof v === 'object' && v !== null ? (v as Json) : {});
const num = (v: unknown): number => (typeof v === 'number' ? v : 0);
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);

const usageKey = (e: UsageEvent): string =>
  `${e.input}/${e.cached}/${e.cacheWrite}/${e.output}/${e.reasoning}/${e.total}`;

/** A rollout's usage events as ccusage derives them: `last_token_usage`, else the rise of `total_token_usage`; all-zero ones skipped. */
const readRollout = (path: string): RolloutUsage => {
  const text = fs.readFileSync(path, 'utf8');
  let id: string | null = null;
  let parentId: string | null = null;
  let legacyFork = false;
  let createdMs = Number.NaN;
  let model = 'gpt-5';
  let previous: Json | null = null;
  let record: UsageEvent['record'] = null;
  const events: UsageEvent[] = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const j = obj(JSON.parse(line));
    const p = obj(j.payload);
    if (j.type === 'session_meta' && id === null) {
      id = str(p.id);
      parentId = str(p.forked_from_id) ?? str(obj(obj(obj(p.source).subagent).thread_spawn).parent_thread_id);
      legacyFork = str(p.forked_from_id) !== null && p.history_base === undefined;
      createdMs = Date.parse(String(j.timestamp));
    } else if (j.type === 'turn_context') model = str(p.model) ?? model;
    else if (j.type === 'token_usage_record') {
      const threadId = str(p.thread_id);
      const responseId = str(p.response_id);
      record = threadId !== null && responseId !== null ? { threadId, responseId } : null;
    } else if (j.type === 'event_msg' && p.type === 'token_count') {
      const info = obj(p.info);
      const total = info.total_token_usage === undefined ? null : obj(info.total_token_usage);
      const last = info.last_token_usage === undefined ? null : obj(info.last_token_usage);
      const before = previous;
      if (total !== null) previous = total;
      const field = (k: string) =>
        last !== null ? num(last[k]) : total !== null ? num(total[k]) - num(before?.[k]) : 0;
      const ts = String(j.timestamp);
      const input = field('input_tokens');
      const e: UsageEvent = {
        ms: Date.parse(ts),
        day: ts.slice(0, 10),
        model,
        input,
        cached: Math.min(field('cached_input_tokens'), input),
        cacheWrite: field('cache_write_input_tokens'),
        output: field('output_tokens'),
        reasoning: field('reasoning_output_tokens'),
        total: field('total_tokens'),
        runningTotal: total === null ? null : num(total.total_tokens),
        record,
      };
      record = null;
      if (e.input !== 0 || e.cached !== 0 || e.output !== 0 || e.reasoning !== 0) events.push(e);
    }
  }
  const head = text.slice(0, 16 * 1024);
  return {
    path,
    id,
    parentId,
    createdMs,
    replaySession: head.includes('thread_spawn') || head.includes('forked_from_id'),
    legacyFork,
    events,
  };
};

/** Every `.jsonl` under the home's `sessions/` and `archived_sessions/`, in path order. */
const rolloutPaths = (home: string): string[] =>
  ['sessions', 'archived_sessions']
    .flatMap((d) => {
      const root = nodePath.join(home, d);
      return fs.existsSync(root)
        ? (fs.readdirSync(root, { recursive: true, encoding: 'utf8' }) as string[]).map((f) => nodePath.join(root, f))
        : [];
    })
    .filter((p) => p.endsWith('.jsonl'))
    .sort();

/** A child's usage events ccusage drops as replayed parent history, each with its rule, and whether it is a copy of another thread's response. */
const droppedOf = (child: RolloutUsage, parent: RolloutUsage | undefined) => {
  const replayed = (parent?.events ?? []).filter((e) => e.ms <= child.createdMs);
  const prefix = replayed.map(usageKey);
  const copiedUpTo = child.legacyFork ? Math.max(0, ...replayed.map((e) => e.runningTotal ?? 0)) : 0;
  // A copy: its record names another thread (else, without records, a legacy fork's count up to the parent's total at the fork).
  const copy = (e: UsageEvent) =>
    e.record !== null ? e.record.threadId !== child.id : child.legacyFork && (e.runningTotal ?? 0) <= copiedUpTo;
  const [first, second] = child.events;
  const burst = child.replaySession && first !== undefined && second !== undefined && second.ms - first.ms < BURST_MS;
  const dropped: Array<{ readonly e: UsageEvent; readonly rule: LeftOutRule; readonly copy: boolean }> = [];
  let matched = 0;
  let state: 'matching' | 'burst' | 'done' = 'matching';
  let before: UsageEvent | null = null;
  for (const e of child.events) {
    let rule: LeftOutRule | null = null;
    if (state === 'matching') {
      if (prefix[matched] === usageKey(e)) {
        matched += 1;
        rule = 'prefix';
      } else state = matched === 0 && burst ? 'burst' : 'done';
    }
    if (state === 'burst') {
      if (before === null || e.ms - before.ms < BURST_MS) rule = 'burst';
      else state = 'done';
    }
    if (state === 'done') break;
    before = e;
    if (rule !== null) dropped.push({ e, rule, copy: copy(e) });
  }
  return dropped;
};

const recordKey = (r: NonNullable<UsageEvent['record']>): string => `${r.threadId}\u0000${r.responseId}`;

/** The responses of the home's rollouts that ccusage leaves out (each a line we count). */
export const ccusageLeftOut = (home: string): LeftOutLine[] => {
  const rollouts = rolloutPaths(home).map(readRollout);
  const byId = new Map<string, RolloutUsage[]>();
  for (const r of rollouts) if (r.id !== null) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  const out: LeftOutLine[] = [];
  // Copies of responses of threads with no file here: ours counts each once, ccusage once per file that keeps it.
  const orphanCopies = new Map<string, LeftOutLine>();
  const orphanKept = new Set<string>();
  for (const r of rollouts) {
    const dropped =
      r.parentId === null
        ? []
        : droppedOf(
            r,
            byId.get(r.parentId)?.find((p) => p.path !== r.path),
          );
    const droppedEvents = new Set(dropped.map((d) => d.e));
    for (const e of r.events)
      if (e.record !== null && e.record.threadId !== r.id && !byId.has(e.record.threadId) && !droppedEvents.has(e))
        orphanKept.add(recordKey(e.record));
    for (const d of dropped) {
      const line: LeftOutLine = { ...d.e, rollout: nodePath.basename(r.path), rule: d.rule };
      if (!d.copy) out.push(line);
      else if (d.e.record !== null && !byId.has(d.e.record.threadId) && !orphanCopies.has(recordKey(d.e.record)))
        orphanCopies.set(recordKey(d.e.record), line);
    }
  }
  return [...out, ...[...orphanCopies].filter(([k]) => !orphanKept.has(k)).map(([, l]) => l)];
};
