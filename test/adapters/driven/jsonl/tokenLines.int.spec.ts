import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { TokenLineBuffer, TokenLines } from '../../../../adapters/driven/jsonl/readers/tokenLines.js';
import { tailLines } from '../../../../adapters/driven/jsonl/readers/tailLines.js';
import type { LogPosition } from '../../../../domain/errors.js';
import type { IndexWrite } from '../../../../domain/index/rows.js';
import { Batch, memoryIndex } from '../../../../projections/batch.js';
import { emptyStats, foldLine } from '../../../../projections/runner.js';
import type { LineIn } from '../../../../projections/runner.js';
import { TOKEN_PROJECTION_SUBSET } from '../../../../projections/all.js';
import { newThread, threadLines } from '../../../projections/synth.js';
import type { SynthThread } from '../../../projections/synth.js';
import { useTempDir } from '../../../fixtures/tempDir.js';

/**
 * The lean reader of the token catch-up (tokenLines.ts) gives the token projection what the
 * general tail (tailLines.ts) gives it: the same folded rows and the same end, whatever the
 * buffer size (lines across reads, lines longer than the buffer, read or passed over) and the
 * start, on files with every odd line a reader meets.
 */

/** A thread's lines with a BOM, odd lines between them, and a torn last line. */
const oddFile = (t: SynthThread, turns: number): Buffer => {
  const lines = threadLines(t, turns).map((l) => Buffer.from(l));
  const at = (i: number) => `"timestamp":"2026-11-21T15:00:${String(i).padStart(2, '0')}.000Z"`;
  const count = (total: number, last: number) =>
    `"payload":{"type":"token_count","info":{"total_token_usage":{"input_tokens":${total},"cached_input_tokens":0,"output_tokens":1,"reasoning_output_tokens":0,"total_tokens":${total + 1}},"last_token_usage":{"input_tokens":${last},"cached_input_tokens":0,"output_tokens":1,"reasoning_output_tokens":0,"total_tokens":${last + 1}}}}`;
  const odd = [
    Buffer.from(''),
    Buffer.from('not json at all'),
    // A count in another key order: its kind is not known from the prefix, so it is decoded in full.
    Buffer.from(`{"type":"event_msg",${at(1)},${count(90_000, 7)}}`),
    // A count with invalid UTF-8: quarantined by the general tail, never folded.
    Buffer.concat([
      Buffer.from(`{${at(2)},"type":"event_msg",${count(95_000, 9).slice(0, -2)},"x":"`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}}'),
    ]),
    // A skipped kind longer than any buffer below, and a needed one (a long cwd).
    Buffer.from(
      `{${at(3)},"type":"response_item","payload":{"type":"function_call_output","call_id":"c","output":"${'x'.repeat(70_000)}"}}`,
    ),
    Buffer.from(
      `{${at(4)},"type":"turn_context","payload":{"turn_id":"t-long","cwd":"/${'d'.repeat(40_000)}","model":"long-model"}}`,
    ),
    Buffer.from(`{${at(5)},"type":"event_msg",${count(120_000, 11)}}`),
  ];
  const all = [...lines.slice(0, 5), ...odd, ...lines.slice(5)];
  const body = Buffer.concat(all.flatMap((b) => [b, Buffer.from('\n')]));
  return Buffer.concat([
    Buffer.from([0xef, 0xbb, 0xbf]),
    body,
    Buffer.from(`{${at(9)},"type":"event_msg",${count(1, 1)}`),
  ]);
};

/** The token projection's rows after folding `lines` of the file of `t` (on top of `before`'s). */
const foldedRows = (
  t: SynthThread,
  path: string,
  lines: ReadonlyArray<LineIn>,
  before: ReadonlyArray<LineIn> = [],
): IndexWrite[] => {
  const stored = memoryIndex();
  if (before.length > 0) stored.apply(foldedRows(t, path, before));
  const b = new Batch(stored);
  const ctx = { rolloutId: t.threadId, threadId: t.threadId, path, itemsFromResponses: false };
  const stats = emptyStats();
  for (const l of lines) foldLine(b, ctx, l, stats, TOKEN_PROJECTION_SUBSET.projections);
  return b.writes();
};

const general = async (path: string, from: LogPosition): Promise<{ lines: LineIn[]; end: LogPosition }> => {
  const lines: LineIn[] = [];
  const gen = tailLines({ path, from, itemsFromResponses: false, tokensOnly: true, upcast: null });
  for (;;) {
    const r = await gen.next();
    if (r.done === true) return { lines, end: r.value };
    for (const l of r.value.lines) lines.push(l.line);
  }
};

const lean = (
  path: string,
  from: LogPosition,
  bufferBytes: number,
): { lines: LineIn[]; end: LogPosition; tail: Buffer } => {
  const tail = new TokenLines(path, from, new TokenLineBuffer(bufferBytes));
  try {
    const lines: LineIn[] = [];
    while (tail.next((l) => lines.push(l)));
    return { lines, end: tail.end, tail: Buffer.from(tail.tailBefore(tail.end)) };
  } finally {
    tail.close();
  }
};

describe('the token catch-up reads in place what the general tail gives the token projection', () => {
  const dir = useTempDir('token-lines-');

  for (const mode of ['paginated', 'legacy'] as const)
    it(`${mode}: the same rows and end for every buffer size, from the start and from a later line`, async () => {
      const t = newThread(mode === 'paginated' ? 61 : 62, mode);
      const bytes = oddFile(t, 6);
      const path = nodePath.join(dir(), `${mode}.jsonl`);
      await fs.writeFile(path, bytes);
      const third = bytes.indexOf(0x0a, bytes.indexOf(0x0a) + 1) + 1;
      for (const from of [
        { ordinal: 0, byteOffset: 0 },
        { ordinal: 2, byteOffset: third },
      ]) {
        const want = await general(path, from);
        const before = (await general(path, { ordinal: 0, byteOffset: 0 })).lines.filter((l) => l.line < from.ordinal);
        const wantRows = foldedRows(t, path, want.lines, before);
        expect(wantRows.length).to.be.greaterThan(10);
        for (const size of [1, 64, 333, 4096, 65_536, 1 << 20]) {
          const got = lean(path, from, size);
          expect(got.end, `end, buffer ${size}`).to.deep.equal(want.end);
          expect(foldedRows(t, path, got.lines, before), `rows, buffer ${size}`).to.deep.equal(wantRows);
          expect(
            got.tail.equals(bytes.subarray(Math.max(0, want.end.byteOffset - 4096), want.end.byteOffset)),
            `tail, buffer ${size}`,
          ).to.equal(true);
        }
      }
    });
});
