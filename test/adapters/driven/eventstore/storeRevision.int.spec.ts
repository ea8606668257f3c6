// `serve --eventstore`'s revisions (`RolloutFiles.revise` over the store): the seal in the base's
// own stream decides between a revision and an append cut from one end, and a seal whose reviser
// stopped before its revision is finished by whoever finds it.
import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { eventStoreEventLog } from '../../../../adapters/driven/eventstore/eventLog.js';
import type { EventStoreEventLog } from '../../../../adapters/driven/eventstore/eventLog.js';
import { readHomeFacts } from '../../../../adapters/driven/eventstore/homeControl.js';
import { followIntoHome } from '../../../../adapters/driven/eventstore/homeReplica.js';
import { mirrorHome } from '../../../../adapters/driven/eventstore/mirrorHome.js';
import { storeRolloutFiles } from '../../../../adapters/driven/eventstore/storeRolloutFiles.js';
import { rolloutStreamOf } from '../../../../adapters/driven/eventstore/streamNames.js';
import { connectEventStore } from '../../../../adapters/driven/eventstore/eventStoreClient.js';
import type { EventStoreConnection } from '../../../../adapters/driven/eventstore/eventStoreClient.js';
import { jsonlRolloutFiles } from '../../../../adapters/driven/jsonl/writers/rolloutFiles.js';
import type { EngineError, LogPosition } from '../../../../domain/errors.js';
import type { RolloutFiles } from '../../../../domain/ports.js';
import { RolloutWriter } from '../../../fixtures/rolloutLines.js';
import { right } from '../../../fixtures/right.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { chatThread, rolloutName, writeRollout } from '../../../replay/mutationHome.js';
import { useConnection, useEventStore } from '../../../eventstore/useEventStore.js';

