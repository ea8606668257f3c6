/**
 * The payload readers of projections/tokenLineFields.ts, one per kind the token fold reads most
 * (`token_count`, `task_started`, `turn_context`, `token_usage_record`): each walks its payload at
 * the line's cursor (tokenLineCursor.ts) and gives the event the full decode would, or undefined
 * when its bytes are not what the kind's codec (domain/rollout/kinds/) accepts. Pure.
 */
import type { RolloutEvent } from '../domain/rollout/event.js';
import type { TokenUsage } from '../domain/rollout/kinds/common.js';
import { bytesOf } from './linePrefix.js';
import {
  CLOSE_BRACE,
  holdsAt,
  isNull,
  isString,
  keys,
  moveTo,
  NOT_TAKEN,
  number,
  numberOrNull,
  peek,
  plainString,
  position,
  QUOTE,
  skipByte,
  stringOrNull,
  walkObject,
  type Taken,
} from './tokenLineCursor.js';

/** `TokenUsage`'s six counts, in the order Codex writes them. */
export const TOKEN_USAGE_KEYS = [
  'input_tokens',
  'cached_input_tokens',
  'cache_write_input_tokens',
  'output_tokens',
  'reasoning_output_tokens',
  'total_tokens',
] as const;
const USAGE_KEYS = keys(...TOKEN_USAGE_KEYS);
/** The six counts as Codex writes them, each key with what comes before it: the usual usage is matched as a whole. */
const USAGE_LAYOUT = TOKEN_USAGE_KEYS.map((k, i) => bytesOf(`${i === 0 ? '{' : ','}"${k}":`));
/** What a usage the caller only checks stands for (`built` false). */
const CHECKED: TokenUsage = {};
/** A usage with all six counts: one literal of them, whatever the order they were read in. */
const fullUsage = (
  input: number,
  cached: number,
  cacheWrite: number,
  output: number,
  reasoning: number,
  total: number,
): TokenUsage => ({
  input_tokens: input,
  cached_input_tokens: cached,
  cache_write_input_tokens: cacheWrite,
  output_tokens: output,
  reasoning_output_tokens: reasoning,
  total_tokens: total,
});
/** A usage's counts read key by key, by key index (undefined: absent). */
const counts: Array<number | undefined> = [undefined, undefined, undefined, undefined, undefined, undefined];
const countField = (k: number): boolean => {
  const n = number();
  counts[k] = n;
  return n !== undefined;
};
/** `TokenUsage` (domain/rollout/kinds/common.ts): an object whose six counts, where present, are numbers. */
const usage = (depth: number, built = true): Taken<TokenUsage> => {
  const from = position();
  if (holdsAt(USAGE_LAYOUT[0]!)) {
    const input = number();
    if (input !== undefined && holdsAt(USAGE_LAYOUT[1]!)) {
      const cached = number();
      if (cached !== undefined && holdsAt(USAGE_LAYOUT[2]!)) {
        const cacheWrite = number();
        if (cacheWrite !== undefined && holdsAt(USAGE_LAYOUT[3]!)) {
          const output = number();
          if (output !== undefined && holdsAt(USAGE_LAYOUT[4]!)) {
            const reasoning = number();
            if (reasoning !== undefined && holdsAt(USAGE_LAYOUT[5]!)) {
              const total = number();
              if (total !== undefined && skipByte(CLOSE_BRACE)) {
                if (!built) return CHECKED;
                return fullUsage(input, cached, cacheWrite, output, reasoning, total);
              }
            }
          }
        }
      }
    }
  }
  // Another layout: key by key.
  moveTo(from);
  counts.fill(undefined);
  if (!walkObject(depth, USAGE_KEYS, countField)) return NOT_TAKEN;
  const input = counts[0];
  const cached = counts[1];
  const cacheWrite = counts[2];
  const output = counts[3];
  const reasoning = counts[4];
  const total = counts[5];
  // Codex writes all six; absent ones as the decode leaves them, missing.
  if (
    input !== undefined &&
    cached !== undefined &&
    cacheWrite !== undefined &&
    output !== undefined &&
    reasoning !== undefined &&
    total !== undefined
  )
    return fullUsage(input, cached, cacheWrite, output, reasoning, total);
  const u: { -readonly [K in keyof TokenUsage]: TokenUsage[K] } = {};
  if (input !== undefined) u.input_tokens = input;
  if (cached !== undefined) u.cached_input_tokens = cached;
  if (cacheWrite !== undefined) u.cache_write_input_tokens = cacheWrite;
  if (output !== undefined) u.output_tokens = output;
  if (reasoning !== undefined) u.reasoning_output_tokens = reasoning;
  if (total !== undefined) u.total_tokens = total;
  return u;
};
const usageOrNull = (depth: number, built = true): Taken<TokenUsage | null> => (isNull() ? null : usage(depth, built));

/**
 * `event_msg/token_count` (`TokenCount`: `info`, `rate_limits` unknown to the codec). Taken only
 * when `info` is null or absent, or an object whose `total_token_usage` is a usage and whose
 * `last_token_usage`, if present, a usage or null (what the fold's `CountInfo` reads); any other
 * info (Codex writes none) goes to the full decode.
 */
