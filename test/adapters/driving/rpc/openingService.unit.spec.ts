import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import * as t from 'io-ts';
import { PassThrough } from 'node:stream';
import { serveJsonRpc } from '../../../../adapters/driving/rpc/server.js';
import type { RpcService } from '../../../../adapters/driving/rpc/homeOpening.js';
import { adHocMethod } from '../../../fixtures/adHocMethod.js';
import { initialize } from '../../../../adapters/driving/rpc/methods/initialize.js';
import type { EngineError } from '../../../../domain/errors.js';
import { notFound } from '../../../../domain/errors.js';
import type { ThreadManagementPorts } from '../../../../replay/ports.js';
import { NO_HOME_BUNDLES } from '../../../fixtures/noHomeBundles.js';

const request = (id: number, method: string, params: unknown = {}): string =>
  `${JSON.stringify({ jsonrpc: '2.0', id, method, params })}\n`;

/** A server over in-memory pipes whose home opens when the test says so; every line it writes, and the moment `open` was called. */
const openingServer = () => {
  const input = new PassThrough();
  const output = new PassThrough();
  const lines: Array<{ id: number; result?: unknown; error?: { code: number; message: string } }> = [];
  let pending = '';
  output.on('data', (c: Buffer) => {
    pending += c.toString('utf8');
    for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
      lines.push(JSON.parse(pending.slice(0, nl)) as (typeof lines)[number]);
      pending = pending.slice(nl + 1);
    }
  });
  const events: string[] = [];
  let finish: (r: E.Either<EngineError, RpcService>) => void = () => undefined;
  const opened = new Promise<E.Either<EngineError, RpcService>>((resolve) => (finish = resolve));
  const list = adHocMethod({
    name: 'thread/list',
    params: t.unknown,
    scope: () => null,
    handle: () => TE.right({ data: [] }),
  });
  const served = serveJsonRpc(input, output, {
    codexHome: '/home',
    early: [initialize],
    open: () => {
      events.push(`open called after ${lines.length} answers`);
      return opened;
    },
  });
  const service: RpcService = {
    ctx: { codexHome: '/home', ports: {} as ThreadManagementPorts, ...NO_HOME_BUNDLES },
    methods: [initialize, list],
  };
  const until = async (cond: () => boolean): Promise<void> => {
    while (!cond()) await new Promise((r) => setTimeout(r, 2));
  };
  return { input, lines, events, served, until, openWith: finish, service };
};

describe('serveJsonRpc on a home still opening (serve answers initialize before the engine is loaded)', () => {
  it('answers initialize at once, opens the home after it, and answers the next request once the home is open', async () => {
    const s = openingServer();
    s.input.write(request(1, 'initialize', { clientInfo: { name: 't', version: '0' } }));
    await s.until(() => s.lines.length === 1);
    expect(s.lines[0]).to.deep.include({ id: 1 });
    expect((s.lines[0]!.result as { codexHome: string }).codexHome).to.equal('/home');
    s.input.write(request(2, 'thread/list'));
    await s.until(() => s.events.length === 1);
    expect(s.events).to.deep.equal(['open called after 1 answers']);
    // A barrier read after it and answered without the home (a second initialize, refused): the
    // server has read thread/list, and holds it for the home. No quiet period.
    s.input.write(request(3, 'initialize', { clientInfo: { name: 't', version: '0' } }));
    await s.until(() => s.lines.length === 2);
    expect(s.lines[1]).to.deep.equal({
      jsonrpc: '2.0',
      id: 3,
      error: { code: -32600, message: 'Already initialized' },
    }); // not thread/list's
    s.openWith(E.right(s.service));
    await s.until(() => s.lines.length === 3);
    expect(s.lines[2]).to.deep.equal({ jsonrpc: '2.0', id: 2, result: { data: [] } });
    s.input.end();
    await s.served;
  });

  it('opens the home of a quiet client without waiting for a request', async () => {
    const s = openingServer();
    await s.until(() => s.events.length === 1);
    expect(s.events).to.deep.equal(['open called after 0 answers']);
    s.openWith(E.right(s.service));
    s.input.end();
    await s.served;
  });

  it('a home that cannot be opened: the request waiting for it gets the error, and the server stops reading', async () => {
    const s = openingServer();
    s.input.write(request(1, 'initialize'));
    s.input.write(request(2, 'thread/list'));
    s.input.write(request(3, 'thread/list'));
    s.openWith(E.left(notFound('CODEX_HOME', '/home')));
    await s.served;
    expect(s.lines.map((l) => l.id)).to.deep.equal([1, 2]);
    expect(s.lines[1]!.error!.message).to.equal('CODEX_HOME not found: /home');
  });
});
