import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import type { LogPosition } from '../../../../domain/errors.js';
import type { LogEntry } from '../../../../domain/ports.js';
import { makeRolloutLine } from '../../../../domain/rollout/line.js';
import { end, endFrom } from '../../../../adapters/driven/jsonl/lines/endPosition.js';
import { readRange, readRanges, spansOf } from '../../../../adapters/driven/jsonl/readers/readRange.js';
import { isTornTail, positionAfter, readLog } from '../../../../adapters/driven/jsonl/readers/reader.js';

const FIXTURE = fileURLToPath(
  new URL(
    '../../../../../test/adapters/driven/jsonl/fixtures/rollout-2026-11-21T14-31-25-01a1fe84-e393-7df3-89c1-fe2af51ed21c_01a1fe84-e7b0-7381-9b82-8448801fa88d.jsonl',
    import.meta.url,
  ),
);

const collect = async (
  path: string,
  from?: LogPosition,
  options?: Parameters<typeof readLog>[2],
): Promise<{ entries: LogEntry[]; end: LogPosition }> => {
  const entries: LogEntry[] = [];
  const it = readLog(path, from, options);
  for (;;) {
    const r = await it.next();
    if (r.done === true) return { entries, end: r.value };
    entries.push(r.value);
  }
};

const line = (text: string, i: number): string =>
  makeRolloutLine({
    timestamp: '2026-11-21T14:31:25.366Z',
    ordinal: i,
    type: 'event_msg',
    payload: { type: 'x', text },
  }).raw;

