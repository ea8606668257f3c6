import { writeSynthThread } from '../../../fixtures/synthHome.js';
import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { discoverRolloutFiles } from '../../../../adapters/driven/jsonl/home/discover.js';
import { ScanStartError } from '../../../../adapters/driven/jsonl/lines/lineScanner.js';
import { collectingQuarantineSink } from '../../../../adapters/driven/jsonl/writers/quarantine.js';
import { toEngineError } from '../../../../adapters/driven/fs/fsError.js';
import { catchUpHome } from '../../../../indexer/catchUp/catchUp.js';
import { openLmdbIndex } from '../../../../adapters/driven/lmdb/indexStore.js';
import { probeFile } from '../../../../adapters/driven/jsonl/readers/probe.js';
import type { TailedChunk, TailSource } from '../../../../adapters/driven/jsonl/readers/tailLines.js';
import { inProcessTailReader } from '../../../../adapters/driven/jsonl/readers/tailReader.js';
import type { TailReader, TailStream } from '../../../../adapters/driven/jsonl/readers/tailReader.js';
import { openTailReaderThread } from '../../../../adapters/driven/jsonl/workers/tailReaderThread.js';
import { newThread, rolloutRelPath, threadLines } from '../../../projections/synth.js';
import { envelopeLess } from '../../../fixtures/earlyRollouts.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { right } from '../../../fixtures/right.js';

type Src = Omit<TailSource, 'buffers'>;

/** A thread whose lines exercise every path of the tail: elision, skips, quarantine, a line longer than a read. */
const busyThread = (seed: number): Buffer => {
  const t = newThread(seed);
  const lines = threadLines(t, 6);
  const at = (i: number) => `"timestamp":"2026-11-21T14:00:${String(i).padStart(2, '0')}.000Z","ordinal":${900 + i}`;
  const output = 'total 0\\n\\t\\"quoted\\" \\u00e9 é '.repeat(12_000);
  const extra = [
    // An unread long string: elided before parsing.
    Buffer.from(
      `{${at(1)},"type":"event_msg","payload":{"type":"item_completed","thread_id":"${t.threadId}","turn_id":"x","item":{"type":"CommandExecution","id":"c1","command":["ls"],"aggregated_output":"${output}"}}}`,
    ),
    // The same with an invalid escape: not elided, so the full parse rejects it.
    Buffer.from(
      `{${at(2)},"type":"event_msg","payload":{"type":"item_completed","thread_id":"${t.threadId}","turn_id":"x","item":{"type":"CommandExecution","id":"c2","command":["ls"],"aggregated_output":"${output}\\q"}}}`,
    ),
    // A needed line longer than a read chunk.
    Buffer.from(
      `{${at(3)},"type":"event_msg","payload":{"type":"user_message","message":"${'long question '.repeat(110_000)}","kind":"plain"}}`,
    ),
    // A skipped kind with invalid UTF-8: quarantined without being parsed.
    Buffer.concat([
      Buffer.from(`{${at(4)},"type":"world_state","payload":{"x":"`),
      Buffer.from([0xc3, 0x28]),
      Buffer.from('"}}'),
    ]),
    Buffer.from(''),
    Buffer.from('not json at all'),
    // A skipped kind: never decoded.
    Buffer.from(
      `{${at(5)},"type":"response_item","payload":{"type":"function_call_output","call_id":"c","output":"${'x'.repeat(50_000)}"}}`,
    ),
  ];
  const all = lines.map((l) => Buffer.from(l));
  all.splice(4, 0, ...extra);
  return Buffer.concat(all.flatMap((b) => [b, Buffer.from('\n')]));
};

const collect = async (gen: TailStream): Promise<{ chunks: TailedChunk[]; end: unknown }> => {
  const chunks: TailedChunk[] = [];
  for (let r = await gen.next(); ; r = await gen.next()) {
    if (r.done === true) return { chunks, end: r.value };
    chunks.push(r.value);
  }
};

/** What the indexer makes of a failed tail (indexFiles' foldFile). */
const failureOf = async (path: string, gen: TailStream): Promise<unknown> => {
  try {
    await collect(gen);
    return 'no failure';
  } catch (err) {
    return err instanceof ScanStartError ? err.error : toEngineError(path, 'read')(err);
  }
};

