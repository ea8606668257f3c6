import type { LineIn } from '../../../../projections/runner.js';
import type { RolloutEvent } from '../../../../domain/rollout/event.js';
import type { TokenUsage } from '../../../../domain/rollout/kinds/common.js';
import type { TokenLineFields } from '../../../../projections/tokenLineFields.js';
import { TOKEN_USAGE_KEYS } from '../../../../projections/tokenLineFields.js';

/**
 * One read's lines as the token reader thread posts them (tokenReaderThread.ts): numbers in one
 * array, strings in one string. Posted as objects, they were cloned into as many objects on the
 * folding thread, which held them until their turn, long enough to be promoted: its collector
 * took a quarter of a fresh report. Packed, the objects are made as each line is folded and die
 * young. Every value the fold is given is carried as it is: numbers as doubles (what JSON numbers
 * are), a usage's missing counts as missing.
 */
export interface PackedTokenLines {
  readonly numbers: ReadonlyArray<number>;
  readonly strings: string;
}

/** How a line is carried: its text (read by the full decode on the folding thread), or the fields of one of the kinds read from the bytes. */
const TEXT = 0;
const TOKEN_COUNT = 1;
const TASK_STARTED = 2;
const TURN_CONTEXT = 3;
const TOKEN_USAGE_RECORD = 4;

/** An optional string: absent, null, or its range in `strings`. */
const ABSENT = -1;
const NULL = -2;

const USAGE_KEYS = TOKEN_USAGE_KEYS;

class Packer {
  readonly numbers: number[] = [];
  private readonly parts: string[] = [];
  private length = 0;
  string(s: string): void {
    this.numbers.push(this.length, s.length);
    this.parts.push(s);
    this.length += s.length;
  }
  optional(s: string | null | undefined): void {
    if (s === undefined) this.numbers.push(ABSENT, 0);
    else if (s === null) this.numbers.push(NULL, 0);
    else this.string(s);
  }
  /** A usage: a mask of the counts present, then the six (0 where missing). */
  usage(u: TokenUsage | null | undefined): void {
    if (u === undefined || u === null) {
      this.numbers.push(u === null ? NULL : ABSENT);
      return;
    }
    let mask = 0;
    for (let k = 0; k < USAGE_KEYS.length; k++) if (u[USAGE_KEYS[k]!] !== undefined) mask |= 1 << k;
    this.numbers.push(mask);
    for (const key of USAGE_KEYS) this.numbers.push(u[key] ?? 0);
  }
  done(): PackedTokenLines {
    return { numbers: this.numbers, strings: this.parts.join('') };
  }
}

const packFields = (pk: Packer, f: TokenLineFields): void => {
  const ev = f.event;
  const n = pk.numbers;
  switch (ev.kind) {
    case 'tokenCount': {
      n.push(TOKEN_COUNT);
      const info = ev.payload.info as { total_token_usage: TokenUsage; last_token_usage?: TokenUsage | null } | null | undefined;
      if (info === undefined || info === null) n.push(info === null ? NULL : ABSENT);
      else {
        n.push(0);
        pk.usage(info.total_token_usage);
        pk.usage(info.last_token_usage);
      }
      break;
    }
    case 'taskStarted':
      n.push(TASK_STARTED);
      pk.string(ev.payload.turn_id);
      break;
    case 'turnContext':
      n.push(TURN_CONTEXT);
      pk.optional(ev.payload.turn_id);
      pk.optional(ev.payload.model);
      pk.optional(ev.payload.cwd);
      break;
    case 'tokenUsageRecord':
      n.push(TOKEN_USAGE_RECORD);
      pk.usage(ev.payload.usage);
      pk.optional(ev.payload.thread_id);
      pk.optional(ev.payload.turn_id);
      pk.optional(ev.payload.response_id);
      break;
    default:
      throw new Error(`packTokenLines: ${ev.kind} is not read from the bytes`);
  }
  pk.string(f.timestamp);
  n.push(f.ordinal ?? Number.NaN);
};

export const packTokenLines = (lines: ReadonlyArray<LineIn>): PackedTokenLines => {
  const pk = new Packer();
  for (const l of lines) {
    pk.numbers.push(l.line, l.byteOffset, l.byteLength);
    if (l.fields !== undefined) packFields(pk, l.fields);
    else {
      // The reader gives a line the fold reads its text (never null: those it leaves out).
      pk.numbers.push(TEXT, (l.prefixRead === true ? 1 : 0) | (l.elided === true ? 2 : 0));
      pk.string(l.text!);
    }
  }
  return pk.done();
};

