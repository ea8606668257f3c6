// `rollout/append`, the engine's own write path, through `serve` (and `rollout-engine append`):
// inline indexing, Conflict data, idempotent retries (across a restart, and after the key's record
// was lost), undecodable lines refused, two concurrent appenders, and the live notifications its
// lines give a follower of the thread.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { initializedServe } from '../../../fixtures/stdioRpcClient.js';
import type { StdioRpcClient } from '../../../fixtures/stdioRpcClient.js';
import { runEngineCli } from '../../../compat/engineCli.js';
import { chatThread, rolloutName, writeRollout } from '../../../replay/mutationHome.js';
import { RolloutWriter } from '../../../fixtures/rolloutLines.js';
import type { HistoryMode } from '../../../../domain/rollout/historyMode.js';
import type { ResultOf } from '../../../../protocol/methods.js';

const P = 'ffffffff-0000-7000-8000-00000000a001';
const L = 'ffffffff-0000-7000-8000-00000000a002';

/** The lines of one more chat turn after `w`'s lines (paginated: numbered from where `w` ends). */
const nextTurn = (mode: HistoryMode, w: RolloutWriter, threadId: string, turnId: string): string[] => {
  const t = new RolloutWriter(mode, threadId, { startOrdinal: w.nextOrdinal(), startMs: w.nowMs() + 1000 });
  return t.chatTurn(turnId, `question ${turnId}`, `answer ${turnId}`).lines;
};

const open = async (home: string): Promise<StdioRpcClient> => {
  return initializedServe(home, {
    capabilities: { experimentalApi: true },
  });
};

/** A whole chat turn's notifications, in Codex's order. */
const WHOLE_TURN = [
  'turn/started',
  'item/completed',
  'item/completed',
  'item/completed',
  'thread/tokenUsage/updated',
  'turn/completed',
];

/** The notifications `client` got since the `n`th, once one named `until` came (or 60 s passed: a hang) and the barrier after it was answered. */
const toldSince = async (
  client: StdioRpcClient,
  n: number,
  until: string,
): Promise<Array<{ method: string; params: any }>> => {
  const deadline = Date.now() + 60_000;
  while (!client.notifications.slice(n).some((x) => x.method === until) && Date.now() < deadline)
    await new Promise((res) => setTimeout(res, 20));
  await client.settle();
  return client.notifications.slice(n) as Array<{ method: string; params: any }>;
};

