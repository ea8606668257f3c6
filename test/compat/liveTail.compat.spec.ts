// Live tail, against the real `codex`: Codex runs a turn in a home our `serve` watches; a client
// following that thread on our server receives the turn's notifications as the lines land, with
// the content `thread/turns/list` gives for the turn, in the order Codex sends them to its own
// client. Live, scripted: the model's reply is held until our client has been told the turn
// started, so the turn cannot have ended by then (no time bound; the latencies are printed).
import { expect } from 'chai';
import * as fs from 'node:fs';
import { HeldReply } from './mockResponses.js';
import type { StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import { useCodexBeside } from './codexBeside.js';

const LIVE = ['turn/started', 'item/completed', 'thread/tokenUsage/updated', 'turn/completed'];

interface Arrival {
  readonly method: string;
  readonly params: any;
  /** When the message reached this process (ms, the same clock as file mtimes). */
  readonly at: number;
}

/** When the file first held `size` bytes: the mtime of the first look (on each watch event) that saw it that long. */
interface Growth {
  readonly size: number;
  readonly mtimeMs: number;
}

const rpc = async (client: StdioRpcClient, method: string, params: unknown): Promise<any> => {
  const a = await client.request(method, params);
  if (!('result' in a)) throw new Error(`${method}: ${JSON.stringify(a.error)}`);
  return a.result;
};

describe('live tail: a running codex writes a turn, a client following the thread on serve is told as the lines land', function () {
  this.timeout(180_000);
  const beside = useCodexBeside('rollout-engine-live-');
  let watcher: fs.FSWatcher | undefined;
  after(() => watcher?.close());

  it('turn/started while the turn runs, then item/completed…, thread/tokenUsage/updated, turn/completed: equal to thread/turns/list', async () => {
    const { codexHome, workDir, codex, mock } = await beside.startCodex();
    const threadId = (await codex.request<{ thread: { id: string } }>('thread/start', { cwd: workDir })).thread.id;
    await codex.runTurn(threadId, 'Turn 1: tell me fact number 1.');

    const ours = await beside.startServe(codexHome, {
      clientInfo: { name: 'rollout_engine_compat', version: '0.1.0' },
      capabilities: { experimentalApi: true },
    });
    const path = (await rpc(ours, 'thread/read', { threadId, includeTurns: false })).thread.path as string;
    expect(await rpc(ours, 'rolloutEngine/thread/subscribe', { threadId })).to.deep.equal({ status: 'subscribed' });

    // Our own record of each message's arrival, and of the file's growth.
    const arrivals: Arrival[] = [];
    let buffered = '';
    let completed: (() => void) | undefined;
    const turnCompleted = new Promise<void>((resolve) => (completed = resolve));
    let started: (() => void) | undefined;
    const turnStarted = new Promise<void>((resolve) => (started = resolve));
    ours.child.stdout!.on('data', (chunk: Buffer) => {
      const at = Date.now();
      buffered += chunk.toString('utf8');
      for (let nl = buffered.indexOf('\n'); nl >= 0; nl = buffered.indexOf('\n')) {
        const msg = JSON.parse(buffered.slice(0, nl)) as { method?: string; params?: any; id?: unknown };
        buffered = buffered.slice(nl + 1);
        if (msg.method === undefined || msg.id !== undefined) continue;
        arrivals.push({ method: msg.method, params: msg.params, at });
        if (msg.method === 'turn/completed') completed?.();
        if (msg.method === 'turn/started') started?.();
      }
    });
    const growth: Growth[] = [];
    const lookAtFile = () => {
      const st = fs.statSync(path);
      if (growth.length === 0 || st.size > growth[growth.length - 1]!.size)
        growth.push({ size: st.size, mtimeMs: st.mtimeMs });
    };
    lookAtFile();
    watcher = fs.watch(path, lookAtFile);

    const since = codex.mark();
    const modelReply = new HeldReply();
    mock.replyTo(threadId, modelReply);
    const turn2Id = (
      await codex.request<{ turn: { id: string } }>('turn/start', {
        threadId,
        input: [{ type: 'text', text: 'Turn 2: tell me fact number 2.', text_elements: [] }],
      })
    ).turn.id;
    await modelReply.reached;
    // Told while the model's reply is held: the turn is running, its closing line not yet written.
    await turnStarted;
    const closing = fs
      .readFileSync(path, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"task_complete"') && l.includes(turn2Id));
    expect(closing, 'turn 2 is still running when our client is told it started').to.deep.equal([]);
    modelReply.release();
    const turn2 = await codex.waitTurnCompleted(threadId, turn2Id);
    await Promise.race([
      turnCompleted,
      new Promise((_, reject) =>
        setTimeout(
          () => reject(new Error(`no turn/completed from serve; got ${arrivals.map((a) => a.method).join(', ')}`)),
          10_000,
        ),
      ),
    ]);
    await ours.settle();
    lookAtFile();

    const live = arrivals.filter((a) => LIVE.includes(a.method) && a.params.threadId === threadId);
    // The same notifications, in the same order, as Codex sends the client that runs the turn.
    const codexLive = codex.notifications
      .filter((n) => n.seq >= since && LIVE.includes(n.method) && (n.params as any).threadId === threadId)
      .map((n) => n.method);
    expect(live.map((a) => a.method)).to.deep.equal(codexLive);
    expect(live[0]!.method).to.equal('turn/started');
    expect(live[live.length - 1]!.method).to.equal('turn/completed');

    // Their content is the read API's.
    const turns = (
      await rpc(ours, 'thread/turns/list', { threadId, itemsView: 'full', sortDirection: 'asc', limit: 100 })
    ).data as any[];
    const turn = turns.find((t) => t.id === turn2.id);
    expect(turn, 'turn 2 in thread/turns/list').to.not.equal(undefined);
    expect(live[0]!.params).to.deep.equal({
      threadId,
      turn: {
        ...turn,
        items: [],
        itemsView: 'notLoaded',
        status: 'inProgress',
        error: null,
        completedAt: null,
        durationMs: null,
      },
    });
    const items = live.filter((a) => a.method === 'item/completed');
    expect(items.map((a) => a.params)).to.deep.equal(
      turn.items.map((item: any) => ({
        item,
        threadId,
        turnId: turn.id,
        contentTokenCount: null,
        completedAtMs: item.completedAtMs,
      })),
    );
    const finalAgent = turn.items.filter((i: any) => i.type === 'agentMessage').slice(-1);
    expect(live[live.length - 1]!.params).to.deep.equal({
      threadId,
      turn: { ...turn, items: finalAgent, itemsView: 'summary' },
    });
    const usage = live.find((a) => a.method === 'thread/tokenUsage/updated');
    expect(usage?.params).to.deep.equal(await rpc(ours, 'thread/tokenUsage/read', { threadId }));

    // How long after its line reached the file each arrived (printed, not judged: speed is the benches').
    const lines = fs.readFileSync(path, 'utf8').split('\n');
    let offset = 0;
    const ends: Array<{ json: any; end: number }> = [];
    for (const text of lines) {
      if (text === '') continue;
      offset += Buffer.byteLength(text) + 1;
      ends.push({ json: JSON.parse(text), end: offset });
    }
    const payloadOf = (l: { json: any }) => (l.json.type === 'event_msg' ? l.json.payload : undefined);
    const lineOf = (a: Arrival): number => {
      const found = (pred: (p: any) => boolean) => ends.find((l) => payloadOf(l) !== undefined && pred(payloadOf(l)));
      const at =
        a.method === 'turn/started'
          ? found((p) => p.type === 'task_started' && p.turn_id === turn.id)
          : a.method === 'turn/completed'
            ? found((p) => p.type === 'task_complete' && p.turn_id === turn.id)
            : a.method === 'item/completed'
              ? found((p) => p.type === 'item_completed' && p.item?.id === a.params.item.id)
              : ends
                  .filter(
                    (l) =>
                      payloadOf(l)?.type === 'token_count' &&
                      ends.indexOf(l) > ends.findIndex((m) => payloadOf(m)?.turn_id === turn.id),
                  )
                  .slice(-1)[0];
      if (at === undefined) throw new Error(`no line found for ${a.method} ${JSON.stringify(a.params).slice(0, 200)}`);
      return at.end;
    };
    const latencies = live.map((a) => {
      const end = lineOf(a);
      const landed = growth.find((g) => g.size >= end);
      if (landed === undefined) throw new Error(`the file never reached byte ${end} in this test's watch`);
      return { method: a.method, ms: a.at - landed.mtimeMs };
    });
    process.stderr.write(
      `      live tail latencies (ms from the line's mtime): ${latencies.map((l) => `${l.method} ${l.ms.toFixed(0)}`).join(', ')}\n`,
    );
  });
});
