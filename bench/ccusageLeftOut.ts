/**
 * The responses ccusage (20.0.24, `ccusage codex daily`) leaves out of a home, found line by line
 * so the tokens bench (bench/tokensVsCcusage.ts) can tell an explained cell from an unexplained
 * one. ccusage treats the first `token_count` lines of a child rollout (a fork: `forked_from_id`;
 * a sub-agent: `source.subagent.thread_spawn.parent_thread_id`) as history replayed from the
 * parent and drops them when either
 * - `prefix`: their usage equals, in order, the usage events the parent's file recorded up to the
 *   child's `session_meta` stamp (its CodexReplayPlan, adapter/codex/replay.rs), or
 * - `burst`: none matched, the file names `thread_spawn` in its first 16 KiB, and its first two
 *   usage events lie within a second: then every leading event within a second of the first
 *   (its "rewritten-second" fallback; measured on 20.0.24: 999 ms apart dropped, 1,001 kept).
 * Codex 0.169.0 does neither: a paginated fork's file holds only its own lines (its history is a
 * `history_base` reference), and a sub-agent's counter starts at zero (its first
 * `total_token_usage` equals its `last_token_usage`), so what ccusage drops there is the child's
 * own responses (codex-rs/protocol/src/protocol.rs, TokenUsageInfo: `last_token_usage` is the
 * usage of the response just completed). The rules fire on the real-shaped homes because the mock
 * Responses API serves the same usage to every thread's first response and answers in
 * milliseconds; docs/reports.md has the measurements.
 * A legacy fork's file (a `forked_from_id` without `history_base`) starts with copies of its
 * parent's lines, re-stamped: those both ccusage and we leave to the parent; they are the counts
 * whose running total is at most the last the parent had reached at the fork.
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
}

interface RolloutUsage {
  readonly path: string;
  readonly id: string | null;
  readonly parentId: string | null;
  readonly createdMs: number;
  readonly spawned: boolean;
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

const usageKey = (e: UsageEvent): string => `${e.input}/${e.cached}/${e.cacheWrite}/${e.output}/${e.reasoning}/${e.total}`;

/** A rollout's usage events as ccusage derives them: `last_token_usage`, else the rise of `total_token_usage`; all-zero ones skipped. */
const readRollout = (path: string): RolloutUsage => {
  const text = fs.readFileSync(path, 'utf8');
  let id: string | null = null;
  let parentId: string | null = null;
  let legacyFork = false;
  let createdMs = Number.NaN;
  let model = 'gpt-5';
  let previous: Json | null = null;
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
    else if (j.type === 'event_msg' && p.type === 'token_count') {
      const info = obj(p.info);
      const total = info.total_token_usage === undefined ? null : obj(info.total_token_usage);
      const last = info.last_token_usage === undefined ? null : obj(info.last_token_usage);
      const before = previous;
      if (total !== null) previous = total;
      const field = (k: string) => (last !== null ? num(last[k]) : total !== null ? num(total[k]) - num(before?.[k]) : 0);
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
      };
      if (e.input !== 0 || e.cached !== 0 || e.output !== 0 || e.reasoning !== 0) events.push(e);
    }
  }
  return { path, id, parentId, createdMs, spawned: text.slice(0, 16 * 1024).includes('thread_spawn'), legacyFork, events };
};

/** Every `.jsonl` under the home's `sessions/` and `archived_sessions/`, in path order. */
const rolloutPaths = (home: string): string[] =>
  ['sessions', 'archived_sessions']
    .flatMap((d) => {
      const root = nodePath.join(home, d);
      return fs.existsSync(root) ? (fs.readdirSync(root, { recursive: true, encoding: 'utf8' }) as string[]).map((f) => nodePath.join(root, f)) : [];
    })
    .filter((p) => p.endsWith('.jsonl'))
    .sort();

/** The child's own responses ccusage drops as replayed parent history. */
const leftOutOf = (child: RolloutUsage, parent: RolloutUsage | undefined): LeftOutLine[] => {
  const replayed = (parent?.events ?? []).filter((e) => e.ms <= child.createdMs);
  const prefix = replayed.map(usageKey);
  const copiedUpTo = child.legacyFork ? Math.max(0, ...replayed.map((e) => e.runningTotal ?? 0)) : 0;
  const own = (e: UsageEvent) => !child.legacyFork || (e.runningTotal ?? 0) > copiedUpTo;
  const [first, second] = child.events;
  const burst = child.spawned && first !== undefined && second !== undefined && second.ms - first.ms < BURST_MS ? first.ms : null;
  const out: LeftOutLine[] = [];
  let matched = 0;
  let state: 'matching' | 'burst' | 'done' = 'matching';
  for (const e of child.events) {
    let rule: LeftOutRule | null = null;
    if (state === 'matching') {
      if (prefix[matched] === usageKey(e)) {
        matched += 1;
        rule = 'prefix';
      } else state = matched === 0 && burst !== null ? 'burst' : 'done';
    }
    if (state === 'burst') {
      if (e.ms - burst! < BURST_MS) rule = 'burst';
      else state = 'done';
    }
    if (state === 'done') break;
    if (rule !== null && own(e)) out.push({ ...e, rollout: nodePath.basename(child.path), rule });
  }
  return out;
};

/** The responses of the home's rollouts that ccusage leaves out (each a line we count). */
export const ccusageLeftOut = (home: string): LeftOutLine[] => {
  const rollouts = rolloutPaths(home).map(readRollout);
  const byId = new Map<string, RolloutUsage[]>();
  for (const r of rollouts) if (r.id !== null) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  return rollouts.flatMap((r) =>
    r.parentId === null
      ? []
      : leftOutOf(
          r,
          byId.get(r.parentId)?.find((p) => p.path !== r.path),
        ),
  );
};
