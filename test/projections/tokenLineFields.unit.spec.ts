import { expect } from 'chai';
import fc from 'fast-check';
import { tokenLineFields } from '../../projections/tokenLineFields.js';
import { TOKEN_USAGE_KEYS } from '../../projections/tokenLinePayloads.js';
import { decodeLine } from '../../projections/lazyLine.js';
import { classifyRolloutLine } from '../../domain/rollout/event.js';
import { payloadType } from '../../domain/rollout/line.js';
import { foldTokenEvent } from '../../domain/tokens/responseFold.js';
import type { TokenFileState } from '../../domain/tokens/responseFold.js';
import { CODEX_TOKEN_LINES } from '../fixtures/codexTokenLines.js';

/** Fold states that take each branch of the token fold: the file's first count, a running total, a record just before. */
const STATES: ReadonlyArray<TokenFileState> = [
  {
    threadId: 't',
    copyOf: null,
    model: null,
    provider: null,
    cwd: null,
    turnId: null,
    lastTotal: null,
    recordSinceCount: false,
  },
  {
    threadId: 't',
    copyOf: 'src',
    model: 'm',
    provider: 'p',
    cwd: '/w',
    turnId: 'u',
    lastTotal: {
      inputTokens: 100,
      cachedInputTokens: 10,
      cacheWriteInputTokens: 0,
      outputTokens: 5,
      reasoningOutputTokens: 0,
      totalTokens: 105,
    },
    recordSinceCount: false,
  },
  {
    threadId: 't',
    copyOf: null,
    model: 'm',
    provider: null,
    cwd: null,
    turnId: 'u',
    lastTotal: null,
    recordSinceCount: true,
  },
];

/**
 * The property: where the fields are read from the bytes, the full decode (JSON.parse, the
 * envelope's codec, the kind's codec) gives the same envelope and an event the token fold folds
 * the same way, from every state. Returns whether the fields were read.
 */
const agrees = (line: string): boolean => {
  const bytes = Buffer.from(`${line}\n`, 'utf8');
  const fields = tokenLineFields(bytes, 0, bytes.length - 1);
  if (fields === undefined) return false;
  // The full decode reads the text of the same bytes, as the reader does: a generated string with a
  // lone surrogate has no UTF-8 form, and its bytes hold U+FFFD instead (seed 1186770622 found it).
  const decoded = decodeLine(bytes.toString('utf8', 0, bytes.length - 1));
  expect(decoded.kind, line).to.equal('decoded');
  if (decoded.kind !== 'decoded') return true;
  const ev = classifyRolloutLine(decoded.line);
  expect(ev.kind, line).to.equal(fields.event.kind);
  expect(fields.timestamp, line).to.equal(decoded.line.timestamp);
  expect(fields.ordinal, line).to.equal(decoded.line.ordinal);
  expect(fields.type, line).to.equal(decoded.line.type);
  expect(fields.payloadType, line).to.equal(payloadType(decoded.line));
  for (const s of STATES)
    expect(foldTokenEvent(s, fields.event, fields.timestamp), line).to.deep.equal(
      foldTokenEvent(s, ev, decoded.line.timestamp),
    );
  return true;
};

// Values dense in what the codecs and the fold tell apart.
const count = fc.oneof(
  fc.nat(),
  fc.integer({ min: -5, max: 5 }),
  fc.constantFrom(0, 1e15, 12345678901234567, 1e400, -0, 1.5, 2e-3),
  fc.double({ noNaN: true }),
);
const countValue = fc.oneof(
  { weight: 8, arbitrary: count },
  { weight: 1, arbitrary: fc.constantFrom<unknown>('7', null, true, [], {}) },
);
const usage = fc.oneof(
  {
    weight: 6,
    arbitrary: fc
      .tuple(...TOKEN_USAGE_KEYS.map(() => count))
      .map((ns) => Object.fromEntries(TOKEN_USAGE_KEYS.map((k, i) => [k, ns[i]]))),
  },
  { weight: 2, arbitrary: fc.dictionary(fc.constantFrom(...TOKEN_USAGE_KEYS, 'other'), countValue) },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 3, 'u', []) },
);
const id = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom('01a216d2-ef07-7f31-b7c4-6e9bb4a78dfb', 'resp_0001', '', 'é/😀') },
  { weight: 1, arbitrary: fc.constantFrom<unknown>(null, 'a\\"b', 4, {}) },
);
const anyJson = fc.jsonValue({ maxDepth: 3 });
const envelope = (type: string, payload: fc.Arbitrary<unknown>) =>
  fc
    .record({
      timestamp: fc.constantFrom('2026-11-26T07:47:32.236Z', '', 'x\ny'),
      ordinal: fc.option(fc.oneof(fc.nat(), fc.constant(1.5)), { nil: undefined }),
      payload,
    })
    .map(({ timestamp, ordinal, payload }) =>
      JSON.stringify(ordinal === undefined ? { timestamp, type, payload } : { timestamp, ordinal, type, payload }),
    );