/** Give `take` each line, made as it is taken. */
export const unpackTokenLines = (p: PackedTokenLines, take: (l: LineIn) => void): void => {
  const n = p.numbers;
  const s = p.strings;
  let i = 0;
  const str = (): string => {
    const from = n[i]!;
    const len = n[i + 1]!;
    i += 2;
    return s.slice(from, from + len);
  };
  const optional = (): string | null | undefined => {
    const from = n[i]!;
    if (from === ABSENT || from === NULL) {
      i += 2;
      return from === NULL ? null : undefined;
    }
    return str();
  };
  const usage = (): TokenUsage | null | undefined => {
    const mask = n[i++]!;
    if (mask === ABSENT || mask === NULL) return mask === NULL ? null : undefined;
    if (mask === 0b111111) {
      const u = {
        input_tokens: n[i]!,
        cached_input_tokens: n[i + 1]!,
        cache_write_input_tokens: n[i + 2]!,
        output_tokens: n[i + 3]!,
        reasoning_output_tokens: n[i + 4]!,
        total_tokens: n[i + 5]!,
      };
      i += 6;
      return u;
    }
    const u: { -readonly [K in keyof TokenUsage]: TokenUsage[K] } = {};
    for (let k = 0; k < USAGE_KEYS.length; k++) if ((mask & (1 << k)) !== 0) u[USAGE_KEYS[k]!] = n[i + k]!;
    i += 6;
    return u;
  };
  while (i < n.length) {
    const line = n[i]!;
    const byteOffset = n[i + 1]!;
    const byteLength = n[i + 2]!;
    const kind = n[i + 3]!;
    i += 4;
    if (kind === TEXT) {
      const flags = n[i++]!;
      const text = str();
      const l: { -readonly [K in keyof LineIn]: LineIn[K] } = { line, byteOffset, byteLength, text };
      if ((flags & 2) !== 0) l.elided = true;
      if ((flags & 1) !== 0) l.prefixRead = true;
      take(l);
      continue;
    }
    let event: RolloutEvent;
    let type = 'event_msg';
    let payloadType: string | undefined;
    if (kind === TOKEN_COUNT) {
      payloadType = 'token_count';
      const infoAt = n[i++]!;
      if (infoAt === ABSENT) event = { kind: 'tokenCount', payload: { type: 'token_count' } };
      else if (infoAt === NULL) event = { kind: 'tokenCount', payload: { type: 'token_count', info: null } };
      else {
        const total = usage() as TokenUsage;
        const last = usage();
        event = {
          kind: 'tokenCount',
          payload: { type: 'token_count', info: last === undefined ? { total_token_usage: total } : { total_token_usage: total, last_token_usage: last } },
        };
      }
    } else if (kind === TASK_STARTED) {
      payloadType = 'task_started';
      event = { kind: 'taskStarted', payload: { type: 'task_started', turn_id: str() } };
    } else if (kind === TURN_CONTEXT) {
      type = 'turn_context';
      const payload: { turn_id?: string | null; model?: string | null; cwd?: string | null } = {};
      const turnId = optional();
      const model = optional();
      const cwd = optional();
      if (turnId !== undefined) payload.turn_id = turnId;
      if (model !== undefined) payload.model = model;
      if (cwd !== undefined) payload.cwd = cwd;
      event = { kind: 'turnContext', payload };
    } else {
      type = 'token_usage_record';
      const used = usage()!;
      const payload: { usage: TokenUsage; thread_id?: string | null; turn_id?: string | null; response_id?: string | null } = { usage: used };
      const threadId = optional();
      const turnId = optional();
      const responseId = optional();
      if (threadId !== undefined) payload.thread_id = threadId;
      if (turnId !== undefined) payload.turn_id = turnId;
      if (responseId !== undefined) payload.response_id = responseId;
      event = { kind: 'tokenUsageRecord', payload };
    }
    const timestamp = str();
    const ordinal = n[i++]!;
    const fields: TokenLineFields = { timestamp, ordinal: Number.isNaN(ordinal) ? undefined : ordinal, type, payloadType, event };
    take({ line, byteOffset, byteLength, text: null, fields });
  }
};
