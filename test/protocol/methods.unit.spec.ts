import { expect } from 'chai';
import { ALL_METHODS } from '../../adapters/rpc/methods/all.js';
import { typedClient } from '../../protocol/client.js';
import { METHOD_ENTRIES, METHODS } from '../../protocol/methods.js';

describe('protocol/methods: the one table of app-server methods', () => {
  it('names each method once', () => {
    const names = METHOD_ENTRIES.map((e) => e.name);
    expect(new Set(names).size).to.equal(names.length);
    expect(Object.keys(METHODS)).to.have.members(names);
  });

  it('is bound exactly once by adapters/rpc/methods, with the entry’s codec and scope', () => {
    const bound = ALL_METHODS.map((m) => m.name);
    expect(new Set(bound).size).to.equal(bound.length);
    expect([...bound].sort()).to.deep.equal(METHOD_ENTRIES.map((e) => e.name).sort());
    for (const m of ALL_METHODS) {
      const entry = METHOD_ENTRIES.find((e) => e.name === m.name);
      expect(entry?.params, m.name).to.equal(m.params);
      expect(entry?.scope, m.name).to.equal(m.scope);
      expect(entry?.experimental, m.name).to.equal(m.experimental === true);
    }
  });

  it('marks server/diagnostics and thread/items/read, and only them, experimental (as Codex 0.169.0 gates them)', () => {
    expect(METHOD_ENTRIES.filter((e) => e.experimental).map((e) => e.name)).to.have.members(['server/diagnostics', 'thread/items/read']);
  });
});

describe('protocol/client: typedClient', () => {
  it('sends the method and params as given and answers what the transport answers, typed by the table', async () => {
    const sent: Array<[string, unknown]> = [];
    const client = typedClient(async (method, params) => {
      sent.push([method, params]);
      return { status: 'notLoaded' };
    });
    const answer: { status: string } = await client.request('thread/unsubscribe', { threadId: 't' });
    expect(answer).to.deep.equal({ status: 'notLoaded' });
    expect(sent).to.deep.equal([['thread/unsubscribe', { threadId: 't' }]]);
  });
});
