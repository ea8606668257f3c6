// One compat home's rollout files in a form two builds can be compared in: ids numbered by first
// appearance; times, durations, the temporary root, process ids and the sub-agents' random
// nicknames replaced; the races Codex keeps to itself put in one order (homeDeterminism.compat).
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { discoverRollouts, type CompatHome } from './scenarios.js';

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;
const ISO_TIME = /\d{4}-\d{2}-\d{2}T\d{2}[:-]\d{2}[:-]\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?/g;
/** `sessions/YYYY/MM/DD/` (also `archived_sessions/…`): the day folder of a rollout. */
const SESSION_DAY = /(sessions\/)\d{4}\/\d{2}\/\d{2}\//g;
/** Keys whose values are clock readings or measured durations. */
const CLOCK_KEYS = new Set([
  'timestamp',
  'started_at',
  'completed_at',
  'started_at_ms',
  'completed_at_ms',
  'create_time',
  'duration_ms',
  'time_to_first_token_ms',
  'duration',
  'wall_time_seconds',
  'turn_started_at_unix_ms',
  'occurred_at_ms',
]);
/** Keys whose values are drawn per run: a sub-agent's nickname (Codex picks it at random), a process id. */
const RANDOM_KEYS = new Set(['agent_nickname', 'process_id']);
/**
 * Keys whose values count bytes of a file holding such values: a sub-agent's `history_base` ends
 * at its parent's file's length, which holds the nickname Codex drew.
 */
const RANDOM_LENGTH_KEYS = new Set(['end_byte_offset']);

/**
 * The one race Codex keeps to itself: a spawn's end item records the new agent's state while the
 * agent starts in a task of its own (`pending_init` or already `running`); no reply the mock holds
 * comes before it. Those two read alike; any other state is compared.
 */
const STARTING_STATES = new Set(['pending_init', 'running']);

/**
 * The second race Codex keeps to itself (found by the clean-clone CI run of e7beb57, rich-paginated):
 * when a tool call ends, its `item_completed` event and its `function_call_output` are written by
 * two tasks of Codex, in either order (the steered command `call_slow_1` was written output-first
 * in one build, event-first in the other, all else equal). An adjacent pair of those two lines for
 * one call is put in one order, the event first, each keeping the ordinal of its place (a
 * paginated file numbers its lines as written: the pair's ordinals are the same two either way,
 * found by the clean-clone run of ae5aa17); any other order is compared as written.
 */
const toolEndsInOneOrder = (lines: ReadonlyArray<unknown>): unknown[] => {
  type Line = {
    type?: unknown;
    ordinal?: unknown;
    payload?: { type?: unknown; call_id?: unknown; item?: { id?: unknown } };
  };
  const endEvent = (l: Line): unknown =>
    l.type === 'event_msg' && l.payload?.type === 'item_completed' ? l.payload.item?.id : undefined;
  const output = (l: Line): unknown =>
    l.type === 'response_item' && l.payload?.type === 'function_call_output' ? l.payload.call_id : undefined;
  const out = [...lines];
  for (let i = 0; i + 1 < out.length; i++) {
    const [a, b] = [out[i] as Line, out[i + 1] as Line];
    const call = output(a);
    if (call !== undefined && endEvent(b) === call)
      [out[i], out[i + 1]] =
        'ordinal' in a || 'ordinal' in b
          ? [
              { ...b, ordinal: a.ordinal },
              { ...a, ordinal: b.ordinal },
            ]
          : [b, a];
  }
  return out;
};

/**
 * Each rollout file's lines as `type` or `type/payload.type` (`…/item.type` for `item_completed`):
 * what a failing comparison shows first, before the lines' content.
 */
export function lineKinds(files: Record<string, unknown>): Record<string, string[]> {
  type Line = { type?: unknown; payload?: { type?: unknown; item?: { type?: unknown } } };
  const kind = (l: Line): string =>
    [l.type, l.payload?.type, l.payload?.item?.type].filter((part) => typeof part === 'string').join('/');
  return Object.fromEntries(Object.entries(files).map(([file, lines]) => [file, (lines as Line[]).map(kind)]));
}

/** One home's files in a form two runs can be compared in: ids numbered by first appearance, times, nicknames and the root replaced. */
export function normalisedHome(home: CompatHome): Record<string, unknown> {
  const root = join(home.codexHome, '..');
  // Files in the order Codex created their threads (the scenario's order), so ids number alike.
  const rollouts = discoverRollouts(home.codexHome)
    .map((r) => {
      const lines = readFileSync(r.path, 'utf8')
        .split('\n')
        .filter((l) => l !== '');
      return { ...r, lines, createdAt: (JSON.parse(lines[0]!) as { timestamp: string }).timestamp };
    })
    .sort((a, b) => (a.createdAt < b.createdAt ? -1 : a.createdAt > b.createdAt ? 1 : a.path < b.path ? -1 : 1));
  const nicknames = new Set(
    rollouts.flatMap((r) =>
      r.lines.flatMap((l) => [...l.matchAll(/"(?:agent_)?nickname\\?":\\?"([A-Za-z]+)/g)].map((m) => m[1]!)),
    ),
  );
  const nickname = nicknames.size === 0 ? null : new RegExp(`\\b(?:${[...nicknames].join('|')})\\b`, 'g');
  const ids = new Map<string, string>();
  const text = (s: string): string => {
    const named = s
      .split(root)
      .join('<root>')
      .replace(UUID, (id) => {
        if (!ids.has(id)) ids.set(id, `<id-${ids.size + 1}>`);
        return ids.get(id)!;
      })
      .replace(ISO_TIME, '<time>')
      // Codex files a rollout under the day it was created: two builds either side of midnight.
      .replace(SESSION_DAY, '$1<day>/')
      .replace(/Wall time: [0-9.]+ seconds/g, 'Wall time: <duration> seconds')
      .replace(/Chunk ID: [0-9a-f]+/g, 'Chunk ID: <random>');
    return nickname === null ? named : named.replace(nickname, '<nickname>');
  };
  const value = (v: unknown, key?: string): unknown => {
    if (key === 'agents_states' && typeof v === 'object' && v !== null)
      return agentStates(v as Record<string, unknown>);
    if (key !== undefined && CLOCK_KEYS.has(key) && v !== null) return '<time>';
    if (key !== undefined && (RANDOM_KEYS.has(key) || RANDOM_LENGTH_KEYS.has(key)) && v !== null) return '<random>';
    if (typeof v === 'string') return text(v);
    if (Array.isArray(v)) return v.map((x) => value(x));
    if (typeof v === 'object' && v !== null)
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [text(k), value(x, k)]));
    return v;
  };
  const agentStates = (states: Record<string, unknown>): Record<string, unknown> =>
    Object.fromEntries(
      Object.entries(states).map(([id, state]) => [
        text(id),
        typeof state === 'string' && STARTING_STATES.has(state) ? '<starting>' : value(state),
      ]),
    );
  const files: Record<string, unknown> = {};
  for (const r of rollouts)
    files[text(relative(home.codexHome, r.path))] = toolEndsInOneOrder(
      r.lines.map((l) => JSON.parse(l) as unknown),
    ).map((l) => value(l));
  return files;
}
