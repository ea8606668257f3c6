// `rollout-engine serve --eventstore`: the history API answered from a node's index built from the
// store, mutations appended to the store and read back on the node that made them and on another.
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { eventStoreEventLog } from '../../../../adapters/driven/eventstore/eventLog.js';
import { mirrorHome } from '../../../../adapters/driven/eventstore/mirrorHome.js';
import { storeRolloutFiles } from '../../../../adapters/driven/eventstore/storeRolloutFiles.js';
import { jsonlRolloutFiles } from '../../../../adapters/driven/jsonl/writers/rolloutFiles.js';
import type { LogPosition } from '../../../../domain/errors.js';
import * as E from 'fp-ts/lib/Either.js';
import { HOME_CONTROL_STREAM, readHomeFacts } from '../../../../adapters/driven/eventstore/homeControl.js';
import { forkThread } from '../../../../replay/mutations/forkThread.js';
import { revertThread } from '../../../../replay/mutations/revertThread.js';
import { right } from '../../../fixtures/right.js';
import { useTempDir } from '../../../fixtures/tempDir.js';
import { initializedServe } from '../../../fixtures/stdioRpcClient.js';
import type { StdioRpcClient } from '../../../fixtures/stdioRpcClient.js';
import { RolloutWriter } from '../../../fixtures/rolloutLines.js';
import {
  chatThread,
  openMutationHome,
  rolloutName,
  right as rightTE,
  writeRollout,
} from '../../../replay/mutationHome.js';
import { useConnection, useEventStore } from '../../../eventstore/useEventStore.js';

const P = '01a1fe87-0000-7000-8000-0000000e5001';
const L = '01a1fe87-0000-7000-8000-0000000e5002';
const A = '01a1fe87-0000-7000-8000-0000000e5003';

/** A home of both history modes with a fork, a revision and an archived thread (its index dropped: the mirror reads the files). */
const makeHome = async (home: string): Promise<RolloutWriter> => {
  const p = chatThread('paginated', P, 3);
  writeRollout(home, rolloutName(P), p.text());
  writeRollout(home, rolloutName(L), chatThread('legacy', L, 2).text());
  fs.mkdirSync(nodePath.join(home, 'archived_sessions'), { recursive: true });
  fs.writeFileSync(nodePath.join(home, 'archived_sessions', rolloutName(A)), chatThread('paginated', A, 1).text());
  const m = await openMutationHome(home);
  try {
    await rightTE(forkThread(m.ports, { threadId: L }));
    await rightTE(revertThread(m.ports, { threadId: P, beforeTurnId: 't3' }));
  } finally {
    await m.close();
  }
  fs.rmSync(nodePath.join(home, '.rollout-engine'), { recursive: true, force: true });
  return p;
};

const serveOn = (home: string, args: ReadonlyArray<string> = []): Promise<StdioRpcClient> =>
  initializedServe(home, { capabilities: { experimentalApi: true }, args });

/** The result of a request, or the test fails with its error. */
const ask = async (s: StdioRpcClient, method: string, params: unknown): Promise<any> => {
  const a = await s.request(method, params);
  if ('error' in a) throw new Error(`${method}: ${JSON.stringify(a.error)}`);
  return a.result;
};

/**
 * Every history answer of a server, with the home's path written `<home>`: lists, then per thread
 * read, turns in each view, items. A thread's `updatedAt` / `recencyAt` left out: a node's copy of
 * a file written from the store has its own mtime, by which a thread no Codex state DB row holds is
 * dated (docs/eventstore.md; issue 69's backfill rule), not the source home's.
 */
const historyAnswers = async (s: StdioRpcClient, home: string): Promise<string> => {
  const active = await ask(s, 'thread/list', { limit: 100 });
  const archived = await ask(s, 'thread/list', { limit: 100, archived: true });
  const out: unknown[] = [active, archived];
  for (const t of [...active.data, ...archived.data] as Array<{ id: string }>) {
    out.push(await ask(s, 'thread/read', { threadId: t.id, includeTurns: true }));
    for (const itemsView of ['notLoaded', 'summary', 'full'])
      out.push(await ask(s, 'thread/turns/list', { threadId: t.id, itemsView }));
    out.push(await ask(s, 'thread/items/list', { threadId: t.id }));
  }
  return JSON.stringify(out, (k, v: unknown) => (k === 'updatedAt' || k === 'recencyAt' ? undefined : v))
    .split(home)
    .join('<home>');
};

