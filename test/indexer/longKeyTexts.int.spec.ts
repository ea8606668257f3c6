// Issue 69 (fuzz seed 20261208 path 30:0:2:1): a rollout line may give an id of any length, and
// Codex keys nothing by it in LMDB. A thread whose turn id, item id, call id or response id is
// 5,000 characters long is indexed and answered like any other, and the home's other threads
// with it; before, the index commit failed ("Key size is larger than the maximum key size") and
// every `thread/list` of the home answered -32603.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { initializedServe } from '../fixtures/stdioRpcClient.js';
import type { RpcAnswer, StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { chatThread, rolloutName, writeRollout } from '../replay/mutationHome.js';
import { catchUpHome } from '../../indexer/catchUp/catchUp.js';
import { openIndex } from '../../indexer/open/openIndex.js';
import { verifyIndex } from '../../indexer/verify/verify.js';
import { right } from '../fixtures/right.js';

const LONG_P = 'ffffffff-0000-7000-8000-00000000b001';
const LONG_L = 'ffffffff-0000-7000-8000-00000000b002';
const PLAIN = 'ffffffff-0000-7000-8000-00000000b003';
const FORK = 'ffffffff-0000-7000-8000-00000000b004';
const long = (stem: string): string => stem + 'x'.repeat(5_000 - stem.length);
const TURN = long('turn-');
const ITEM = long('item-');
const CALL = long('call-');
const RESPONSE = long('resp-');
// Multi-byte: 5,000 characters are 15,000 UTF-8 bytes.
const WIDE_TURN = long('turn-é€');
const WIDE_MODEL = 'é'.repeat(1_000);
// A NUL in a key part of some length (here 86 characters): lmdb's ordered-binary reads it back as two parts.
const NUL_TURN = 'turn\u0000' + 'n'.repeat(80);

/** A paginated thread: a plain turn, then one whose turn id, item ids and response id are long, then a wide turn id. */
const paginated = (): RolloutWriter => {
  const w = chatThread('paginated', LONG_P, 1);
  w.taskStarted(TURN).turnContext(TURN).responseMessage('user', 'long ids');
  w.item(TURN, { type: 'UserMessage', id: ITEM, content: w.userText('long ids') });
  w.mcpToolCall(TURN, CALL);
  w.agentMessage(TURN, `${ITEM}-answer`, 'answered');
  w.tokenUsageRecord(TURN, { input_tokens: 10, output_tokens: 5, total_tokens: 15 }, RESPONSE);
  w.tokenUsageRecord(TURN, { input_tokens: 10, output_tokens: 5, total_tokens: 15 }, RESPONSE);
  w.taskComplete(TURN);
  w.chatTurn(WIDE_TURN, 'wide', 'wide answer');
  w.chatTurn(NUL_TURN, 'nul', 'nul answer');
  // A model name of 1,000 characters, 2,000 bytes: its responses' token bucket key (model, provider, cwd).
  w.taskStarted('wide-model').turnContext('wide-model', WIDE_MODEL).responseMessage('user', 'wide model');
  w.tokenUsageRecord('wide-model', { input_tokens: 10, output_tokens: 5, total_tokens: 15 }, 'resp-wide-model');
  return w.taskComplete('wide-model');
};

/** A legacy thread: a turn with a long turn id and a long MCP call id. */
const legacy = (): RolloutWriter => {
  const w = new RolloutWriter('legacy', LONG_L).sessionMeta();
  w.taskStarted(TURN).turnContext(TURN).responseMessage('user', 'legacy long ids');
  w.push('event_msg', {
    type: 'user_message',
    message: 'legacy long ids',
    images: [],
    local_images: [],
    text_elements: [],
  });
  w.mcpToolCall(TURN, CALL);
  return w.taskComplete(TURN);
};

/** An id as the assertions show it: a long one by its stem and length (a diff of 5,000-character ids is unreadable). */
const shown = (id: string): string => (id.length > 40 ? `${id.slice(0, 8)}…(${id.length})` : id);
const idsOf = (xs: ReadonlyArray<{ readonly id: string }>): string[] => xs.map((x) => shown(x.id));

/** A fork whose meta names a base of 5,000 characters (`history_base.thread_id`, a string to our decoder; Codex refuses it). */
const longBase = (): RolloutWriter =>
  new RolloutWriter('paginated', FORK)
    .sessionMeta({ history_base: { thread_id: long('base-'), end_ordinal_exclusive: 0, end_byte_offset: 0 } })
    .chatTurn('f1', 'fork', 'fork answer');

const resultOf = (a: RpcAnswer): any => {
  if ('error' in a) throw new Error(`answered ${JSON.stringify(a.error).slice(0, 300)}`);
  return a.result;
};

describe('index · ids of any length from rollout lines (issue 69)', function () {
  this.timeout(120_000);
  let home: string;
  let server: StdioRpcClient;
  const ask = async (method: string, params: unknown): Promise<any> => resultOf(await server.request(method, params));

  before(async () => {
    home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'long-key-texts-'));
    writeRollout(home, rolloutName(LONG_P), paginated().text());
    writeRollout(home, rolloutName(LONG_L), legacy().text());
    writeRollout(home, rolloutName(PLAIN), chatThread('paginated', PLAIN, 2).text());
    writeRollout(home, rolloutName(FORK), longBase().text());
    server = await initializedServe(home, {
      capabilities: { experimentalApi: true },
    });
  });
  after(async () => {
    await server.close();
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('thread/list lists every thread of the home', async () => {
    const page = await ask('thread/list', {});
    expect(page.data.map((t: { id: string }) => t.id).sort()).to.deep.equal([LONG_P, LONG_L, PLAIN].sort());
  });

  it('thread/read with turns shows the full ids', async () => {
    const p = (await ask('thread/read', { threadId: LONG_P, includeTurns: true })).thread;
    expect(idsOf(p.turns)).to.deep.equal(['t1', shown(TURN), shown(WIDE_TURN), shown(NUL_TURN), 'wide-model']);
    expect(p.turns[1].items.map((i: { id: string }) => i.id)).to.include.members([ITEM, CALL, `${ITEM}-answer`]);
    const l = (await ask('thread/read', { threadId: LONG_L, includeTurns: true })).thread;
    expect(idsOf(l.turns)).to.deep.equal([shown(TURN)]);
    expect(l.turns[0].items.map((i: { id: string }) => i.id)).to.include(CALL);
  });

  it('thread/turns/list walks the turns page by page (cursors carry the long ids)', async () => {
    for (const [threadId, expected] of [
      [LONG_P, ['wide-model', NUL_TURN, WIDE_TURN, TURN, 't1']],
      [LONG_L, [TURN]],
    ] as const) {
      const walked: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { data: Array<{ id: string }>; nextCursor: string | null } = await ask('thread/turns/list', {
          threadId,
          limit: 1,
          ...(cursor ? { cursor } : {}),
        });
        walked.push(...idsOf(page.data));
        cursor = page.nextCursor;
      } while (cursor !== null && walked.length < 10);
      expect(walked).to.deep.equal(expected.map(shown));
    }
  });

  it('thread/items/list finds the items of a long turn id, page by page', async () => {
    const whole: string[] = (
      await ask('thread/read', { threadId: LONG_P, includeTurns: true })
    ).thread.turns[1].items.map((i: { id: string }) => i.id);
    const walked: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { data: Array<{ item: { id: string } }>; nextCursor: string | null } = await ask(
        'thread/items/list',
        {
          threadId: LONG_P,
          turnId: TURN,
          limit: 1,
          sortDirection: 'asc',
          ...(cursor ? { cursor } : {}),
        },
      );
      walked.push(...page.data.map((e) => e.item.id));
      cursor = page.nextCursor;
    } while (cursor !== null && walked.length < 20);
    expect(walked.map(shown)).to.deep.equal(whole.map(shown));
    expect(walked).to.include.members([ITEM, CALL]);
    const wide = await ask('thread/items/list', { threadId: LONG_P, turnId: WIDE_TURN });
    expect(wide.data.length).to.be.greaterThan(0);
    const legacyItems = await ask('thread/items/list', { threadId: LONG_L, turnId: TURN });
    expect(legacyItems.data.map((e: { item: { id: string } }) => e.item.id)).to.include(CALL);
  });
});

describe('index · verify finds the rows of long and NUL ids where a fresh fold puts them (issue 69)', function () {
  this.timeout(120_000);
  it('a home with 5,000-character turn, item, call and response ids and a turn id with NULs verifies with no difference', async () => {
    const home = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'long-key-texts-verify-'));
    try {
      writeRollout(home, rolloutName(LONG_P), paginated().text());
      writeRollout(home, rolloutName(LONG_L), legacy().text());
      writeRollout(home, rolloutName(FORK), longBase().text());
      const store = right(await openIndex(nodePath.join(home, 'index'), home)()).store;
      try {
        right(await catchUpHome(store, home)());
        const v = right(await verifyIndex(store, home)());
        expect(
          v.diffs.map(
            (d) => `${d.table} ${d.kind} ${d.key.map((p) => (typeof p === 'string' ? shown(p) : p)).join(' ')}`,
          ),
        ).to.deep.equal([]);
        expect(v.files).to.equal(3);
      } finally {
        right(await store.close()());
      }
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
