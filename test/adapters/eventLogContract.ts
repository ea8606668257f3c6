import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError, LogPosition } from '../../domain/errors.js';
import type { AppendResult, EventLog, LogEntry } from '../../domain/ports.js';
import { makeRolloutLine } from '../../domain/rollout/line.js';

/**
 * What every `EventLog` adapter promises, one suite run against each (JSONL files, EventStoreDB):
 * positions are the file's (ordinal, byte offset), appends are exact-position and all-or-nothing
 * against another writer, reads and byte ranges give back the bytes appended.
 */
export interface EventLogUnderTest {
  readonly log: EventLog;
  /** A stream nobody has written yet. */
  readonly freshStream: () => string;
  /** A second log on the same store (another process's view): it shares nothing in memory. */
  readonly otherLog: () => EventLog;
}

export const contractLine = (n: number, text = 'ü €'): string =>
  makeRolloutLine({
    timestamp: '2026-11-21T14:31:25.366Z',
    ordinal: n,
    type: 'event_msg',
    payload: { type: 'agent_message', message: `${text} ${n}` },
  }).raw;

const all = async (it: AsyncIterable<LogEntry>): Promise<LogEntry[]> => {
  const out: LogEntry[] = [];
  for await (const e of it) out.push(e);
  return out;
};

const right = <A>(e: E.Either<EngineError, A>): A => {
  if (E.isLeft(e)) throw new Error(`expected Right, got ${JSON.stringify(e.left)}`);
  return e.right;
};

const textsOf = (entries: ReadonlyArray<LogEntry>): string[] =>
  entries.map((e) =>
    e.kind === 'line' ? e.line.text : e.kind === 'quarantined' ? `!${e.record.text}` : `failed:${e.error._tag}`,
  );

/** Where the next line goes after `lines` appended at the start. */
const endAfter = (lines: ReadonlyArray<string>): LogPosition => ({
  ordinal: lines.length,
  byteOffset: lines.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0),
});