describe('rollout/append (serve and rollout-engine append)', function () {
  this.timeout(120_000);
  let home: string;
  let server: StdioRpcClient;
  let pPath: string;
  let lPath: string;
  const pw = chatThread('paginated', P, 2);
  const lw = chatThread('legacy', L, 1);
  const ask = async (method: string, params: unknown): Promise<any> => server.request(method, params);
  const size = (p: string) => fs.statSync(p).size;

  before(async () => {
    home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'rollout-append-'));
    pPath = writeRollout(home, rolloutName(P), pw.text());
    lPath = writeRollout(home, rolloutName(L), lw.text());
    server = await open(home);
  });
  after(async () => {
    await server.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  const t3 = nextTurn('paginated', pw, P, 't3');
  let first: ResultOf<'rollout/append'>;

  it('appends at the expected end, indexes inline (the next read shows the turn) and answers the new end', async () => {
    const before = size(pPath);
    first = await server.typed.request('rollout/append', {
      threadId: P,
      lines: t3,
      expectedOrdinal: pw.nextOrdinal(),
      idempotencyKey: 'k-t3',
    });
    const bytes = t3.reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
    expect(first).to.deep.equal({
      threadId: P,
      path: pPath,
      firstOrdinal: pw.nextOrdinal(),
      lines: t3.length,
      ordinal: pw.nextOrdinal() + t3.length,
      byteOffset: before + bytes,
    });
    expect(size(pPath)).to.equal(before + bytes);
    expect(fs.readFileSync(pPath, 'utf8').endsWith(t3.map((l) => `${l}\n`).join(''))).to.equal(true);
    const turns = await server.typed.request('thread/turns/list', {
      threadId: P,
      sortDirection: 'asc',
      itemsView: 'full',
    });
    expect(turns.data.map((t) => t.id)).to.deep.equal(['t1', 't2', 't3']);
    expect(turns.data[2]!.items.map((i) => i.type)).to.deep.equal(['userMessage', 'reasoning', 'agentMessage']);
  });

  it('a conflict writes nothing and is -32600 with data {path, expected, actual}', async () => {
    const before = size(pPath);
    const other = nextTurn('paginated', pw, P, 'x3');
    const r = await ask('rollout/append', {
      threadId: P,
      lines: other,
      expectedOrdinal: pw.nextOrdinal(),
      idempotencyKey: 'k-other',
    });
    expect(r.error.code).to.equal(-32600);
    expect(r.error.message).to.match(/^append conflict on /);
    expect(r.error.data).to.deep.equal({
      path: pPath,
      expected: { ordinal: pw.nextOrdinal(), byteOffset: before },
      actual: { ordinal: first.ordinal, byteOffset: first.byteOffset },
    });
    expect(size(pPath)).to.equal(before);
  });

  it('a retried key writes nothing twice and answers the first result, also after a restart and through the CLI', async () => {
    const again = await ask('rollout/append', {
      threadId: P,
      lines: t3,
      expectedOrdinal: pw.nextOrdinal(),
      idempotencyKey: 'k-t3',
    });
    expect(again.result).to.deep.equal(first);
    await server.close();
    server = await open(home);
    const restarted = await ask('rollout/append', {
      threadId: P,
      lines: t3,
      expectedOrdinal: pw.nextOrdinal(),
      idempotencyKey: 'k-t3',
    });
    expect(restarted.result).to.deep.equal(first);
    const file = nodePath.join(home, 'lines.jsonl');
    fs.writeFileSync(file, t3.map((l) => `${l}\n`).join(''));
    const cli = await runEngineCli([
      'append',
      P,
      '--lines-file',
      file,
      '--expected-ordinal',
      String(pw.nextOrdinal()),
      '--idempotency-key',
      'k-t3',
      '--codex-home',
      home,
      '--json',
    ]);
    expect(cli.exitCode, cli.stderr).to.equal(0);
    expect(JSON.parse(cli.stdout)).to.deep.equal(first);
    expect(size(pPath)).to.equal(first.byteOffset);
  });

  it('a retry whose key was never recorded (a stop between the write and the record) is found in the rollout itself: nothing written twice', async () => {
    fs.rmSync(nodePath.join(home, '.rollout-engine', 'append-keys.jsonl'));
    const r = await ask('rollout/append', {
      threadId: P,
      lines: t3,
      expectedOrdinal: pw.nextOrdinal(),
      idempotencyKey: 'k-t3',
    });
    expect(r.result).to.deep.equal(first);
    expect(size(pPath)).to.equal(first.byteOffset);
    // Recorded now: the key sent with other lines is another append, refused (issue 39), and writes nothing.
    const changed = await ask('rollout/append', {
      threadId: P,
      lines: t3.slice(0, 1),
      expectedOrdinal: pw.nextOrdinal(),
      idempotencyKey: 'k-t3',
    });
    expect(changed.error.code).to.equal(-32602);
    expect(size(pPath)).to.equal(first.byteOffset);
  });

  it('refuses an undecodable line, naming it, and writes nothing', async () => {
    const before = size(pPath);
    const t4 = nextTurn('paginated', new RolloutWriter('paginated', P, { startOrdinal: first.ordinal }), P, 't4');
    const notJson = await ask('rollout/append', {
      threadId: P,
      lines: [t4[0], '{"timestamp": oops'],
      expectedOrdinal: first.ordinal,
      idempotencyKey: 'k-bad1',
    });
    expect(notJson.error.code).to.equal(-32602);
    expect(notJson.error.message).to.match(/^invalid lines\[1\]: not JSON/);
    const badPayload = JSON.stringify({
      timestamp: '2026-11-21T15:00:00.000Z',
      ordinal: first.ordinal,
      type: 'event_msg',
      payload: { type: 'task_started', turn_id: 42 },
    });
    const bad = await ask('rollout/append', {
      threadId: P,
      lines: [badPayload],
      expectedOrdinal: first.ordinal,
      idempotencyKey: 'k-bad2',
    });
    expect(bad.error.code).to.equal(-32602);
    expect(bad.error.message).to.match(/^invalid lines\[0\]: not a valid task_started line/);
    const wrongOrdinal = await ask('rollout/append', {
      threadId: P,
      lines: t4.slice(1),
      expectedOrdinal: first.ordinal,
      idempotencyKey: 'k-bad3',
    });
    expect(wrongOrdinal.error.message).to.match(
      /^invalid lines\[0\]: a paginated thread's line \d+ must carry "ordinal": \d+/,
    );
    expect(size(pPath)).to.equal(before);
  });

  it('two appenders (two processes) with the same expectedOrdinal: exactly one wins, the other gets Conflict', async () => {
    const other = await open(home);
    try {
      const end = lw.lines.length;
      const a = nextTurn('legacy', lw, L, 'a2');
      const b = nextTurn('legacy', lw, L, 'b2');
      const before = size(lPath);
      const [ra, rb] = await Promise.all([
        server.request('rollout/append', { threadId: L, lines: a, expectedOrdinal: end, idempotencyKey: 'k-a' }),
        other.request('rollout/append', { threadId: L, lines: b, expectedOrdinal: end, idempotencyKey: 'k-b' }),
      ]);
      const answers = [ra, rb] as any[];
      const won = answers.filter((r) => 'result' in r);
      const lost = answers.filter((r) => 'error' in r);
      expect(won, JSON.stringify(answers)).to.have.length(1);
      expect(lost).to.have.length(1);
      expect(lost[0].error.data.actual).to.deep.equal({
        ordinal: won[0].result.ordinal,
        byteOffset: won[0].result.byteOffset,
      });
      const winner = won[0] === ra ? a : b;
      expect(fs.readFileSync(lPath, 'utf8').slice(before)).to.equal(winner.map((l) => `${l}\n`).join(''));
    } finally {
      await other.close();
    }
  });

  it('a connection following the thread is told of the appended turn: turn/started, item/completed…, thread/tokenUsage/updated, turn/completed', async () => {
    const follower = await open(home);
    try {
      expect(await follower.typed.request('rolloutEngine/thread/subscribe', { threadId: P })).to.deep.equal({
        status: 'subscribed',
      });
      const n = follower.notifications.length;
      const t4 = nextTurn('paginated', new RolloutWriter('paginated', P, { startOrdinal: first.ordinal }), P, 't4');
      const r = await server.typed.request('rollout/append', {
        threadId: P,
        lines: t4,
        expectedOrdinal: first.ordinal,
        idempotencyKey: 'k-t4',
      });
      expect(r.ordinal).to.equal(first.ordinal + t4.length);
      expect((await toldSince(follower, n, 'turn/completed')).map((x) => x.method)).to.deep.equal(WHOLE_TURN);
      expect(await follower.typed.request('thread/unsubscribe', { threadId: P })).to.deep.equal({
        status: 'unsubscribed',
      });
      expect(await follower.typed.request('thread/unsubscribe', { threadId: P })).to.deep.equal({
        status: 'notLoaded',
      });
    } finally {
      await follower.close();
    }
  });

  it('a turn that lands in two appends is told as it lands: its start and first item, then the rest; each once', async () => {
    const follower = await open(home);
    try {
      await follower.request('rolloutEngine/thread/subscribe', { threadId: P });
      const at = (await server.request('rollout/append', {
        threadId: P,
        lines: [],
        expectedOrdinal: 0,
        idempotencyKey: 'k-none',
      })) as any;
      expect(at.error.message).to.equal('invalid lines: an append needs at least one line');
      const turns = (await server.typed.request('thread/turns/list', { threadId: P, limit: 1 })).data;
      expect(turns[0]!.id).to.equal('t4');
      const from = first.ordinal + 9;
      const t5 = nextTurn('paginated', new RolloutWriter('paginated', P, { startOrdinal: from }), P, 't5');
      const told = async (n: number, until: string): Promise<string[]> =>
        (await toldSince(follower, n, until)).map((x) => x.method);
      let n = follower.notifications.length;
      await server.request('rollout/append', {
        threadId: P,
        lines: t5.slice(0, 4),
        expectedOrdinal: from,
        idempotencyKey: 'k-t5a',
      });
      expect(await told(n, 'item/completed')).to.deep.equal(['turn/started', 'item/completed']);
      n = follower.notifications.length;
      await server.request('rollout/append', {
        threadId: P,
        lines: t5.slice(4),
        expectedOrdinal: from + 4,
        idempotencyKey: 'k-t5b',
      });
      expect(await told(n, 'turn/completed')).to.deep.equal([
        'item/completed',
        'item/completed',
        'thread/tokenUsage/updated',
        'turn/completed',
      ]);
      const items = follower.notifications
        .filter((x) => x.method === 'item/completed' && (x.params as any).turnId === 't5')
        .map((x) => (x.params as any).item.id);
      expect(items).to.deep.equal(['u-t5', 'rs-t5', 'msg-t5']);
    } finally {
      await follower.close();
    }
  });

  it('thread/fork makes its connection follow the fork, as Codex does; a writer learns the end from a Conflict', async () => {
    const follower = await open(home);
    try {
      const fork = (await follower.typed.request('thread/fork', { threadId: P, excludeTurns: true })).thread;
      const probe = (await server.request('rollout/append', {
        threadId: fork.id,
        lines: ['{}'],
        expectedOrdinal: 0,
        idempotencyKey: 'k-probe',
      })) as any;
      expect(probe.error.code).to.equal(-32602); // the lines are checked before the end
      const lines = (from: number) =>
        nextTurn('paginated', new RolloutWriter('paginated', fork.id, { startOrdinal: from }), fork.id, 'f1');
      const wrong = (await server.request('rollout/append', {
        threadId: fork.id,
        lines: lines(0),
        expectedOrdinal: 0,
        idempotencyKey: 'k-f0',
      })) as any;
      const end = wrong.error.data.actual.ordinal as number;
      const n = follower.notifications.length;
      const r = await server.typed.request('rollout/append', {
        threadId: fork.id,
        lines: lines(end),
        expectedOrdinal: end,
        idempotencyKey: 'k-f1',
      });
      expect(r.firstOrdinal).to.equal(end);
      const told = (await toldSince(follower, n, 'turn/completed')).filter((x) => x.params.threadId === fork.id);
      expect(told.map((x) => x.method)).to.deep.equal(WHOLE_TURN);
    } finally {
      await follower.close();
    }
  });
});