const TOKEN_COUNT = bytesOf('token_count');
const TOKEN_COUNT_KEYS = keys('type', 'info');
const INFO_KEYS = keys('total_token_usage', 'last_token_usage');
let total: Taken<TokenUsage> | undefined;
let last: Taken<TokenUsage | null> | undefined;
const infoField = (k: number): boolean => {
  if (k === 0) total = usage(3);
  else last = usageOrNull(3);
  return (k === 0 ? total : last) !== NOT_TAKEN;
};
let typed = false;
let info: { total_token_usage: TokenUsage; last_token_usage?: TokenUsage | null } | null | undefined;
const tokenCountField = (k: number): boolean => {
  if (k === 0) return (typed = isString(TOKEN_COUNT));
  if (isNull()) {
    info = null;
    return true;
  }
  total = undefined;
  last = undefined;
  if (!walkObject(2, INFO_KEYS, infoField) || total === undefined || total === NOT_TAKEN || last === NOT_TAKEN)
    return false;
  info = last === undefined ? { total_token_usage: total } : { total_token_usage: total, last_token_usage: last };
  return true;
};
export const tokenCount = (): RolloutEvent | undefined => {
  typed = false;
  info = undefined;
  if (!walkObject(1, TOKEN_COUNT_KEYS, tokenCountField) || !typed) return undefined;
  return { kind: 'tokenCount', payload: info === undefined ? { type: 'token_count' } : { type: 'token_count', info } };
};

/** `event_msg/task_started` (`TaskStarted`): `turn_id` a string; the codec's other typed fields of their types. */
const TASK_STARTED = bytesOf('task_started');
const TASK_STARTED_KEYS = keys(
  'type',
  'turn_id',
  'root_turn_id',
  'started_at',
  'model_context_window',
  'collaboration_mode_kind',
);
let turnId: string | undefined;
const taskStartedField = (k: number): boolean => {
  switch (k) {
    case 0:
      return (typed = isString(TASK_STARTED));
    case 1:
      turnId = peek() === QUOTE ? plainString() : undefined;
      return turnId !== undefined;
    case 2:
    case 5:
      return stringOrNull() !== NOT_TAKEN;
    default:
      return numberOrNull() !== NOT_TAKEN;
  }
};
export const taskStarted = (): RolloutEvent | undefined => {
  typed = false;
  turnId = undefined;
  if (!walkObject(1, TASK_STARTED_KEYS, taskStartedField) || !typed || turnId === undefined) return undefined;
  return { kind: 'taskStarted', payload: { type: 'task_started', turn_id: turnId } };
};

/** The string-or-null fields a kind's fold reads, by key index (undefined: absent). */
const strings: Array<string | null | undefined> = [undefined, undefined, undefined];

/** `turn_context` (`TurnContextPayload`): its five typed fields strings or null; a payload `type` goes to the full decode. */
const TURN_CONTEXT_KEYS = keys('turn_id', 'model', 'cwd', 'root_turn_id', 'effort', 'type');
const turnContextField = (k: number): boolean => {
  if (k === 5) return false;
  const v = stringOrNull();
  if (v === NOT_TAKEN) return false;
  if (k < 3) strings[k] = v;
  return true;
};
export const turnContext = (): RolloutEvent | undefined => {
  strings[0] = strings[1] = strings[2] = undefined;
  if (!walkObject(1, TURN_CONTEXT_KEYS, turnContextField)) return undefined;
  const payload: { turn_id?: string | null; model?: string | null; cwd?: string | null } = {};
  if (strings[0] !== undefined) payload.turn_id = strings[0];
  if (strings[1] !== undefined) payload.model = strings[1];
  if (strings[2] !== undefined) payload.cwd = strings[2];
  return { kind: 'turnContext', payload };
};

/** `token_usage_record` (`TokenUsageRecordPayload`): `usage` a usage; its ids strings or null, its sums usages or null. */
const RECORD_KEYS = keys(
  'thread_id',
  'turn_id',
  'response_id',
  'usage',
  'session_id',
  'root_turn_id',
  'turn_token_usage',
  'thread_token_usage',
  'type',
);
let used: Taken<TokenUsage> | undefined;
const recordField = (k: number): boolean => {
  if (k === 3) {
    used = usage(2);
    return used !== NOT_TAKEN;
  }
  if (k === 8) return false;
  if (k >= 6) return usageOrNull(2, false) !== NOT_TAKEN; // the record's sums: checked, not read
  const v = stringOrNull();
  if (v === NOT_TAKEN) return false;
  if (k < 3) strings[k] = v;
  return true;
};
export const tokenUsageRecord = (): RolloutEvent | undefined => {
  used = undefined;
  strings[0] = strings[1] = strings[2] = undefined;
  if (!walkObject(1, RECORD_KEYS, recordField) || used === undefined || used === NOT_TAKEN) return undefined;
  const payload: {
    usage: TokenUsage;
    thread_id?: string | null;
    turn_id?: string | null;
    response_id?: string | null;
  } = { usage: used };
  if (strings[0] !== undefined) payload.thread_id = strings[0];
  if (strings[1] !== undefined) payload.turn_id = strings[1];
  if (strings[2] !== undefined) payload.response_id = strings[2];
  return { kind: 'tokenUsageRecord', payload };
};