describe('jsonl reader', function () {
  this.timeout(120_000);
  let dir: string;
  let n = 0;
  const fresh = () => nodePath.join(dir, `f${n++}.jsonl`);

  before(async () => {
    dir = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'jsonl-reader-'));
  });
  after(async () => {
    await fs.rm(dir, { recursive: true, force: true });
  });

  it('gives byte-exact ranges for multi-byte UTF-8 lines of random sizes across chunk boundaries (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'binary', maxLength: 120 }), { minLength: 0, maxLength: 25 }),
        fc.integer({ min: 1, max: 64 }),
        fc.boolean(),
        async (texts, chunkSize, bom) => {
          const path = fresh();
          const lines = texts.map(line);
          const body = Buffer.from(lines.map((l) => l + '\n').join(''), 'utf8');
          const file = bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), body]) : body;
          await fs.writeFile(path, file);
          const { entries, end: endPos } = await collect(path, undefined, { chunkSize });
          expect(entries.map((e) => e.kind)).to.deep.equal(lines.map(() => 'line'));
          entries.forEach((e, i) => {
            if (e.kind !== 'line') return;
            expect(e.line.ordinal).to.equal(i);
            expect(e.line.text).to.equal(lines[i]);
            const slice = file.subarray(e.line.byteOffset, e.line.byteOffset + e.line.byteLength);
            expect(slice.toString('utf8')).to.equal(e.line.text);
            expect(file[e.line.byteOffset + e.line.byteLength]).to.equal(0x0a);
          });
          // A BOM with no line after it is no line yet: the end stays at 0.
          expect(endPos).to.deep.equal({ ordinal: lines.length, byteOffset: lines.length === 0 ? 0 : file.length });
          expect(await end(path)()).to.deep.equal(E.right(endPos));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('resumes from any position returned by positionAfter, same lines as a full read (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.string({ unit: 'grapheme', maxLength: 60 }), { minLength: 1, maxLength: 15 }),
        fc.nat(),
        async (texts, pick) => {
          const path = fresh();
          const lines = texts.map(line);
          await fs.writeFile(path, lines.map((l) => l + '\n').join(''));
          const full = await collect(path);
          const k = pick % (full.entries.length + 1);
          let pos: LogPosition = { ordinal: 0, byteOffset: 0 };
          for (const e of full.entries.slice(0, k)) pos = positionAfter(e, pos);
          const rest = await collect(path, pos, { chunkSize: 7 });
          expect(rest.entries).to.deep.equal(full.entries.slice(k));
          expect(rest.end).to.deep.equal(full.end);
          expect(await endFrom(path, pos)()).to.deep.equal(E.right(full.end));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('quarantines non-JSON, non-envelope, invalid UTF-8, empty lines and a torn tail with their ranges, reading on', async () => {
    const path = fresh();
    const good0 = line('première ligne ✓', 0);
    const good5 = line('𝄞 after the bad ones', 5);
    const parts: Buffer[] = [
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from(good0 + '\n'),
      Buffer.from('not json at all\n'),
      Buffer.from('{"a":1}\n'),
      Buffer.concat([
        Buffer.from('{"timestamp":"x","type":"event_msg","payload":"'),
        Buffer.from([0xc3, 0x28]),
        Buffer.from('"}\n'),
      ]),
      Buffer.from('\n'),
      Buffer.from(good5 + '\n'),
      Buffer.from('{"timestamp":"2026-11-21T14:31:25.366Z","ordinal":6,"type":"ev'),
    ];
    const file = Buffer.concat(parts);
    await fs.writeFile(path, file);
    const { entries, end: endPos } = await collect(path, undefined, { chunkSize: 5 });

    const summary = entries.map((e) =>
      e.kind === 'line'
        ? { kind: e.kind, ordinal: e.line.ordinal, byteOffset: e.line.byteOffset, byteLength: e.line.byteLength }
        : e.kind === 'quarantined'
          ? {
              kind: e.kind,
              ordinal: e.record.ordinal,
              byteOffset: e.record.byteOffset,
              byteLength: e.record.byteLength,
              reason: e.record.reason.split(':')[0],
            }
          : { kind: e.kind },
    );
    let off = 3;
    const ranges = parts.slice(1).map((p) => {
      const r = { byteOffset: off, byteLength: p.length - (p[p.length - 1] === 0x0a ? 1 : 0) };
      off += p.length;
      return r;
    });
    expect(summary).to.deep.equal([
      { kind: 'line', ordinal: 0, ...ranges[0] },
      { kind: 'quarantined', ordinal: 1, ...ranges[1], reason: 'not JSON' },
      { kind: 'quarantined', ordinal: 2, ...ranges[2], reason: 'not a rollout line' },
      { kind: 'quarantined', ordinal: 3, ...ranges[3], reason: 'invalid UTF-8' },
      { kind: 'quarantined', ordinal: 4, ...ranges[4], reason: 'empty line' },
      { kind: 'line', ordinal: 5, ...ranges[5] },
      { kind: 'quarantined', ordinal: 6, ...ranges[6], reason: 'torn tail' },
    ]);
    const torn = entries[6];
    expect(torn?.kind === 'quarantined' && torn.record.reason).to.equal(
      `torn tail: incomplete last line (${ranges[6]!.byteLength} bytes, no newline)`,
    );
    expect(torn?.kind === 'quarantined' && isTornTail(torn.record)).to.equal(true);
    // Every quarantined range still pins down the stored bytes.
    for (const e of entries) {
      if (e.kind !== 'quarantined' || e.record.reason.startsWith('invalid UTF-8')) continue;
      expect(file.subarray(e.record.byteOffset, e.record.byteOffset + e.record.byteLength).toString('utf8')).to.equal(
        e.record.text,
      );
    }
    // The torn tail is not counted: the end stays before it.
    const tornStart = ranges[6]!.byteOffset;
    expect(endPos).to.deep.equal({ ordinal: 6, byteOffset: tornStart });
    expect(await end(path)()).to.deep.equal(E.right(endPos));
    expect(positionAfter(entries[6]!, endPos)).to.deep.equal(endPos);

    // Known complete: the last line counts (here: still not an envelope, so quarantined, but counted).
    const complete = await collect(path, undefined, { knownComplete: true });
    const last = complete.entries[6];
    expect(last?.kind === 'quarantined' && last.record.reason.startsWith('not JSON')).to.equal(true);
    expect(complete.end).to.deep.equal({ ordinal: 7, byteOffset: file.length });
  });

  it('a BOM before an empty line, alone, or before a torn tail: true file offsets, no phantom line', async () => {
    const path = fresh();
    await fs.writeFile(path, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('\n')]));
    const { entries, end: endPos } = await collect(path);
    expect(entries).to.have.length(1);
    const e = entries[0];
    expect(e?.kind === 'quarantined' && [e.record.byteOffset, e.record.byteLength, e.record.reason]).to.deep.equal([
      3,
      0,
      'empty line',
    ]);
    expect(endPos).to.deep.equal({ ordinal: 1, byteOffset: 4 });

    const bomOnly = fresh();
    await fs.writeFile(bomOnly, Buffer.from([0xef, 0xbb, 0xbf]));
    expect(await collect(bomOnly)).to.deep.equal({ entries: [], end: { ordinal: 0, byteOffset: 0 } });
    const bomTorn = fresh();
    await fs.writeFile(bomTorn, Buffer.from([0xef, 0xbb, 0xbf, 0x7b]));
    const torn = await collect(bomTorn);
    const t = torn.entries[0];
    expect(t?.kind === 'quarantined' && [t.record.byteOffset, t.record.byteLength, isTornTail(t.record)]).to.deep.equal(
      [3, 1, true],
    );
  });

  it('ends with a failed entry for a missing file or a position that is not a line start', async () => {
    const missing = await collect(nodePath.join(dir, 'nope.jsonl'));
    expect(missing.entries.map((e) => (e.kind === 'failed' ? e.error._tag : e.kind))).to.deep.equal(['NotFound']);

    const path = fresh();
    await fs.writeFile(path, line('a', 0) + '\n' + line('b', 1) + '\n');
    const mid = await collect(path, { ordinal: 1, byteOffset: 5 });
    expect(mid.entries.map((e) => (e.kind === 'failed' ? e.error._tag : e.kind))).to.deep.equal(['Corrupt']);
    const past = await collect(path, { ordinal: 9, byteOffset: 10_000 });
    expect(past.entries.map((e) => (e.kind === 'failed' ? e.error._tag : e.kind))).to.deep.equal(['Corrupt']);
  });

  it('reads a real Codex revision rollout: every line good, paginated ordinals dense from its base', async () => {
    const { entries, end: endPos } = await collect(FIXTURE);
    expect(entries.every((e) => e.kind === 'line')).to.equal(true);
    const ordinals = entries.map((e) =>
      e.kind === 'line' ? (JSON.parse(e.line.text) as { ordinal: number }).ordinal : -1,
    );
    const first = ordinals[0]!;
    expect(first).to.be.greaterThan(0); // a revision continues its base's numbering
    expect(ordinals).to.deep.equal(ordinals.map((_, i) => first + i));
    expect(endPos.byteOffset).to.equal((await fs.stat(FIXTURE)).size);
  });

  describe('readRange', () => {
    it('returns exactly the bytes of a line, multi-byte text included', async () => {
      const path = fresh();
      const lines = [line('aé', 0), line('漢字 ✓ 𝄞', 1), line('z', 2)];
      await fs.writeFile(path, lines.map((l) => l + '\n').join(''));
      const { entries } = await collect(path);
      for (const [i, e] of entries.entries()) {
        if (e.kind !== 'line') throw new Error('expected a line');
        expect(await readRange(path, e.line.byteOffset, e.line.byteLength)()).to.deep.equal(E.right(lines[i]));
      }
    });

    it('fails as Corrupt past the end or in the middle of a character, NotFound for a missing file', async () => {
      const path = fresh();
      await fs.writeFile(path, 'é\n');
      const past = await readRange(path, 0, 10)();
      expect(E.isLeft(past) && past.left._tag).to.equal('Corrupt');
      const midChar = await readRange(path, 1, 1)();
      expect(E.isLeft(midChar) && midChar.left._tag).to.equal('Corrupt');
      const missing = await readRange(nodePath.join(dir, 'missing.jsonl'), 0, 1)();
      expect(E.isLeft(missing) && missing.left._tag).to.equal('NotFound');
      const bad = await readRange(path, -1, 1)();
      expect(E.isLeft(bad) && bad.left._tag).to.equal('InvalidArgument');
    });

    it('reads nearby ranges as one span, far or out-of-order ones apart', () => {
      // Ranges as `offset+length`, spans as `start-end:indexes of their ranges`.
      const spans = (ranges: string): string =>
        spansOf(ranges.split(' ').map((r) => r.split('+').map(Number) as [number, number]))
          .map((s) => `${s.start}-${s.end}:${s.members.join(',')}`)
          .join(' ');
      expect(spans('0+10 11+5 20+3')).to.equal('0-23:0,1,2');
      expect(spans('0+10 1000000+5')).to.equal('0-10:0 1000000-1000005:1');
      expect(spans('100+10 0+5')).to.equal('100-110:0 0-5:1');
    });

    it('readRanges answers exactly each range, in the order asked, whatever spans they share', async () => {
      const path = fresh();
      // Multi-byte text, and lines long enough that some ranges are a span apart.
      const text = Array.from({ length: 60 }, (_, i) => `${i} ${'é漢'.repeat(i * 97)}\n`).join('');
      await fs.writeFile(path, text);
      const bytes = Buffer.from(text);
      const starts = [0];
      for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a) starts.push(i + 1);
      const lineCount = starts.length - 1;
      await fc.assert(
        fc.asyncProperty(fc.array(fc.nat(lineCount - 1), { maxLength: 30 }), async (picked) => {
          const ranges = picked.map((i) => [starts[i]!, starts[i + 1]! - 1 - starts[i]!] as [number, number]);
          const got = await readRanges(path, ranges)();
          expect(got).to.deep.equal(E.right(ranges.map(([o, l]) => bytes.subarray(o, o + l).toString('utf8'))));
        }),
        { numRuns: 100 },
      );
      // A range past the end fails the read even when it shares a span with good ones.
      const past = await readRanges(path, [
        [0, 1],
        [bytes.length - 2, 10],
      ])();
      expect(E.isLeft(past) && past.left._tag).to.equal('Corrupt');
    });
  });

  describe('end / endFrom', () => {
    it('is noStream for a missing file, {0,0} for an empty one', async () => {
      expect(await end(nodePath.join(dir, 'missing.jsonl'))()).to.deep.equal(E.right('noStream'));
      const path = fresh();
      await fs.writeFile(path, '');
      expect(await end(path)()).to.deep.equal(E.right({ ordinal: 0, byteOffset: 0 }));
    });

    it('counts from a checkpoint, and falls back to a full count when the checkpoint is not a line start', async () => {
      const path = fresh();
      const lines = Array.from({ length: 50 }, (_, i) => line('x'.repeat(i * 37), i));
      await fs.writeFile(path, lines.map((l) => l + '\n').join(''));
      const full = await end(path)();
      expect(full).to.deep.equal(E.right({ ordinal: 50, byteOffset: (await fs.stat(path)).size }));
      const at10 = { ordinal: 10, byteOffset: lines.slice(0, 10).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0) };
      expect(await endFrom(path, at10)()).to.deep.equal(full);
      expect(await endFrom(path, { ordinal: 3, byteOffset: at10.byteOffset + 1 })()).to.deep.equal(full);
      expect(await endFrom(path, { ordinal: 3, byteOffset: 10_000_000 })()).to.deep.equal(full);
    });

    it('finds the last newline behind a torn tail longer than the backward scan steps', async () => {
      const path = fresh();
      const a = line('a', 0);
      await fs.writeFile(path, a + '\n' + 'y'.repeat(3 << 20));
      expect(await end(path)()).to.deep.equal(E.right({ ordinal: 1, byteOffset: Buffer.byteLength(a) + 1 }));
    });
  });
});
