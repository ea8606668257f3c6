import { expect } from 'chai';
import fc from 'fast-check';
import {
  asciiPrefix,
  isValidStringBytes,
  isValidStringContent,
  prefixVerdictOfBytes,
  skipByPrefix,
} from '../../projections/linePrefix.js';

/** What the validators must agree with: JSON.parse of the characters between two quotes. */
const parses = (content: string): boolean => {
  try {
    JSON.parse(`"${content}"`);
    return true;
  } catch {
    return false;
  }
};

// Strings dense in what decides validity: backslashes, escape letters, hex digits, control characters, quotes, non-ASCII.
const tricky = fc
  .array(
    fc.constantFrom(
      '\\',
      'u',
      'n',
      't',
      'x',
      '0',
      'a',
      'F',
      'g',
      '/',
      '"',
      '\u0000',
      '\t',
      '\u001f',
      ' ',
      'é',
      '😀',
      '\u007f',
    ),
    { maxLength: 24 },
  )
  .map((cs) => cs.join(''));

describe('lazy line string validation', () => {
  it('bytes and text validators agree with JSON.parse on escape-dense strings (property)', () => {
    fc.assert(
      fc.property(tricky, (s) => {
        // The elision only sees content up to an unescaped closing quote: no bare quote inside, no odd backslash run at the end.
        if (/(^|[^\\])(\\\\)*"/.test(s) || /(^|[^\\])\\(\\\\)*$/.test(s)) return;
        const expected = parses(s);
        expect(isValidStringBytes(Buffer.from(s, 'utf8')), JSON.stringify(s)).to.equal(expected);
        expect(isValidStringContent(s), JSON.stringify(s)).to.equal(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('rejects a trailing backslash, a short \\u escape and raw control characters', () => {
    for (const bad of ['abc\\', '\\u12', '\\u12g4', 'a\tb', '\\x41', '\\U0041'])
      expect(isValidStringBytes(Buffer.from(bad)), bad).to.equal(false);
    for (const good of ['', 'plain', '\\n\\t\\"\\\\\\/\\b\\f\\r', '\\u00e9\\uD83D\\uDE00', 'é😀'])
      expect(isValidStringBytes(Buffer.from(good)), good).to.equal(true);
  });
});

describe('line prefix read from the bytes', () => {
  // Parts of a line's first bytes, dense in what decides the verdict: quotes, backslashes,
  // digits, kind names, non-ASCII characters and lengths around PREFIX_BYTES.
  const ascii = fc.constantFrom('2026-11-23T10:00:00.000Z', '', 'x', '"', '\\', 'é', '😀', '2026', ' ');
  const timestamp = fc.array(ascii, { maxLength: 3 }).map((p) => p.join(''));
  const ordinal = fc.oneof(
    fc.constant(''),
    fc.nat({ max: 10_000 }).map((n) => `"ordinal":${n},`),
    fc.constantFrom('"ordinal":,', '"ordinal":12', '"ordinal":99999999999999999999,', '"ordinal":"3",'),
  );
  const type = fc.constantFrom(
    'event_msg',
    'response_item',
    'session_meta',
    'world_state',
    'compacted',
    'turn_context',
    'Event_msg',
    'event-msg',
    '',
  );
  const payloadType = fc.constantFrom(
    'token_count',
    'exec_command_end',
    'message',
    'function_call',
    'reasoning',
    'UserMessage',
    'task-started',
    '',
  );
  const role = fc.constantFrom(
    '',
    '"role":"developer"',
    '"role":"system"',
    '"role":"user"',
    '"id":"m1","role":"developer"',
    '"id":"m\\"1","role":"system"',
  );
  const payload = fc.oneof(
    fc.tuple(payloadType, role).map(([t, r]) => `,"payload":{"type":"${t}"${r === '' ? '' : `,${r}`}`),
    fc.constantFrom(
      ',"payload":{',
      ',"payload":"text"',
      ',"payload":[',
      ',"payload":{"id":1',
      ',"payload":{"message":"s"',
      ',"payload":{"replacement_history":[]',
      '',
    ),
  );
  const tail = fc.oneof(
    fc.constant('}}'),
    fc.string({ maxLength: 40 }),
    fc.nat({ max: 320 }).map((n) => `,"pad":"${'a'.repeat(n)}é"}}`),
  );
  const line = fc.record({ timestamp, ordinal, type, payload, tail, itemsFromResponses: fc.boolean() });

  it('gives the verdict of the prefix expression over the ASCII prefix (property)', () => {
    fc.assert(
      fc.property(line, ({ timestamp, ordinal, type, payload, tail, itemsFromResponses }) => {
        const text = (t: string) => `{"timestamp":"${timestamp}",${ordinal}"type":"${t}"${payload}${tail}`;
        const bytes = Buffer.from(text(type), 'utf8');
        const opts = { itemsFromResponses };
        const verdict = prefixVerdictOfBytes(bytes, opts);
        const prefix = asciiPrefix(bytes);
        const expected = prefix === undefined ? undefined : skipByPrefix(prefix, opts);
        if (verdict.kind === 'skipped') expect(verdict, text(type)).to.deep.equal(expected);
        else expect(expected, text(type)).to.equal(undefined);
        // `read` when the layout matched: a world_state line of that layout (always skipped) tells,
        // when both lines lie wholly in the prefix window (so neither is cut elsewhere).
        const asWorldState = Buffer.from(text('world_state'), 'utf8');
        if (verdict.kind !== 'skipped' && asWorldState.length < 280 && bytes.length < 280 && /^[a-z_]+$/.test(type)) {
          const layout = asciiPrefix(asWorldState);
          const matches = layout !== undefined && skipByPrefix(layout, opts) !== undefined;
          expect(verdict.kind, text(type)).to.equal(matches ? 'read' : 'unknown');
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('skips a compaction by its prefix only when its payload begins with its message (one without does not decode in Codex)', () => {
    const line = (payload: string) =>
      `{"timestamp":"2026-11-15T05:30:19.032Z","type":"compacted","payload":${payload}}`;
    const withMessage = line('{"message":"summary","replacement_history":[]}');
    expect(skipByPrefix(withMessage)).to.deep.equal({
      kind: 'skipped',
      timestamp: '2026-11-15T05:30:19.032Z',
      ordinal: null,
      type: 'compacted',
    });
    expect(prefixVerdictOfBytes(Buffer.from(withMessage)).kind).to.equal('skipped');
    for (const payload of [
      '{"replacement_history":[],"message":"s"}',
      '{"replacement_history":[]}',
      '{"message":null}',
    ]) {
      expect(skipByPrefix(line(payload)), payload).to.equal(undefined);
      expect(prefixVerdictOfBytes(Buffer.from(line(payload))).kind, payload).to.equal('read');
    }
    // The token fold's lean pass reads no compaction either way.
    expect(prefixVerdictOfBytes(Buffer.from(line('{"replacement_history":[]}')), { tokensOnly: true }).kind).to.equal(
      'skipped',
    );
  });

  it('reads real Codex lines: skipped with their timestamp and kind (and whether Codex numbers them in a legacy file), or read', () => {
    const ts = '2026-11-15T05:30:19.032Z';
    // Legacy history leaves exec_command_end out (policy.rs), and strips ghost snapshots (recorder.rs): no place in implicit turn numbers.
    expect(
      prefixVerdictOfBytes(
        Buffer.from(
          `{"timestamp":"${ts}","ordinal":16,"type":"event_msg","payload":{"type":"exec_command_end","call_id":"c"}}`,
        ),
      ),
    ).to.deep.equal({
      kind: 'skipped',
      timestamp: ts,
      ordinal: 16,
      type: 'event_msg',
      unnumbered: true,
    });
    expect(
      prefixVerdictOfBytes(
        Buffer.from(
          `{"timestamp":"${ts}","type":"response_item","payload":{"type":"ghost_snapshot","ghost_commit":{}}}`,
        ),
      ),
    ).to.deep.equal({
      kind: 'skipped',
      timestamp: ts,
      ordinal: null,
      type: 'response_item',
      unnumbered: true,
    });
    expect(
      prefixVerdictOfBytes(
        Buffer.from(`{"timestamp":"${ts}","type":"response_item","payload":{"type":"function_call","name":"shell"}}`),
      ),
    ).to.deep.equal({
      kind: 'skipped',
      timestamp: ts,
      ordinal: null,
      type: 'response_item',
    });
    expect(prefixVerdictOfBytes(Buffer.from(`{"timestamp":"${ts}","type":"world_state","payload":{}}`))).to.deep.equal({
      kind: 'skipped',
      timestamp: ts,
      ordinal: null,
      type: 'world_state',
    });
    expect(
      prefixVerdictOfBytes(
        Buffer.from(
          `{"timestamp":"${ts}","ordinal":16,"type":"event_msg","payload":{"type":"token_count","info":null}}`,
        ),
      ),
    ).to.deep.equal({
      kind: 'read',
    });
    expect(
      prefixVerdictOfBytes(
        Buffer.from(
          `{"timestamp":"${ts}","type":"response_item","payload":{"type":"message","role":"developer","content":[]}}`,
        ),
      ),
    ).to.include({
      kind: 'skipped',
    });
    expect(
      prefixVerdictOfBytes(
        Buffer.from(
          `{"timestamp":"${ts}","type":"response_item","payload":{"type":"message","role":"user","content":[]}}`,
        ),
      ),
    ).to.deep.equal({
      kind: 'read',
    });
    expect(prefixVerdictOfBytes(Buffer.from(`{"type":"event_msg","timestamp":"${ts}","payload":{}}`))).to.deep.equal({
      kind: 'unknown',
    });
    expect(prefixVerdictOfBytes(Buffer.from(`{"timestamp":"${ts}","type":"event_msg","payload":"x"}`))).to.deep.equal({
      kind: 'unknown',
    });
  });
});