/** Every file read from its start, and from its third line. */
const sourcesOf = async (home: string): Promise<Src[]> => {
  const files = right(await discoverRolloutFiles(home)());
  const out: Src[] = [];
  for (const f of files) {
    const p = await probeFile(f, undefined);
    if (p === 'incomplete') throw new Error(`incomplete probe of ${f.path}`);
    const upcast = p.identity.ok ? p.identity.upcast : null;
    const base = { path: f.path, itemsFromResponses: upcast !== null, upcast, sizeHint: p.size };
    const bytes = await fs.readFile(f.path);
    const third = bytes.indexOf(0x0a, bytes.indexOf(0x0a) + 1) + 1;
    out.push({ ...base, from: { ordinal: 0, byteOffset: 0 } }, { ...base, from: { ordinal: 2, byteOffset: third } });
  }
  return out;
};

/** Open every source first (as the indexer opens files ahead), then read them in order. */
const readAll = async (reader: TailReader, srcs: ReadonlyArray<Src>) => {
  const gens = srcs.map((s) => reader.open(s));
  const firsts = gens.map((g) => g.next());
  const out: Array<{ chunks: TailedChunk[]; end: unknown }> = [];
  for (let i = 0; i < gens.length; i++) {
    const first = await firsts[i]!;
    if (first.done === true) {
      out.push({ chunks: [], end: first.value });
      continue;
    }
    const rest = await collect(gens[i]!);
    out.push({ chunks: [first.value, ...rest.chunks], end: rest.end });
  }
  return out;
};

