import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../../domain/errors.js';
import type { LogEntry } from '../../../../domain/ports.js';
import { eventStoreEventLog } from '../../../../adapters/driven/eventstore/eventLog.js';
import { draftLineEvents } from '../../../../adapters/driven/eventstore/lineEvents.js';
import { contractLine } from '../../eventLogContract.js';
import { useConnection, useEventStore } from '../../../eventstore/useEventStore.js';
import { skipUnmet } from '../../../fixtures/skipUnmet.js';

const right = <A>(e: E.Either<EngineError, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`);
  return e.right;
};

const all = async (it: AsyncIterable<LogEntry>): Promise<LogEntry[]> => {
  const out: LogEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
};

const textsOf = (entries: ReadonlyArray<LogEntry>): string[] =>
  entries.map((e) =>
    e.kind === 'line' ? e.line.text : e.kind === 'quarantined' ? `!${e.record.text}` : `failed:${e.error._tag}`,
  );

/** Fault injection needs the test server: these run only without EVENTSTORE_CONNECTION_STRING. */
describe('EventStoreDB EventLog against the test server: events, limits, faults', function () {
  const MAX = 8 * 1024;
  const store = useEventStore({ maxAppendSize: MAX });
  const connectionOf = useConnection(store);
  before(function () {
    skipUnmet(this, store().server !== undefined, 'the EventStoreDB test server', 'fault injection needs it');
  });
  const server = () => store().server!;
  const eventsOf = (stream: string) =>
    server()
      .all()
      .filter((e) => e.stream === stream);

  it('stores one binary event per line: the exact bytes, codex.<type>, metadata with the file position, ids from stream + ordinal + bytes', async () => {
    const log = eventStoreEventLog(connectionOf(), { maxAppendBytes: MAX });
    const stream = `rollout-${randomUUID()}`;
    const lines = [contractLine(0), contractLine(1)];
    right(await log.append(stream, lines, 'noStream')());
    const stored = eventsOf(stream);
    expect(stored.map((e) => [e.type, e.contentType, Buffer.from(e.data).toString('utf8')])).to.deep.equal(
      lines.map((l) => ['codex.event_msg', 'application/octet-stream', l]),
    );
    expect(stored.map((e) => JSON.parse(Buffer.from(e.customMetadata).toString('utf8')))).to.deep.equal([
      { ordinal: 0, byteOffset: 0, byteLength: Buffer.byteLength(lines[0]!) },
      { ordinal: 1, byteOffset: Buffer.byteLength(lines[0]!) + 1, byteLength: Buffer.byteLength(lines[1]!) },
    ]);
    const again = draftLineEvents(
      stream,
      lines.map((l) => ({ bytes: Buffer.from(l) })),
      { ordinal: 0, byteOffset: 0 },
      MAX,
    );
    expect(stored.map((e) => e.id)).to.deep.equal(again.events.map((e) => e.id));
    const other = draftLineEvents(
      `${stream}x`,
      lines.map((l) => ({ bytes: Buffer.from(l) })),
      { ordinal: 0, byteOffset: 0 },
      MAX,
    );
    expect(other.events[0]!.id).to.not.equal(again.events[0]!.id);
  });

  it('two writers that both saw the same end append at the same revision: the server refuses one, which reads and reports Conflict', async () => {
    const stream = `rollout-${randomUUID()}`;
    const a = eventStoreEventLog(connectionOf(), { maxAppendBytes: MAX });
    const b = eventStoreEventLog(connectionOf(), { maxAppendBytes: MAX });
    const start = right(await a.append(stream, [contractLine(0)], 'noStream')());
    // Both know the end (b from a read): neither reads it again before its append.
    expect(right(await b.end(stream)())).to.deep.equal(start.next);
    const calls = server().appendCalls();
    const [x, y] = await Promise.all([
      a.append(stream, [contractLine(1, 'a')], start.next)(),
      b.append(stream, [contractLine(1, 'b'), contractLine(2, 'b')], start.next)(),
    ]);
    expect(server().appendCalls() - calls).to.equal(2);
    expect([x, y].filter(E.isRight)).to.have.length(1);
    const lost = [x, y].find(E.isLeft)!;
    const won = E.isRight(x) ? [contractLine(1, 'a')] : [contractLine(1, 'b'), contractLine(2, 'b')];
    expect(lost.left).to.deep.include({ _tag: 'Conflict', expected: start.next });
    expect(textsOf(await all(a.read(stream)))).to.deep.equal([contractLine(0), ...won]);
  });

  it('a committed append whose answer was dropped is retried with the same ids: written once', async () => {
    const log = eventStoreEventLog(connectionOf(), { maxAppendBytes: MAX, retryDelayMs: 1 });
    const stream = `rollout-${randomUUID()}`;
    const a = right(await log.append(stream, [contractLine(0)], 'noStream')());
    server().faults.dropAnswerAfterCommit = 1;
    const calls = server().appendCalls();
    const b = right(await log.append(stream, [contractLine(1), contractLine(2)], a.next)());
    expect(server().appendCalls() - calls).to.equal(2);
    expect(eventsOf(stream)).to.have.length(3);
    expect(textsOf(await all(log.read(stream)))).to.deep.equal([contractLine(0), contractLine(1), contractLine(2)]);
    expect(right(await log.end(stream)())).to.deep.equal(b.next);
  });

  it('an append refused as unavailable is retried; past the retries it is an Io error', async () => {
    const log = eventStoreEventLog(connectionOf(), { maxAppendBytes: MAX, retries: 2, retryDelayMs: 1 });
    const stream = `rollout-${randomUUID()}`;
    server().faults.unavailable = 2;
    right(await log.append(stream, [contractLine(0)], 'noStream')());
    expect(eventsOf(stream)).to.have.length(1);
    server().faults.unavailable = 3;
    const failed = await log.append(stream, [contractLine(1)], {
      ordinal: 1,
      byteOffset: Buffer.byteLength(contractLine(0)) + 1,
    })();
    server().faults.unavailable = 0;
    expect(E.isLeft(failed) && failed.left).to.include({ _tag: 'Io', code: 'UNAVAILABLE' });
    expect(eventsOf(stream)).to.have.length(1);
  });

  it('splits requests below the maximum append size, and a line larger than it into part events read back whole', async () => {
    const log = eventStoreEventLog(connectionOf(), { maxAppendBytes: MAX });
    const stream = `rollout-${randomUUID()}`;
    const big = contractLine(1, 'x'.repeat(3 * MAX));
    const lines = [contractLine(0), big, ...Array.from({ length: 20 }, (_, i) => contractLine(i + 2, 'y'.repeat(600)))];
    const calls = server().appendCalls();
    const r = right(await log.append(stream, lines, 'noStream')());
    expect(server().appendCalls() - calls).to.be.greaterThan(3);
    const parts = eventsOf(stream).filter(
      (e) => JSON.parse(Buffer.from(e.customMetadata).toString('utf8')).ordinal === 1,
    );
    expect(parts.length).to.be.greaterThan(3);
    expect(textsOf(await all(log.read(stream)))).to.deep.equal(lines);
    const fresh = eventStoreEventLog(connectionOf(), { maxAppendBytes: MAX });
    expect(right(await fresh.readRange(stream, Buffer.byteLength(lines[0]!) + 1, Buffer.byteLength(big))())).to.equal(
      big,
    );
    expect(
      textsOf(
        await all(
          fresh.read(stream, { ordinal: 2, byteOffset: Buffer.byteLength(lines[0]!) + Buffer.byteLength(big) + 2 }),
        ),
      ),
    ).to.deep.equal(lines.slice(2));
    expect(right(await fresh.end(stream)())).to.deep.equal(r.next);
  });

  it("a request over the server's limit is InvalidArgument (the error trailer mapped), nothing written", async () => {
    const log = eventStoreEventLog(connectionOf(), { maxAppendBytes: 4 * MAX });
    const stream = `rollout-${randomUUID()}`;
    const refused = await log.append(stream, [contractLine(0, 'z'.repeat(2 * MAX))], 'noStream')();
    expect(E.isLeft(refused) && refused.left).to.include({ _tag: 'InvalidArgument', field: 'lines' });
    expect(eventsOf(stream)).to.have.length(0);
  });

  it('a line cut between its parts (a writer killed mid-line) reads as a torn tail; the same append completes it', async () => {
    const log = eventStoreEventLog(connectionOf(), { maxAppendBytes: MAX });
    const stream = `rollout-${randomUUID()}`;
    const a = right(await log.append(stream, [contractLine(0)], 'noStream')());
    const big = contractLine(1, 'q'.repeat(2 * MAX));
    const drafted = draftLineEvents(stream, [{ bytes: Buffer.from(big) }], a.next, Math.floor(MAX / 2));
    await connectionOf().append(stream, drafted.events.slice(0, 1), 0);
    const torn = await all(log.read(stream));
    expect(torn.map((e) => e.kind)).to.deep.equal(['line', 'quarantined']);
    expect(torn[1]?.kind === 'quarantined' && torn[1].record.reason).to.match(/^torn tail/);
    expect(right(await log.end(stream)())).to.deep.equal(a.next);
    const other = await log.append(stream, [contractLine(1, 'other')], a.next)();
    expect(E.isLeft(other) && other.left._tag).to.equal('Conflict');
    const done = right(await log.append(stream, [big], a.next)());
    expect(textsOf(await all(log.read(stream)))).to.deep.equal([contractLine(0), big]);
    expect(done.next).to.deep.equal({ ordinal: 2, byteOffset: a.next.byteOffset + Buffer.byteLength(big) + 1 });
  });

  it('keeps bytes that are not a rollout line (appendStored): quarantined on read, with their reason, counted', async () => {
    const log = eventStoreEventLog(connectionOf(), { maxAppendBytes: MAX });
    const stream = `rollout-${randomUUID()}`;
    const bad = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    right(
      await log.appendStored(
        stream,
        [{ bytes: Buffer.from(contractLine(0)), bom: true }, { bytes: bad }, { bytes: Buffer.from('not json') }],
        'noStream',
      )(),
    );
    expect(eventsOf(stream).map((e) => e.type)).to.deep.equal([
      'codex.event_msg',
      'rollout.quarantined',
      'rollout.quarantined',
    ]);
    const read = await all(log.read(stream));
    expect(read.map((e) => e.kind)).to.deep.equal(['line', 'quarantined', 'quarantined']);
    expect(read[0]?.kind === 'line' && read[0].line.byteOffset).to.equal(3);
    const stored = [];
    for await (const s of log.readStored(stream)) if (s.kind === 'line') stored.push(s.line);
    expect(stored[0]?.bom).to.equal(true);
    expect(Buffer.compare(stored[1]!.bytes, bad)).to.equal(0);
  });
});
