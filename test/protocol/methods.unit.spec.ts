import { expect } from 'chai';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { bindMethod } from '../../adapters/driving/rpc/method.js';
import { ALL_METHODS, BOUND_METHODS } from '../../adapters/driving/rpc/methods/bound.js';
import { typedClient } from '../../protocol/client.js';
import { METHOD_ENTRIES, METHODS } from '../../protocol/methods.js';
import type { MethodName, ResultOf } from '../../protocol/methods.js';
import { threadLoadedListMethod } from '../../protocol/threads.js';

/** The methods whose result the table leaves `unknown` (none may: each is typed, so the typed client and the bindings are checked). */
type UntypedResults = { [M in MethodName]: unknown extends ResultOf<M> ? M : never }[MethodName];

describe('protocol/methods: the one table of app-server methods', () => {
  it("with serve --upstream, the threads Codex has loaded and a review are Codex's to answer: their entries say so (withUpstream), the others are answered here", () => {
    expect(METHOD_ENTRIES.filter((e) => e.withUpstream === 'upstream').map((e) => e.name)).to.have.members([
      'thread/loaded/list',
      'thread/unsubscribe',
      'review/start',
    ]);
    expect(METHOD_ENTRIES.filter((e) => e.withUpstream !== 'upstream' && e.withUpstream !== 'here')).to.deep.equal([]);
  });

  it('names each method once', () => {
    const names = METHOD_ENTRIES.map((e) => e.name);
    expect(new Set(names).size).to.equal(names.length);
    expect(Object.keys(METHODS)).to.have.members(names);
  });

  it('is bound exactly once by adapters/driving/rpc/methods, with the entry’s codec and scope', () => {
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

  it('types every result, and binds a handler only if it answers the entry’s result (checked by tsc)', () => {
    const untyped: [UntypedResults] extends [never] ? 'none' : UntypedResults = 'none';
    // A handler answering another shape than its entry's result is refused at compile time.
    // @ts-expect-error `data` is the loaded ids, not a string
    const misbound = bindMethod(threadLoadedListMethod, () => TE.right({ data: 'one id', nextCursor: null }));
    const bound = bindMethod(threadLoadedListMethod, () => TE.right({ data: ['one id'], nextCursor: null }));
    expect([untyped, misbound.name, bound.name]).to.deep.equal(['none', 'thread/loaded/list', 'thread/loaded/list']);
  });

  it('binds every method through a table keyed by the method names: a missing or misplaced binding does not compile (checked by tsc)', () => {
    type Table = typeof BOUND_METHODS;
    const { 'thread/read': threadRead, ...others } = BOUND_METHODS;
    // @ts-expect-error a table without `thread/read`'s binding
    const missing: Table = others;
    // @ts-expect-error `thread/list`'s binding under `thread/read`
    const misplaced: Table = { ...BOUND_METHODS, 'thread/read': BOUND_METHODS['thread/list'] };
    expect([threadRead.name, Object.keys(missing).length, misplaced['thread/read'].name]).to.deep.equal([
      'thread/read',
      METHOD_ENTRIES.length - 1,
      'thread/list',
    ]);
  });

  it('marks server/diagnostics and thread/items/read, and only them, experimental (as Codex 0.169.0 gates them)', () => {
    expect(METHOD_ENTRIES.filter((e) => e.experimental).map((e) => e.name)).to.have.members([
      'server/diagnostics',
      'thread/items/read',
    ]);
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
