import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { LogEntry } from '../../../../domain/ports.js';
import { makeRolloutLine } from '../../../../domain/rollout/line.js';
import { jsonlEventLog } from '../../../../adapters/driven/jsonl/eventLog.js';
import { collectingQuarantineSink } from '../../../../adapters/driven/jsonl/writers/quarantine.js';
import { useTempDir } from '../../../fixtures/tempDir.js';

const raw = (n: number) =>
  makeRolloutLine({
    timestamp: '2026-11-21T14:31:25.366Z',
    ordinal: n,
    type: 'event_msg',
    payload: { type: 'x', n, s: 'ü' },
  }).raw;

const all = async (it: AsyncIterable<LogEntry>): Promise<LogEntry[]> => {
  const out: LogEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
};

describe('jsonl EventLog', () => {
  const dirOf = useTempDir('jsonl-eventlog-');

  it('append → end → read from a checkpoint → readRange agree on positions', async () => {
    const log = jsonlEventLog({ fsync: 'never' });
    const stream = nodePath.join(dirOf(), 'a', 'rollout-a.jsonl');
    expect(await log.end(stream)()).to.deep.equal(E.right('noStream'));
    const first = await log.append(stream, [raw(0), raw(1)], 'noStream')();
    if (E.isLeft(first)) throw new Error(first.left._tag);
    expect(await log.end(stream)()).to.deep.equal(E.right(first.right.next));
    const second = await log.append(stream, [raw(2)], first.right.next)();
    if (E.isLeft(second)) throw new Error(second.left._tag);
    const tail = await all(log.read(stream, first.right.next));
    expect(tail).to.have.length(1);
    const only = tail[0];
    if (only?.kind !== 'line') throw new Error('expected a line');
    expect(only.line).to.include({ ordinal: 2, byteOffset: first.right.next.byteOffset, text: raw(2) });
    expect(await log.readRange(stream, only.line.byteOffset, only.line.byteLength)()).to.deep.equal(E.right(raw(2)));
    expect(await log.end(stream)()).to.deep.equal(E.right(second.right.next));
    const stale = await log.append(stream, [raw(3)], first.right.next)();
    expect(stale).to.deep.equal(
      E.left({ _tag: 'Conflict', path: stream, expected: first.right.next, actual: second.right.next }),
    );
  });

  it('sees appends by others: end counts forward from its cached checkpoint', async () => {
    const log = jsonlEventLog({ fsync: 'never' });
    const stream = nodePath.join(dirOf(), 'b', 'rollout-b.jsonl');
    const first = await log.append(stream, [raw(0)], 'noStream')();
    if (E.isLeft(first)) throw new Error(first.left._tag);
    await fs.appendFile(stream, raw(1) + '\n' + raw(2) + '\n');
    const size = (await fs.stat(stream)).size;
    expect(await log.end(stream)()).to.deep.equal(E.right({ ordinal: 3, byteOffset: size }));
  });

  it('yields quarantined lines and records them in the sink, but not a torn tail; a missing file ends in failed', async () => {
    const quarantine = collectingQuarantineSink();
    const log = jsonlEventLog({ quarantine });
    const stream = nodePath.join(dirOf(), 'rollout-c.jsonl');
    await fs.writeFile(stream, `${raw(0)}\nnot json\n${raw(2)}\n{"torn`);
    const entries = await all(log.read(stream));
    expect(entries.map((e) => e.kind)).to.deep.equal(['line', 'quarantined', 'line', 'quarantined']);
    expect(quarantine.records.map((r) => [r.ordinal, r.text])).to.deep.equal([[1, 'not json']]);
    expect(await log.end(stream)()).to.deep.equal(
      E.right({ ordinal: 3, byteOffset: Buffer.byteLength(`${raw(0)}\nnot json\n${raw(2)}\n`) }),
    );

    const missing = await all(log.read(nodePath.join(dirOf(), 'missing.jsonl')));
    expect(missing.map((e) => (e.kind === 'failed' ? e.error._tag : e.kind))).to.deep.equal(['NotFound']);
  });
});