/** Poll `probe` until it holds (the other node follows the store); 60 s without it is a hang, not a slow node (no verdict on speed). */
const eventually = async (what: string, probe: () => Promise<boolean>): Promise<void> => {
  const deadline = Date.now() + 60_000;
  while (!(await probe())) {
    if (Date.now() > deadline) throw new Error(`not seen in 60 s: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

const turnIds = async (s: StdioRpcClient, threadId: string): Promise<string[]> =>
  ((await ask(s, 'thread/turns/list', { threadId, itemsView: 'notLoaded' })).data as Array<{ id: string }>).map(
    (t) => t.id,
  );

describe('serve --eventstore (the log in EventStoreDB)', function () {
  this.timeout(120_000);
  const tmp = useTempDir('esdb-serve-');
  const store = useEventStore();
  const connectionOf = useConnection(store);
  const servers: StdioRpcClient[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close();
  });

  it('answers as serve over the files; a mutation lands in the store, is read back at once, and another node sees it', async () => {
    const original = nodePath.join(tmp(), 'home');
    const pw = await makeHome(original);
    right(await mirrorHome(original, connectionOf(), eventStoreEventLog(connectionOf()))());
    const node1 = nodePath.join(tmp(), 'node1');
    const node2 = nodePath.join(tmp(), 'node2');
    const url = store().connectionString;
    const files = await serveOn(original);
    servers.push(files);
    const one = await serveOn(node1, ['--eventstore', url]);
    servers.push(one);
    const two = await serveOn(node2, ['--eventstore', url]);
    servers.push(two);

    // Reads: the same answers as over the original files.
    const expected = await historyAnswers(files, original);
    expect(await historyAnswers(one, node1)).to.equal(expected);
    expect(await historyAnswers(two, node2)).to.equal(expected);

    // rollout/append on node 1: in the store at once (read back with the client), visible in node 1's next read.
    // The thread's end (after the revert): one past the ordinal of its current stream's last line in the store.
    const current = (await ask(one, 'thread/read', { threadId: P })).thread.path as string;
    const stream = `rollout-${P}~${nodePath.basename(current).match(/_([0-9a-f-]{36})\.jsonl$/)?.[1]}`;
    const last = await connectionOf().read(stream, 'end', 'backwards', 1);
    expect(last).to.not.equal('noStream');
    const ordinal =
      (
        JSON.parse(Buffer.from((last as ReadonlyArray<{ data: Uint8Array }>)[0]!.data).toString('utf8')) as {
          ordinal: number;
        }
      ).ordinal + 1;
    const more = new RolloutWriter('paginated', P, { startOrdinal: ordinal, startMs: pw.nowMs() + 1000 }).chatTurn(
      't9',
      'question t9',
      'answer t9',
    ).lines;
    const appended = await ask(one, 'rollout/append', {
      threadId: P,
      lines: more,
      expectedOrdinal: ordinal,
      idempotencyKey: 'esdb-t9',
    });
    expect(appended.lines).to.equal(more.length);
    const events = await connectionOf().read(stream, 'end', 'backwards', more.length);
    expect(events).to.not.equal('noStream');
    const stored = (events as ReadonlyArray<{ data: Uint8Array }>)
      .map((e) => Buffer.from(e.data).toString('utf8'))
      .reverse();
    expect(stored).to.deep.equal(more);
    expect(await turnIds(one, P)).to.include('t9');

    // The other node follows: it sees node 1's write, and its own append of other lines at the same expected ordinal is a Conflict.
    await eventually('node 2 sees t9', async () => (await turnIds(two, P)).includes('t9'));
    const other = new RolloutWriter('paginated', P, { startOrdinal: ordinal, startMs: pw.nowMs() + 2000 }).chatTurn(
      't9b',
      'another question',
      'another answer',
    ).lines;
    const late = await two.request('rollout/append', {
      threadId: P,
      lines: other,
      expectedOrdinal: ordinal,
      idempotencyKey: 'esdb-t9-late',
    });
    expect('error' in late && late.error.message).to.match(/conflict|expected/i);

    // A mutation on node 2 (a rollback writes a line in legacy mode) reaches node 1.
    const before = await turnIds(one, L);
    await ask(two, 'thread/rollback', { threadId: L, numTurns: 1 });
    expect(await turnIds(two, L)).to.deep.equal(before.slice(1)); // newest first: the last turn is gone
    await eventually('node 1 sees the rollback', async () => (await turnIds(one, L)).length === before.length - 1);

    // A revert on node 2 (paginated: a revision file, its base marked superseded in the control stream) reaches node 1.
    await ask(two, 'thread/revert', { threadId: P, beforeTurnId: 't9' });
    expect(await turnIds(two, P)).to.not.include('t9');
    // Its answers and its copy's files follow in the order its follower applies them: both are waited for.
    await eventually(
      'node 1 sees the revert, and its copy marks the base superseded',
      async () =>
        !(await turnIds(one, P)).includes('t9') &&
        fs.existsSync(`${nodePath.join(node1, nodePath.relative(node1, current))}.superseded`),
    );
    // The superseded base takes no more lines through the store, as over files: Conflict naming the revision, nothing written.
    const log = eventStoreEventLog(connectionOf());
    const baseEnd = right(await log.end(stream)()) as LogPosition;
    const writes = storeRolloutFiles(node1, jsonlRolloutFiles(node1), connectionOf(), log);
    const refused = await writes.appendRaw(current, other, baseEnd)();
    expect(E.isLeft(refused) && refused.left._tag === 'Conflict' && refused.left.supersededBy).to.be.a('string');
    expect(right(await log.end(stream)())).to.deep.equal(baseEnd);

    // A fork on node 1 creates a stream of its own, and node 2 lists the new thread.
    const fork = (await ask(one, 'thread/fork', { threadId: P })).thread.id as string;
    expect(await connectionOf().read(`rollout-${fork}`, 0, 'forwards', 1)).to.not.equal('noStream');
    await eventually('node 2 lists the fork', async () =>
      ((await ask(two, 'thread/list', { limit: 100 })).data as Array<{ id: string }>).some((t) => t.id === fork),
    );

    // Both nodes agree once node 2 has followed.
    // Which threads a server holds loaded is its own (a fork loads the fork there): its status and environments are left out.
    const unloaded = (text: string): string =>
      JSON.stringify(JSON.parse(text, (k, v: unknown) => (k === 'status' || k === 'environments' ? undefined : v)));
    await eventually(
      'node 2 answers as node 1',
      async () => unloaded(await historyAnswers(two, node2)) === unloaded(await historyAnswers(one, node1)),
    );
  });

  it("archive, unarchive, a rename and a delete on one node reach the other node's copy and index", async () => {
    const original = nodePath.join(tmp(), 'home-b');
    writeRollout(original, rolloutName(`${P.slice(0, -1)}9`), chatThread('paginated', `${P.slice(0, -1)}9`, 1).text());
    right(await mirrorHome(original, connectionOf(), eventStoreEventLog(connectionOf()))());
    const id = `${P.slice(0, -1)}9`;
    const url = store().connectionString;
    const node1 = nodePath.join(tmp(), 'node1-b');
    const node2 = nodePath.join(tmp(), 'node2-b');
    const one = await serveOn(node1, ['--eventstore', url]);
    servers.push(one);
    const two = await serveOn(node2, ['--eventstore', url]);
    servers.push(two);
    const archivedOn = async (s: StdioRpcClient) =>
      ((await ask(s, 'thread/list', { limit: 100, archived: true })).data as Array<{ id: string }>).some(
        (t) => t.id === id,
      );
    expect(await archivedOn(two)).to.equal(false);
    await ask(one, 'thread/archive', { threadId: id });
    await eventually('node 2 lists it archived', () => archivedOn(two));
    expect(fs.existsSync(nodePath.join(node2, 'archived_sessions', rolloutName(id)))).to.equal(true);
    expect(fs.existsSync(nodePath.join(node2, 'sessions/2026/11/21', rolloutName(id)))).to.equal(false);
    await ask(two, 'thread/unarchive', { threadId: id });
    await eventually('node 1 lists it active again', async () => !(await archivedOn(one)));
    expect(fs.existsSync(nodePath.join(node1, 'sessions/2026/11/21', rolloutName(id)))).to.equal(true);

    // A rename is a fact of the control stream: the node that made it answers with it, the other follows.
    await ask(one, 'thread/name/set', { threadId: id, name: 'renamed over the store' });
    expect((await ask(one, 'thread/read', { threadId: id })).thread.name).to.equal('renamed over the store');
    const listedName = async (s: StdioRpcClient) =>
      ((await ask(s, 'thread/list', { limit: 100 })).data as Array<{ id: string; name: string | null }>).find(
        (t) => t.id === id,
      )?.name;
    await eventually('node 2 lists the name', async () => (await listedName(two)) === 'renamed over the store');
    expect((await ask(two, 'thread/read', { threadId: id })).thread.name).to.equal('renamed over the store');
    expect(fs.readFileSync(nodePath.join(node2, 'session_index.jsonl'), 'utf8')).to.equal(
      fs.readFileSync(nodePath.join(node1, 'session_index.jsonl'), 'utf8'),
    );

    // A delete on node 2: gone from its answers at once, from node 1's copy, names and index once it follows.
    await ask(two, 'thread/delete', { threadId: id });
    expect('error' in (await two.request('thread/read', { threadId: id }))).to.equal(true);
    // Its answers, its copy and its names follow in the order its follower applies them: all are waited for.
    await eventually(
      'node 1 no longer has it: not answered, not in its copy, not in its names',
      async () =>
        'error' in (await one.request('thread/read', { threadId: id })) &&
        !fs.existsSync(nodePath.join(node1, 'sessions/2026/11/21', rolloutName(id))) &&
        !fs.readFileSync(nodePath.join(node1, 'session_index.jsonl'), 'utf8').includes(id),
    );
    expect(
      ((await ask(one, 'thread/list', { limit: 100 })).data as Array<{ id: string }>).map((t) => t.id),
    ).to.not.include(id);

    // In the store: the control stream says the file is removed, the rename and the forgetting are its events.
    const facts = right(await readHomeFacts(connectionOf()));
    expect(facts.removed.get(`rollout-${id}`)).to.equal(`sessions/2026/11/21/${rolloutName(id)}`);
    expect(facts.files.has(`rollout-${id}`)).to.equal(false);
    const control = await connectionOf().read(HOME_CONTROL_STREAM, 'end', 'backwards', 10);
    const types = (control as ReadonlyArray<{ type: string }>).map((e) => e.type);
    expect(types).to.include.members(['home.threadName', 'home.removed', 'home.namesForgotten']);
  });

  it('thread state (read receipts, git info) changed on one node is read on the other; two changes from one revision on two nodes: exactly one wins', async () => {
    const original = nodePath.join(tmp(), 'home-c');
    const id = `${P.slice(0, -1)}c`;
    writeRollout(original, rolloutName(id), chatThread('paginated', id, 2).text());
    right(await mirrorHome(original, connectionOf(), eventStoreEventLog(connectionOf()))());
    const url = store().connectionString;
    const one = await serveOn(nodePath.join(tmp(), 'node1-c'), ['--eventstore', url]);
    servers.push(one);
    const two = await serveOn(nodePath.join(tmp(), 'node2-c'), ['--eventstore', url]);
    servers.push(two);
    const readStateOn = async (s: StdioRpcClient) => (await ask(s, 'thread/read', { threadId: id })).readState;

    const first = (
      await ask(one, 'thread/readState/update', {
        threadId: id,
        operation: { type: 'unread' },
        expectedRevision: `initial:${id}`,
      })
    ).readState;
    expect(await readStateOn(one)).to.deep.equal(first);
    await eventually(
      'node 2 reads the read state',
      async () => JSON.stringify(await readStateOn(two)) === JSON.stringify(first),
    );

    // Both nodes change it from the same revision at once: one passes, the other is told the state changed.
    const [a, b] = await Promise.all(
      [one, two].map((s, i) =>
        s.request('thread/readState/update', {
          threadId: id,
          operation: { type: i === 0 ? 'read' : 'unread' },
          expectedRevision: first.revision,
        }),
      ),
    );
    const answers = [a, b] as any[];
    expect(answers.filter((x) => 'result' in x)).to.have.length(1);
    const won = answers.find((x) => 'result' in x).result.readState;
    expect(answers.find((x) => 'error' in x).error).to.deep.equal({
      code: -32600,
      message: 'read state changed',
      data: { reason: 'readStateConflict', readState: won },
    });
    for (const s of [one, two])
      await eventually(
        'both nodes read the winner',
        async () => JSON.stringify(await readStateOn(s)) === JSON.stringify(won),
      );

    // Git info stored on node 2 reaches node 1.
    await ask(two, 'thread/metadata/update', { threadId: id, gitInfo: { branch: 'over-the-store' } });
    await eventually(
      'node 1 reads the stored git info',
      async () => (await ask(one, 'thread/read', { threadId: id })).thread.gitInfo?.branch === 'over-the-store',
    );
  });
});
