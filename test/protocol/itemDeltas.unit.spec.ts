import { expect } from 'chai';
import { answerAt, ITEM_DELTAS, itemPresenceAt } from '../../protocol/itemDeltas.js';
import type { ThreadItem } from '../../domain/thread/threadItem.js';
import { RenderedTurns } from '../../domain/thread/turn.js';

const mcp = {
  type: 'mcpToolCall',
  id: 'c1',
  server: 's',
  tool: 't',
  status: 'completed',
  arguments: { type: 'mcpToolCall', id: 'inner' },
};
const moderated = {
  type: 'agentMessage',
  moderation: {
    moderated: false,
    display: { action: 'show', blockType: null, cyberTrustedAccess: null, checkTrustedContacts: null },
  },
  id: 'a1',
  text: 'x',
};
const plain = { type: 'agentMessage', moderation: null, id: 'a2', text: 'y' };
const turn = (items: unknown[]) => ({ id: 't1', rootTurnId: 't1', items, status: 'completed' });

describe('unit · protocol/itemDeltas answerAt: items as the connection’s version answers them', () => {
  it('0.169.0: its own display as it reads it, an item whose display it cannot read left out (of a turn, of a page), no environmentId', () => {
    const modeShown = {
      ...plain,
      id: 'a3',
      moderation: {
        moderated: true,
        display: { mode: 'hide', version: 1, replacement: { kind: 'wellbeingPromptHelpline' } },
      },
    };
    const asWritten = { ...plain, id: 'a4', moderation: { moderated: true, display: { action: 'hide', note: 1 } } };
    const withEnv = { ...mcp, id: 'c2', environmentId: 'env' };
    const shaped = answerAt('0.169.0', {
      thread: { turns: [turn([mcp, moderated, modeShown, asWritten, plain, withEnv])] },
    }) as {
      thread: { turns: Array<{ items: Array<Record<string, unknown>> }> };
    };
    const items = shaped.thread.turns[0]!.items;
    expect(items.map((i) => i['id'])).to.deep.equal(['c1', 'a1', 'a4', 'a2', 'c2']);
    expect(items[1]).to.deep.equal(moderated);
    expect(items[2]!['moderation']).to.deep.equal({
      moderated: true,
      display: { action: 'hide', blockType: null, cyberTrustedAccess: null, checkTrustedContacts: null },
    });
    expect(items[4]).to.not.have.property('environmentId');
    const page = answerAt('0.169.0', {
      data: [
        { turnId: 't1', item: modeShown },
        { turnId: 't1', item: plain },
      ],
    }) as { data: unknown[] };
    expect(page.data).to.deep.equal([{ turnId: 't1', item: plain }]);
  });

  it('0.171.0: a display in its shape as decoded (unknown fields dropped, a null annotation left out), an item 0.169.0 drops kept', () => {
    const display = { mode: 'show', version: 1, trustedContacts: 'skip', annotation: null, extra: 1 };
    const shaped = answerAt('0.171.0', [{ ...plain, moderation: { moderated: false, display } }]) as Array<
      Record<string, unknown>
    >;
    expect(shaped[0]!['moderation']).to.deep.equal({
      moderated: false,
      display: { mode: 'show', version: 1, trustedContacts: 'skip' },
    });
    const unread = answerAt('0.171.0', [
      { ...plain, moderation: { moderated: false, display: { mode: 'show', version: 2, trustedContacts: 'skip' } } },
    ]) as Array<Record<string, unknown>>;
    expect(unread[0]!['moderation']).to.deep.equal({ moderated: true, display: null });
  });

  it('0.171.0: environmentId null after server (Codex’s key order), an item’s own fields not looked into', () => {
    const shaped = answerAt('0.171.0', { data: [{ turnId: 't1', item: mcp }] }) as {
      data: Array<{ item: Record<string, unknown> }>;
    };
    const item = shaped.data[0]!.item;
    expect(Object.keys(item)).to.deep.equal(['type', 'id', 'server', 'environmentId', 'tool', 'status', 'arguments']);
    expect(item['environmentId']).to.equal(null);
    expect(item['arguments']).to.deep.equal({ type: 'mcpToolCall', id: 'inner' });
    expect(mcp).to.not.have.property('environmentId');
  });

  it('0.171.0: a 0.169.0 display is answered moderated with no display; no display, as it is', () => {
    const shaped = answerAt('0.171.0', [moderated, plain]) as Array<Record<string, unknown>>;
    expect(shaped[0]!['moderation']).to.deep.equal({ moderated: true, display: null });
    expect(shaped[1]).to.deep.equal(plain);
    expect(moderated.moderation.display).to.not.equal(null);
  });

  it('0.171.0: a rendering of turns is reshaped when it holds an item a delta changes, else passed as is', () => {
    const rendered = new RenderedTurns([turn([mcp]), turn([plain])].map((t) => JSON.stringify(t)).join(','));
    const shaped = answerAt('0.171.0', [rendered]) as RenderedTurns[];
    expect(JSON.parse(`[${shaped[0]!.json}]`)[0].items[0].environmentId).to.equal(null);
    const untouched = new RenderedTurns(JSON.stringify(turn([plain])));
    expect((answerAt('0.171.0', [untouched]) as RenderedTurns[])[0]).to.equal(untouched);
    expect((answerAt('0.169.0', [untouched]) as RenderedTurns[])[0]).to.equal(untouched);
  });

  it('0.171.0: a stream of turns is reshaped piece by piece', async () => {
    async function* turns() {
      yield turn([mcp]);
      yield turn([moderated]);
    }
    const shaped = answerAt('0.171.0', { turns: turns() }) as {
      turns: AsyncIterable<{ items: Array<Record<string, unknown>> }>;
    };
    const got = [];
    for await (const t of shaped.turns) got.push(t.items[0]);
    expect(got[0]!['environmentId']).to.equal(null);
    expect(got[1]!['moderation']).to.deep.equal({ moderated: true, display: null });
  });

  it('itemPresenceAt: 0.169.0 lacks an agent message whose display it cannot read (and nothing else); 0.171.0 has every item', () => {
    const presence = itemPresenceAt('0.169.0')!;
    expect([...presence.kinds]).to.deep.equal(['agentMessage']);
    const modeShown = {
      ...plain,
      moderation: { moderated: true, display: { mode: 'show', version: 1, trustedContacts: 'skip' } },
    };
    expect(presence.has(modeShown as unknown as ThreadItem)).to.equal(false);
    expect(presence.has(moderated as unknown as ThreadItem)).to.equal(true);
    expect(presence.has(plain as unknown as ThreadItem)).to.equal(true);
    // An MCP call has a field 0.169.0 reads otherwise (environmentId), never no item.
    expect(presence.has({ ...mcp, environmentId: 'env' } as unknown as ThreadItem)).to.equal(true);
    expect(itemPresenceAt('0.171.0')).to.equal(undefined);
  });

  it('an answer with no item a delta changes is passed as it is, not copied; one with such an item is copied where it changes, its input untouched', () => {
    const list = { data: [{ id: 't1', preview: 'p', status: { type: 'notLoaded' }, turns: [] }], nextCursor: null };
    for (const v of ['0.169.0', '0.171.0'] as const) expect(answerAt(v, list), v).to.equal(list);
    const page = {
      data: [
        { turnId: 't1', item: plain },
        { turnId: 't1', item: mcp },
      ],
      nextCursor: null,
    };
    const before = JSON.stringify(page);
    const shaped = answerAt('0.171.0', page) as typeof page;
    expect(shaped).to.not.equal(page);
    expect(shaped.data[0]).to.equal(page.data[0]);
    expect(shaped.data[1]!.item).to.have.property('environmentId', null);
    expect(JSON.stringify(page)).to.equal(before);
  });

  it('an answer found unchanged is not walked again (a kept thread/list answer, asked again and again); one changed is walked each time', () => {
    /** `value` seen through a proxy that counts the walks of its keys. */
    const counted = <T extends object>(value: T): { readonly proxy: T; readonly walks: () => number } => {
      let walks = 0;
      const proxy = new Proxy(value, {
        ownKeys: (t) => {
          walks += 1;
          return Reflect.ownKeys(t);
        },
      });
      return { proxy, walks: () => walks };
    };
    const list = counted({
      data: [{ id: 't1', preview: 'p', status: { type: 'notLoaded' }, turns: [] }],
      nextCursor: null,
    });
    for (let i = 0; i < 3; i += 1) expect(answerAt('0.169.0', list.proxy)).to.equal(list.proxy);
    expect(list.walks()).to.equal(1);
    const page = counted({ data: [{ turnId: 't1', item: mcp }], nextCursor: null });
    for (let i = 0; i < 3; i += 1) expect(answerAt('0.171.0', page.proxy)).to.not.equal(page.proxy);
    expect(page.walks()).to.equal(3);
  });

  it('every delta names Codex’s source it follows', () => {
    for (const d of ITEM_DELTAS) expect(d.source).to.match(/^codex-rs\//);
  });
});