export const eventLogContract = (name: string, setup: () => EventLogUnderTest): void => {
  describe(`EventLog contract: ${name}`, () => {
    it('a stream nobody wrote: end is noStream, a read ends in NotFound', async () => {
      const { log, freshStream } = setup();
      const stream = freshStream();
      expect(right(await log.end(stream)())).to.equal('noStream');
      expect(textsOf(await all(log.read(stream)))).to.deep.equal(['failed:NotFound']);
    });

    it('append → end → read from a checkpoint → readRange agree on the file positions', async () => {
      const { log, freshStream } = setup();
      const stream = freshStream();
      const lines = [contractLine(0), contractLine(1), contractLine(2)];
      const first = right(await log.append(stream, lines.slice(0, 2), 'noStream')());
      expect(first).to.deep.equal({ first: { ordinal: 0, byteOffset: 0 }, next: endAfter(lines.slice(0, 2)) });
      expect(right(await log.end(stream)())).to.deep.equal(first.next);
      const second = right(await log.append(stream, [lines[2]!], first.next)());
      expect(second).to.deep.equal({ first: first.next, next: endAfter(lines) });
      const read = await all(log.read(stream));
      expect(textsOf(read)).to.deep.equal(lines);
      expect(
        read.map((e) => (e.kind === 'line' ? [e.line.ordinal, e.line.byteOffset, e.line.byteLength] : [])),
      ).to.deep.equal(lines.map((l, i) => [i, endAfter(lines.slice(0, i)).byteOffset, Buffer.byteLength(l)]));
      expect(textsOf(await all(log.read(stream, first.next)))).to.deep.equal([lines[2]]);
      expect(textsOf(await all(log.read(stream, second.next)))).to.deep.equal([]);
      expect(right(await log.readRange(stream, first.next.byteOffset, Buffer.byteLength(lines[2]!))())).to.equal(
        lines[2],
      );
    });

    it('readRange inside a line and across lines, also from a log that has read nothing yet', async () => {
      const { log, freshStream, otherLog } = setup();
      const stream = freshStream();
      const lines = [contractLine(0, 'αβγ'), contractLine(1, 'δεζ')];
      right(await log.append(stream, lines, 'noStream')());
      const whole = `${lines[0]}\n${lines[1]}`;
      const bytes = Buffer.from(whole);
      // From inside the first line's closing bytes to inside the second's opening ones (ASCII both).
      const from = Buffer.byteLength(lines[0]!) - 5;
      const expected = bytes.subarray(from, from + 20).toString('utf8');
      expect(expected).to.include('\n');
      expect(right(await log.readRange(stream, from, 20)())).to.equal(expected);
      expect(right(await otherLog().readRange(stream, from, 20)())).to.equal(expected);
      expect(
        right(await otherLog().readRange(stream, Buffer.byteLength(lines[0]!) + 1, Buffer.byteLength(lines[1]!))()),
      ).to.equal(lines[1]);
    });

    it('a stale expected position is a Conflict naming both ends, and writes nothing', async () => {
      const { log, freshStream } = setup();
      const stream = freshStream();
      const a = right(await log.append(stream, [contractLine(0)], 'noStream')());
      const b = right(await log.append(stream, [contractLine(1)], a.next)());
      const stale = await log.append(stream, [contractLine(9)], a.next)();
      expect(stale).to.deep.equal(E.left({ _tag: 'Conflict', path: stream, expected: a.next, actual: b.next }));
      const again = await log.append(stream, [contractLine(9)], 'noStream')();
      expect(again).to.deep.equal(E.left({ _tag: 'Conflict', path: stream, expected: 'noStream', actual: b.next }));
      expect(textsOf(await all(log.read(stream)))).to.deep.equal([contractLine(0), contractLine(1)]);
    });

    it('two writers from one expected position: one Conflict, the other whole, nothing interleaved', async () => {
      const { log, freshStream, otherLog } = setup();
      const stream = freshStream();
      const start = right(await log.append(stream, [contractLine(0)], 'noStream')());
      const mine = [contractLine(1, 'mine'), contractLine(2, 'mine')];
      const theirs = [contractLine(1, 'theirs'), contractLine(2, 'theirs'), contractLine(3, 'theirs')];
      const [x, y] = await Promise.all([
        log.append(stream, mine, start.next)(),
        otherLog().append(stream, theirs, start.next)(),
      ]);
      const results: E.Either<EngineError, AppendResult>[] = [x, y];
      expect(results.filter(E.isRight)).to.have.length(1);
      const lost = results.find(E.isLeft);
      expect(lost?.left._tag).to.equal('Conflict');
      const won = x === results.find(E.isRight) ? mine : theirs;
      expect(textsOf(await all(log.read(stream)))).to.deep.equal([contractLine(0), ...won]);
      expect(right(await log.end(stream)())).to.deep.equal(endAfter([contractLine(0), ...won]));
    });

    it('refuses a line that is not a rollout line, and an empty append, writing nothing', async () => {
      const { log, freshStream } = setup();
      const stream = freshStream();
      const refused = await log.append(stream, [contractLine(0), 'not json ü'], 'noStream')();
      expect(E.isLeft(refused) && refused.left).to.include({ _tag: 'InvalidArgument', field: 'lines[1]' });
      const empty = await log.append(stream, [], 'noStream')();
      expect(E.isLeft(empty) && empty.left).to.include({ _tag: 'InvalidArgument', field: 'lines' });
      expect(right(await log.end(stream)())).to.equal('noStream');
    });

    it('another process sees the appends: end and reads from its checkpoints', async () => {
      const { log, freshStream, otherLog } = setup();
      const stream = freshStream();
      const a = right(await log.append(stream, [contractLine(0)], 'noStream')());
      const other = otherLog();
      right(await other.append(stream, [contractLine(1)], a.next)());
      expect(right(await log.end(stream)())).to.deep.equal(endAfter([contractLine(0), contractLine(1)]));
      expect(textsOf(await all(log.read(stream, a.next)))).to.deep.equal([contractLine(1)]);
    });
  });
};
