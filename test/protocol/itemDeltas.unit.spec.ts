import { expect } from 'chai';
import { answerAt, ITEM_DELTAS } from '../../protocol/itemDeltas.js';
import { RenderedTurns } from '../../domain/thread/turn.js';

const mcp = { type: 'mcpToolCall', id: 'c1', server: 's', tool: 't', status: 'completed', arguments: { type: 'mcpToolCall', id: 'inner' } };
const moderated = {
  type: 'agentMessage',
  moderation: { moderated: false, display: { action: 'show', blockType: null, cyberTrustedAccess: null, checkTrustedContacts: null } },
  id: 'a1',
  text: 'x',
};
const plain = { type: 'agentMessage', moderation: null, id: 'a2', text: 'y' };
const turn = (items: unknown[]) => ({ id: 't1', rootTurnId: 't1', items, status: 'completed' });

describe('unit · protocol/itemDeltas answerAt: items as the connection’s version answers them', () => {
  it('0.169.0 (the rendering’s own version): the answer itself, unchanged', () => {
    const answer = { thread: { turns: [turn([mcp, moderated])] } };
    expect(answerAt('0.169.0', answer)).to.equal(answer);
  });

  it('0.171.0: environmentId null after server (Codex’s key order), an item’s own fields not looked into', () => {
    const shaped = answerAt('0.171.0', { data: [{ turnId: 't1', item: mcp }] }) as { data: Array<{ item: Record<string, unknown> }> };
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
  });

  it('0.171.0: a stream of turns is reshaped piece by piece', async () => {
    async function* turns() {
      yield turn([mcp]);
      yield turn([moderated]);
    }
    const shaped = answerAt('0.171.0', { turns: turns() }) as { turns: AsyncIterable<{ items: Array<Record<string, unknown>> }> };
    const got = [];
    for await (const t of shaped.turns) got.push(t.items[0]);
    expect(got[0]!['environmentId']).to.equal(null);
    expect(got[1]!['moderation']).to.deep.equal({ moderated: true, display: null });
  });

  it('every delta names Codex’s source it follows', () => {
    for (const d of ITEM_DELTAS) expect(d.source).to.match(/^codex-rs\//);
  });
});