describe('the reader thread of a catch-up (tailReaderThread)', function () {
  this.timeout(120_000);
  const tmp = useTempDir('tail-thread-');
  let home: string;
  let srcs: Src[];

  before(async () => {
    home = nodePath.join(tmp(), 'home');
    const write = async (rel: string, bytes: Buffer | string) => {
      const p = nodePath.join(home, rel);
      await fs.mkdir(nodePath.dirname(p), { recursive: true });
      await fs.writeFile(p, bytes);
    };
    await write(rolloutRelPath(newThread(41).threadId), busyThread(41));
    const legacy = newThread(42, 'legacy');
    await write(
      rolloutRelPath(legacy.threadId),
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(threadLines(legacy, 3).join('\n') + '\n')]),
    );
    const torn = newThread(43);
    await write(rolloutRelPath(torn.threadId), threadLines(torn, 2).join('\n') + '\n{"timestamp":"2026-11-21T14:0');
    const old = 'bbbbbbbb-0000-4000-8000-000000000041';
    await write(
      `sessions/2025/05/01/rollout-2025-05-01T10-00-00-${old}.jsonl`,
      envelopeLess(old, 1, 3).join('\n') + '\n',
    );
    srcs = await sourcesOf(home);
  });

  it('yields the chunks, tails and end positions the same reader yields on this thread', async () => {
    const expected = await readAll(inProcessTailReader(), srcs);
    const reader = openTailReaderThread();
    try {
      const got = await readAll(reader, srcs);
      expect(got).to.deep.equal(expected);
      for (const g of got) for (const c of g.chunks) expect(Buffer.isBuffer(c.tail)).to.equal(true);
      // The cases are there: elided text, skipped lines, quarantined bytes, an upcast line, several chunks.
      const lines = got.flatMap((g) => g.chunks.flatMap((c) => c.lines));
      expect(lines.some((l) => l.line.elided === true)).to.equal(true);
      expect(lines.some((l) => l.line.lazy?.kind === 'skipped')).to.equal(true);
      expect(lines.some((l) => l.line.lazy?.kind === 'decoded')).to.equal(true);
      // The empty line and the invalid UTF-8, read once from each start.
      expect(lines.filter((l) => l.quarantined !== undefined)).to.have.length(4);
      expect(Math.max(...got.map((g) => g.chunks.length))).to.be.greaterThan(1);
    } finally {
      await reader.close();
    }
  });

  it('fails a stream as the indexer would on this thread: a start off a line start, a missing file', async () => {
    const bad: Src[] = [
      { ...srcs[0]!, from: { ordinal: 1, byteOffset: 5 } },
      { ...srcs[0]!, path: nodePath.join(home, 'sessions/missing.jsonl') },
    ];
    const reader = openTailReaderThread();
    try {
      for (const s of bad) {
        const expected = await failureOf(s.path, inProcessTailReader().open(s));
        expect(expected).to.have.property('_tag');
        expect(await failureOf(s.path, reader.open(s))).to.deep.equal(expected);
      }
      // The thread still serves streams after failed ones.
      expect(await readAll(reader, srcs.slice(0, 2))).to.deep.equal(
        await readAll(inProcessTailReader(), srcs.slice(0, 2)),
      );
    } finally {
      await reader.close();
    }
  });

  it('gives a stream left early its bytes back: the files after it are read in full, even one chunk ahead at most', async () => {
    const big = srcs[srcs.findIndex((s) => s.path.includes(newThread(41).threadId))]!;
    const others = srcs.filter((s) => s !== big);
    const reader = openTailReaderThread(1);
    try {
      const gen = reader.open(big);
      const later = others.map((s) => reader.open(s));
      const firsts = later.map((g) => g.next());
      const first = await gen.next();
      expect(first.done).to.equal(false);
      await gen.close();
      const got = [];
      for (let i = 0; i < later.length; i++) {
        const f = await firsts[i]!;
        const rest = f.done === true ? { chunks: [], end: f.value } : await collect(later[i]!);
        got.push({ chunks: f.done === true ? [] : [f.value, ...rest.chunks], end: rest.end });
      }
      expect(got).to.deep.equal(await readAll(inProcessTailReader(), others));
    } finally {
      await reader.close();
    }
  });

  it('close ends the thread; a stream still open then fails with an Io error', async () => {
    const reader = openTailReaderThread(1);
    const gen = reader.open(srcs[0]!);
    expect((await gen.next()).done).to.equal(false);
    await reader.close();
    const err = await failureOf(srcs[0]!.path, gen);
    expect(err).to.deep.include({ _tag: 'Io', code: 'WORKER' });
  });

  const buildIn = (from: string) => async (dir: string, readerThread: boolean) => {
    const s = right(await openLmdbIndex(dir)());
    try {
      const sink = collectingQuarantineSink();
      const summary = right(
        await catchUpHome(s, from, {
          quarantine: sink,
          batchBytes: 256 * 1024,
          ...(readerThread ? { tailReader: openTailReaderThread } : {}),
          readerThreadFromBytes: 0,
        })(),
      );
      return { summary, records: sink.records, dump: right(await s.dump()()) };
    } finally {
      right(await s.close()());
    }
  };

  it('a catch-up of many files, whose reader thread starts while they are probed, builds the same index', async () => {
    const many = nodePath.join(tmp(), 'many');
    for (let i = 0; i < 70; i++) {
      const t = newThread(500 + i, i % 4 === 0 ? 'legacy' : 'paginated');
      await writeSynthThread(many, t, 1 + (i % 3));
    }
    const build = buildIn(many);
    const here = await build(nodePath.join(tmp(), 'many-here'), false);
    const there = await build(nodePath.join(tmp(), 'many-thread'), true);
    expect([here.summary.readerThread, there.summary.readerThread]).to.deep.equal([false, true]);
    expect(there.summary.indexed).to.equal(70);
    expect(there.dump).to.deep.equal(here.dump);
  });

  it('a catch-up reading on the reader thread builds the index and quarantine of one reading on its own thread', async () => {
    const build = buildIn(home);
    const here = await build(nodePath.join(tmp(), 'ix-here'), false);
    const there = await build(nodePath.join(tmp(), 'ix-thread'), true);
    expect(here.summary.readerThread).to.equal(false);
    expect(there.summary.readerThread).to.equal(true);
    expect(there.dump).to.deep.equal(here.dump);
    expect(there.records).to.deep.equal(here.records);
    const { seconds: _a, readerThread: _r, ...counts } = here.summary;
    const { seconds: _b, readerThread: _s, ...threadCounts } = there.summary;
    expect(threadCounts).to.deep.equal(counts);
    expect(here.records.length).to.be.greaterThan(3);
  });
});