/** Objects with Codex's keys in its order, some left out, some of another type, some added. */
const payload = (fields: Record<string, fc.Arbitrary<unknown>>) => fc.record(fields, { requiredKeys: [] });

const tokenCount = envelope(
  'event_msg',
  payload({
    type: fc.constantFrom<unknown>('token_count', 'token_count', 'task_started', 1),
    info: fc.oneof(
      fc.constant(null),
      payload({
        total_token_usage: usage,
        last_token_usage: usage,
        last_usage_includes_reasoning: fc.boolean(),
        model_context_window: fc.option(fc.nat()),
      }),
      anyJson,
    ),
    rate_limits: anyJson,
  }),
);
const record = envelope(
  'token_usage_record',
  payload({
    thread_id: id,
    turn_id: id,
    session_id: id,
    root_turn_id: id,
    response_id: id,
    usage,
    turn_token_usage: usage,
    thread_token_usage: usage,
    type: fc.constant('x'),
  }),
);
const taskStarted = envelope(
  'event_msg',
  payload({
    type: fc.constantFrom<unknown>('task_started', 'task_started', 'token_count'),
    turn_attribution: anyJson,
    turn_id: id,
    root_turn_id: id,
    started_at: fc.oneof(fc.nat(), fc.constant<unknown>('1')),
    model_context_window: fc.oneof(fc.nat(), fc.constant<unknown>(null), fc.constant<unknown>(false)),
    collaboration_mode_kind: id,
  }),
);
const turnContext = envelope(
  'turn_context',
  payload({
    turn_id: id,
    root_turn_id: id,
    cwd: id,
    approval_policy: anyJson,
    model: id,
    effort: id,
    summary: anyJson,
    sandbox_policy: anyJson,
    type: fc.constant('x'),
  }),
);
const generated = fc.oneof(tokenCount, record, taskStarted, turnContext);

/** A line changed by a few edits at random places: bytes inserted, deleted, replaced, or a stretch doubled (a key given twice). */
const edited = (line: fc.Arbitrary<string>) =>
  fc
    .tuple(
      line,
      fc.array(
        fc.tuple(
          fc.constantFrom('insert', 'delete', 'replace', 'double'),
          fc.nat(),
          fc.nat(40),
          fc.constantFrom(' ', '"', '\\', ',', '}', ']', '{', ':', '0', '-', 'e', '.', 'n', '\u0001', 'é', 'u'),
        ),
        { minLength: 1, maxLength: 3 },
      ),
    )
    .map(([l, edits]) => {
      let s = l;
      for (const [op, at0, len, c] of edits) {
        const at = at0 % (s.length + 1);
        if (op === 'insert') s = s.slice(0, at) + c + s.slice(at);
        else if (op === 'delete') s = s.slice(0, at) + s.slice(at + 1);
        else if (op === 'replace') s = s.slice(0, at) + c + s.slice(at + 1);
        else s = s.slice(0, at + len) + s.slice(at, at + len) + s.slice(at + len);
      }
      return s;
    });

describe('token line fields read from the bytes', () => {
  it('reads every line Codex wrote, as its full decode folds it', () => {
    for (const line of CODEX_TOKEN_LINES) expect(agrees(line), line).to.equal(true);
  });

  it('agrees with the full decode on generated lines of Codex’s layout (property)', () => {
    let read = 0;
    fc.assert(
      fc.property(generated, (line) => {
        if (agrees(line)) read += 1;
      }),
      { numRuns: 3000 },
    );
    // The generators make mostly lines in Codex's shape: most of them must be read by their fields.
    expect(read).to.be.greaterThan(300);
  });

  it('agrees with the full decode on edited real and generated lines (property)', () => {
    fc.assert(
      fc.property(edited(fc.oneof(fc.constantFrom(...CODEX_TOKEN_LINES), generated)), (line) => {
        agrees(line);
      }),
      { numRuns: 5000 },
    );
  });

  it('leaves to the full decode what it cannot tell from the layout', () => {
    const [line] = CODEX_TOKEN_LINES.filter((l) => l.includes('"token_count","info":{'));
    for (const other of [
      line!.replace('{"timestamp"', '{ "timestamp"'), // whitespace
      line!.replace('"total_token_usage"', '"total_token\\u005fusage"'), // a key with an escape
      line!.replace('"info":{', '"info":{"total_token_usage":{},'), // a key the fold reads, twice
      line!.replace('}}}', '}},"metadata":1}'), // a key the envelope does not have in Codex's layout
      `${line!}x`,
      line!.slice(0, -1),
    ])
      expect(tokenLineFields(Buffer.from(other), 0, Buffer.byteLength(other)), other).to.equal(undefined);
  });
});