/** Poll `probe` until it holds (the node's copy follows the store); 60 s without it is a hang, not a slow node. */
const eventually = async (what: string, probe: () => boolean): Promise<void> => {
  const deadline = Date.now() + 60_000;
  while (!probe()) {
    if (Date.now() > deadline) throw new Error(`not seen in 60 s: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
};

const conflictOf = (answer: E.Either<EngineError, unknown>): Extract<EngineError, { _tag: 'Conflict' }> => {
  if (E.isRight(answer) || answer.left._tag !== 'Conflict')
    throw new Error(`expected a Conflict, got ${JSON.stringify(answer)}`);
  return answer.left;
};

describe('revisions over EventStoreDB: the seal in the base stream', function () {
  this.timeout(120_000);
  const tmp = useTempDir('esdb-revise-');
  const store = useEventStore();
  const connectionOf = useConnection(store);
  const following: Array<{ abort: AbortController; done: Promise<unknown> }> = [];
  const connections: EventStoreConnection[] = [];
  afterEach(async () => {
    for (const f of following.splice(0)) {
      f.abort.abort();
      await f.done;
    }
    for (const c of connections.splice(0)) await c.close();
  });

  /** A paginated thread of a fresh id mirrored into the store, a node's copy following it, and that node's writes. */
  const setUp = async () => {
    const threadId = `01a1fe87-0000-7000-8000-${randomUUID().slice(-12)}`;
    const home = nodePath.join(tmp(), `home-${threadId}`);
    const thread = chatThread('paginated', threadId, 2);
    writeRollout(home, rolloutName(threadId), thread.text());
    right(await mirrorHome(home, connectionOf(), eventStoreEventLog(connectionOf()))());
    const node = nodePath.join(tmp(), `node-${threadId}`);
    const abort = new AbortController();
    let caughtUp: () => void = () => undefined;
    const ready = new Promise<void>((resolve) => (caughtUp = resolve));
    following.push({
      abort,
      done: followIntoHome(connectionOf(), node, { signal: abort.signal, onCaughtUp: () => caughtUp() }),
    });
    await ready;
    const writesOf = (log: EventStoreEventLog, connection: EventStoreConnection): RolloutFiles =>
      storeRolloutFiles(node, jsonlRolloutFiles(node), connection, log, { applyTimeoutMs: 10_000 });
    const log = eventStoreEventLog(connectionOf());
    const base = nodePath.join(node, 'sessions', '2026', '11', '21', rolloutName(threadId));
    const stream = rolloutStreamOf(base)!;
    let n = 0;
    /** A new revision file's path and lines (its session_meta line), as `writeRevision` would make them. */
    const revision = (): { path: string; lines: string[] } => {
      n += 1;
      return {
        path: nodePath.join(
          node,
          'sessions',
          '2026',
          '11',
          '21',
          `rollout-2026-11-21T15-${String(Math.floor(n / 60)).padStart(2, '0')}-${String(n % 60).padStart(2, '0')}-${threadId}_01a1fe87-0000-7000-8000-${randomUUID().slice(-12)}.jsonl`,
        ),
        lines: [thread.text().split('\n')[0]!],
      };
    };
    const turn = (id: string): string[] =>
      new RolloutWriter('paginated', threadId, { startOrdinal: 1000 + n++, startMs: thread.nowMs() + 1000 }).chatTurn(
        id,
        'q',
        'a',
      ).lines;
    return { node, threadId, log, base, stream, writes: writesOf(log, connectionOf()), writesOf, revision, turn };
  };

  it('an append whose checks passed before a revision was cut from the same end is refused by the store: Conflict naming the revision, nothing written', async () => {
    const { log, base, stream, writes, revision, turn } = await setUp();
    const end = right(await log.end(stream)()) as LogPosition;
    const rev = revision();
    right(await writes.revise(base, end, rev.path, rev.lines)());
    // The write step of an append that checked the end (and the control stream) just before the revision.
    const late = conflictOf(
      await log.appendStored(
        stream,
        turn('late').map((l) => ({ bytes: Buffer.from(l) })),
        end,
      )(),
    );
    expect(late.supersededBy).to.equal(nodePath.basename(rev.path));
    expect(right(await log.end(stream)())).to.deep.equal(end);
    // Through the node's writes too, and a second revision from the same end.
    expect(conflictOf(await writes.appendRaw(base, turn('late2'), end)()).supersededBy).to.equal(
      nodePath.basename(rev.path),
    );
    const other = revision();
    expect(conflictOf(await writes.revise(base, end, other.path, other.lines)()).supersededBy).to.equal(
      nodePath.basename(rev.path),
    );
    expect(right(await log.end(rolloutStreamOf(other.path)!)())).to.equal('noStream');
    // The revision takes lines as any current file.
    const revEnd = right(await log.end(rolloutStreamOf(rev.path)!)()) as LogPosition;
    right(await writes.appendRaw(rev.path, turn('t9'), revEnd)());
    expect(fs.readFileSync(`${base}.superseded`, 'utf8')).to.equal(nodePath.basename(rev.path));
  });

  it('an append first: a revision cut from the end it had is a Conflict and seals nothing', async () => {
    const { log, base, stream, writes, revision, turn } = await setUp();
    const end = right(await log.end(stream)()) as LogPosition;
    right(await writes.appendRaw(base, turn('t3'), end)());
    const rev = revision();
    const refused = conflictOf(await writes.revise(base, end, rev.path, rev.lines)());
    expect(refused.supersededBy).to.equal(undefined);
    expect(right(await log.sealOf(stream)())).to.equal(undefined);
    expect(right(await log.end(rolloutStreamOf(rev.path)!)())).to.equal('noStream');
  });

  it('a revision and an append from one end at once, from two connections: exactly one passes, round after round', async () => {
    const { log, base, stream, writes, writesOf, revision, turn } = await setUp();
    const otherConnection = connectEventStore(store().connectionString);
    connections.push(otherConnection);
    const otherWrites = writesOf(eventStoreEventLog(otherConnection), otherConnection);
    let current = { path: base, stream };
    let revisions = 0;
    for (let round = 0; round < 12; round++) {
      const end = right(await log.end(current.stream)()) as LogPosition;
      const rev = revision();
      // Which node cuts and which appends alternates.
      const [reviser, appender] = round % 2 === 0 ? [writes, otherWrites] : [otherWrites, writes];
      const lines = turn(`r${round}`);
      const revise = () => reviser.revise(current.path, end, rev.path, rev.lines)();
      const append = () => appender.appendRaw(current.path, lines, end)();
      // The first two rounds are scripted, so each side is seen passing whatever the machine's
      // timing: the revision whole before the append, then the append whole before the revision.
      // The others race from one end (one side 0-10 ms later, the append in even rounds and the
      // revision in odd ones): whoever wins, exactly one passes.
      const later = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
      const lag = (round % 6) * 2;
      const [revised, appended] =
        round === 0
          ? await (async () => {
              const r = await revise();
              return [r, await append()] as const;
            })()
          : round === 1
            ? await (async () => {
                const a = await append();
                return [await revise(), a] as const;
              })()
            : await Promise.all([
                later(round % 2 === 1 ? lag : 0).then(revise),
                later(round % 2 === 0 ? lag : 0).then(append),
              ]);
      if (round === 0) expect(E.isRight(revised), 'the revision made alone passes').to.equal(true);
      if (round === 1) expect(E.isRight(appended), 'the append made alone passes').to.equal(true);
      expect([E.isRight(revised), E.isRight(appended)].filter(Boolean), `round ${round}`).to.have.length(1);
      if (E.isRight(revised)) {
        conflictOf(appended);
        expect(right(await log.end(current.stream)()), `round ${round}: the base keeps its end`).to.deep.equal(end);
        current = { path: rev.path, stream: rolloutStreamOf(rev.path)! };
        revisions += 1;
      } else {
        conflictOf(revised);
        expect(right(await log.end(rolloutStreamOf(rev.path)!)())).to.equal('noStream');
      }
    }
    // Both sides passed in some rounds (at least the scripted ones).
    expect(revisions).to.be.within(1, 11);
    const facts = right(await readHomeFacts(connectionOf()));
    expect(
      [...facts.superseded.keys()].filter((f) => f.includes(nodePath.basename(base).slice(-40, -6))).length,
    ).to.equal(revisions);
  });

  it('a seal whose reviser stopped before its revision: the next writer finishes the revision (stream, superseded fact, the copy) and gets Conflict naming it', async () => {
    const { node, log, base, stream, writes, revision, turn } = await setUp();
    const end = right(await log.end(stream)()) as LogPosition;
    const rev = revision();
    const file = nodePath.relative(node, rev.path).split(nodePath.sep).join('/');
    // The reviser sealed the base and stopped.
    right(await log.seal(stream, end, { revision: nodePath.basename(rev.path), file, lines: rev.lines })());
    expect(right(await log.end(rolloutStreamOf(rev.path)!)())).to.equal('noStream');
    const refused = conflictOf(await writes.appendRaw(base, turn('t3'), end)());
    expect(refused.supersededBy).to.equal(nodePath.basename(rev.path));
    // Finished: the revision's stream holds the seal's lines, the control stream the mark, and the node's copy both.
    const stored: string[] = [];
    for await (const entry of log.readStored(rolloutStreamOf(rev.path)!))
      if (entry.kind === 'line') stored.push(entry.line.bytes.toString('utf8'));
    expect(stored).to.deep.equal(rev.lines);
    expect(
      right(await readHomeFacts(connectionOf())).superseded.get(
        nodePath.relative(node, base).split(nodePath.sep).join('/'),
      ),
    ).to.equal(nodePath.basename(rev.path));
    await eventually(
      'the copy holds the revision and the mark',
      () => fs.existsSync(rev.path) && fs.existsSync(`${base}.superseded`),
    );
    expect(fs.readFileSync(rev.path, 'utf8')).to.equal(`${rev.lines.join('\n')}\n`);
    // That end is gone for every writer, the stopped reviser's retry too (as over files: the mark is there).
    expect(conflictOf(await writes.revise(base, end, rev.path, rev.lines)()).supersededBy).to.equal(
      nodePath.basename(rev.path),
    );
    const other = revision();
    expect(conflictOf(await writes.revise(base, end, other.path, other.lines)()).supersededBy).to.equal(
      nodePath.basename(rev.path),
    );
    // Readers of lines skip the seal: the base's lines read back whole, and its copy is unchanged.
    const baseLines: string[] = [];
    for await (const entry of log.readStored(stream))
      if (entry.kind === 'line') baseLines.push(entry.line.bytes.toString('utf8'));
    expect(`${baseLines.join('\n')}\n`).to.equal(fs.readFileSync(base, 'utf8'));
  });
});
