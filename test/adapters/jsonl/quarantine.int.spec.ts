import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { QuarantineRecord } from '../../../domain/rollout/rawLine.js';
import { collectingQuarantineSink, fileQuarantineSink, renderQuarantineRecord } from '../../../adapters/jsonl/quarantine.js';
import { useTempDir } from '../../fixtures/tempDir.js';

const record = (i: number): QuarantineRecord => ({
  path: '/home/x/sessions/rollout.jsonl',
  ordinal: i,
  byteOffset: i * 100,
  byteLength: 42,
  reason: 'not JSON: Unexpected token',
  text: `bad line ${i} é\n"quoted"`,
});

describe('jsonl quarantine sinks', () => {
  const dirOf = useTempDir('jsonl-quarantine-');

  it('appends one JSON line per record with a readable message, all of them even when concurrent', async () => {
    const qdir = nodePath.join(dirOf(), 'q', 'nested');
    const sink = fileQuarantineSink(qdir, { now: () => new Date('2026-11-21T00:00:00Z') });
    const results = await Promise.all(Array.from({ length: 200 }, (_, i) => sink.record(record(i))()));
    expect(results.every(E.isRight)).to.equal(true);
    const text = await fs.readFile(nodePath.join(qdir, 'quarantine.jsonl'), 'utf8');
    const rows = text
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows).to.have.length(200);
    const byOrdinal = new Map(rows.map((r) => [r['ordinal'], r]));
    for (let i = 0; i < 200; i++) {
      const row = byOrdinal.get(i);
      expect(row).to.deep.equal({
        at: '2026-11-21T00:00:00.000Z',
        message: renderQuarantineRecord(record(i)),
        ...record(i),
      });
    }
    expect(renderQuarantineRecord(record(1))).to.equal('/home/x/sessions/rollout.jsonl line 1 (bytes 100..142): not JSON: Unexpected token');
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
