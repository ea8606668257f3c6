import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { QuarantineRecord } from '../../../../domain/rollout/rawLine.js';
import {
  collectingQuarantineSink,
  fileQuarantineSink,
  renderQuarantineRecord,
} from '../../../../adapters/driven/jsonl/writers/quarantine.js';
import { useTempDir } from '../../../fixtures/tempDir.js';

const record = (i: number): QuarantineRecord => ({
  path: '/home/x/sessions/rollout.jsonl',
  ordinal: i,
  byteOffset: i * 100,
  byteLength: 42,
  reason: 'not JSON: Unexpected token',
  text: `bad line ${i} é\n"quoted"`,
});

const entries = async (dir: string): Promise<Array<Record<string, unknown>>> =>
  (await fs.readFile(nodePath.join(dir, 'quarantine.jsonl'), 'utf8'))
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);

describe('jsonl quarantine sinks', () => {
  const dirOf = useTempDir('jsonl-quarantine-');

  it('appends one JSON line per record with a readable message and a 1-based line number, all of them even when concurrent', async () => {
    const qdir = nodePath.join(dirOf(), 'q', 'nested');
    const sink = fileQuarantineSink(qdir, { now: () => new Date('2026-11-21T00:00:00Z') });
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => sink.record(record(i))()));
    expect(results.every(E.isRight)).to.equal(true);
    const rows = await entries(qdir);
    expect(rows).to.have.length(200);
    const byLine = new Map(rows.map((r) => [r['lineNumber'], r]));
    for (let i = 0; i < 200; i++) {
      const { ordinal: _o, ...rest } = record(i);
      expect(byLine.get(i + 1)).to.deep.equal({
        at: '2026-11-21T00:00:00.000Z',
        message: renderQuarantineRecord(record(i)),
        ...rest,
        lineNumber: i + 1,
      });
    }
    expect(renderQuarantineRecord(record(1))).to.equal(
      '/home/x/sessions/rollout.jsonl line 2 (bytes 100..142): not JSON: Unexpected token',
    );
  });

  it('writes a file and byte range once: again, concurrently, from another sink (another process), or after a torn write', async () => {
    const qdir = nodePath.join(dirOf(), 'once');
    const a = fileQuarantineSink(qdir);
    const b = fileQuarantineSink(qdir);
    await Promise.all([
      ...Array.from({ length: 20 }, (_, i) => a.record(record(i % 10))()),
      ...Array.from({ length: 20 }, (_, i) => b.record(record(i % 10))()),
    ]);
    expect((await entries(qdir)).map((r) => r['lineNumber']).sort((x, y) => Number(x) - Number(y))).to.deep.equal([
      1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    ]);
    // A third sink (a later run) with what the others wrote, and one new line, in one call.
    const c = fileQuarantineSink(qdir);
    expect(E.isRight(await c.recordAll!([record(3), record(10), record(10)])())).to.equal(true);
    expect(await entries(qdir)).to.have.length(11);
    // A record cut short by a crash does not swallow the next one.
    await fs.appendFile(nodePath.join(qdir, 'quarantine.jsonl'), '{"at":"2026');
    expect(E.isRight(await fileQuarantineSink(qdir).record(record(11))())).to.equal(true);
    const text = await fs.readFile(nodePath.join(qdir, 'quarantine.jsonl'), 'utf8');
    const lines = text.split('\n').filter((l) => l !== '');
    expect(lines).to.have.length(13);
    expect(lines[11]).to.equal('{"at":"2026');
    expect(JSON.parse(lines[12]!)).to.deep.include({ lineNumber: 12 });
  });

  it('rewrites a quarantine.jsonl written before (0-based ordinals, the same line several times) once, each line once with its line number', async () => {
    const qdir = nodePath.join(dirOf(), 'old');
    await fs.mkdir(qdir, { recursive: true });
    const old = (i: number) =>
      JSON.stringify({
        at: 'then',
        message: 'm',
        path: record(i).path,
        ordinal: i,
        byteOffset: i * 100,
        byteLength: 42,
        reason: 'r',
        text: 't',
      });
    await fs.writeFile(
      nodePath.join(qdir, 'quarantine.jsonl'),
      [old(4), old(4), 'not json', old(7), old(4)].map((l) => l + '\n').join(''),
    );
    expect(E.isRight(await fileQuarantineSink(qdir).record(record(7))())).to.equal(true);
    const lines = (await fs.readFile(nodePath.join(qdir, 'quarantine.jsonl'), 'utf8')).trimEnd().split('\n');
    expect(lines).to.have.length(3);
    expect(lines[1]).to.equal('not json');
    const rows = [lines[0]!, lines[2]!].map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => [r['lineNumber'], r['ordinal'], r['byteOffset']])).to.deep.equal([
      [5, undefined, 400],
      [8, undefined, 700],
    ]);
    expect(rows[0]!['message']).to.equal(`${record(4).path} line 5 (bytes 400..442): r`);
  });

  it('reports an unwritable quarantine folder as an Io error, not a throw', async () => {
    const file = nodePath.join(dirOf(), 'plain-file');
    await fs.writeFile(file, '');
    const r = await fileQuarantineSink(nodePath.join(file, 'sub')).record(record(0))();
    expect(E.isLeft(r) && r.left._tag).to.equal('Io');
  });

  it('collects records in memory only when the task runs', async () => {
    const sink = collectingQuarantineSink();
    const task = sink.record(record(7));
    expect(sink.records).to.have.length(0);
    await task();
    expect(sink.records).to.deep.equal([record(7)]);
  });
});
