// One server, two connections speaking different Codex versions (the server's 0.171.0, and a
// `codex-tui` client declaring 0.169.0): each gets the items of its version (protocol/itemDeltas.ts)
// in answers and in the live notifications of a thread it follows, from the same index and the
// same appended lines (`rollout/append`: the lines land when the request is answered).
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { initializedServe } from '../../../fixtures/stdioRpcClient.js';
import { CodexSchema, answerSchema } from '../../../fixtures/codexSchema.js';
import type { StdioRpcClient } from '../../../fixtures/stdioRpcClient.js';
import { chatThread, rolloutName, writeRollout } from '../../../replay/mutationHome.js';
import { RolloutWriter } from '../../../fixtures/rolloutLines.js';

const P = 'ffffffff-0000-7000-8000-00000000d001';
const DISPLAY = { action: 'hide', blockType: 'cyber', cyberTrustedAccess: true, checkTrustedContacts: false };
/** 0.171.0's display: 0.169.0 has no item for its line. */
const MODE_DISPLAY = { mode: 'hide', version: 1, replacement: { kind: 'wellbeingPromptHelpline' } };

type Item = Record<string, unknown>;

describe('serve: each connection gets the items of the Codex version it speaks (answers and live notifications)', function () {
  this.timeout(120_000);
  let home: string;
  const clients: StdioRpcClient[] = [];
  const w = chatThread('paginated', P, 1);

  /** A server speaking 0.171.0 and its one connection (stdio), of this client. */
  const connect = async (
    clientInfo: { name: string; version: string },
    schema?: CodexSchema,
  ): Promise<StdioRpcClient> => {
    const s = await initializedServe(home, {
      clientInfo,
      capabilities: { experimentalApi: true },
      args: ['--codex-version', '0.171.0'],
      ...(schema === undefined ? {} : { schema }),
    });
    clients.push(s);
    return s;
  };

  before(() => {
    home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'item-deltas-'));
    writeRollout(home, rolloutName(P), w.text());
  });
  after(async () => {
    await Promise.all(clients.map((c) => c.close()));
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('0.171.0: environmentId after server as the item has it, a 0.169.0 display moderated with none, its own display as written; 0.169.0: as the line has them, no item for a display it cannot read', async () => {
    // Each connection's answers are held to its version's schema (the newer one's hold a display only 0.171.0's has).
    const newer = await connect(
      { name: 'compat', version: '1' },
      answerSchema.active()?.version === '0.171.0' ? undefined : await CodexSchema.generateAt('0.171.0'),
    );
    // A Codex client declaring a version speaks it (codexVersions.ts `connectionVersion`).
    // Its answers are held to 0.169.0's schema: the hooks' in a run against the pinned Codex (which
    // also takes the newer connection's), else generated from that binary (a whole run against 0.171.0).
    const active = answerSchema.active();
    const older = await connect(
      { name: 'codex-tui', version: '0.169.0' },
      active === null || active.version === '0.169.0' ? undefined : await CodexSchema.generateAt('0.169.0'),
    );
    for (const c of [newer, older])
      expect(await c.request('rolloutEngine/thread/subscribe', { threadId: P })).to.deep.equal({
        result: { status: 'subscribed' },
      });
    const counts = [newer.notifications.length, older.notifications.length];

    const t = new RolloutWriter('paginated', P, { startOrdinal: w.nextOrdinal(), startMs: w.nowMs() + 1000 });
    t.taskStarted('t2')
      .turnContext('t2')
      .item('t2', { type: 'UserMessage', id: 'u-t2', content: t.userText('look it up') });
    t.mcpToolCall('t2', 'mcp-t2', { environmentId: 'env-1' }).agentMessage('t2', 'msg-t2', 'Moderated.', {
      moderation: { moderated: false, display: DISPLAY },
    });
    t.agentMessage('t2', 'msg-mode', 'Hidden.', { moderation: { moderated: true, display: MODE_DISPLAY } });
    t.taskComplete('t2');
    const appended = await newer.request('rollout/append', {
      threadId: P,
      lines: t.lines,
      expectedOrdinal: w.nextOrdinal(),
      idempotencyKey: 'k-t2',
    });
    expect(appended).to.have.property('result');

    const liveItems = async (c: StdioRpcClient, from: number): Promise<Item[]> => {
      const deadline = Date.now() + 60_000; // a hang bound, not a speed verdict
      while (!c.notifications.slice(from).some((n) => n.method === 'turn/completed') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      await c.settle();
      return c.notifications
        .slice(from)
        .filter((n) => n.method === 'item/completed')
        .map((n) => (n.params as { item: Item }).item);
    };
    const readItems = async (c: StdioRpcClient): Promise<Item[]> => {
      const a = (await c.request('thread/turns/list', { threadId: P, itemsView: 'full', limit: 10 })) as {
        result: { data: Array<{ items: Item[] }> };
      };
      return a.result.data.flatMap((turn) => turn.items);
    };
    const byId = (items: Item[], id: string): Item => items.find((i) => i['id'] === id)!;

    for (const items of [await liveItems(newer, counts[0]!), await readItems(newer)]) {
      expect(Object.keys(byId(items, 'mcp-t2')).slice(0, 5)).to.deep.equal([
        'type',
        'id',
        'server',
        'environmentId',
        'tool',
      ]);
      // A paginated item's environmentId as written (0.171.0 answers it so: itemDeltas.compat).
      expect(byId(items, 'mcp-t2')['environmentId']).to.equal('env-1');
      expect(byId(items, 'msg-t2')['moderation']).to.deep.equal({ moderated: true, display: null });
      expect(byId(items, 'msg-mode')['moderation']).to.deep.equal({ moderated: true, display: MODE_DISPLAY });
    }
    for (const items of [await liveItems(older, counts[1]!), await readItems(older)]) {
      expect(byId(items, 'mcp-t2')).to.not.have.property('environmentId');
      expect(byId(items, 'msg-t2')['moderation']).to.deep.equal({ moderated: false, display: DISPLAY });
      expect(items.map((i) => i['id'])).to.not.include('msg-mode');
    }
  });
});
