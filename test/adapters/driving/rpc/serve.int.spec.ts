// `rollout-engine serve` as a process: the JSON-RPC handshake, errors as Codex's clients expect
// them, notifications before answers, and a rollout that grows while the server runs.
import * as fs from 'node:fs/promises';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { serveOverStdio } from '../../../fixtures/stdioRpcClient.js';
import type { StdioRpcClient } from '../../../fixtures/stdioRpcClient.js';
import { RolloutWriter } from '../../../fixtures/rolloutLines.js';

const THREAD = '01a1fe84-bdb0-7260-b7c8-794e23279a06';
const rolloutPath = (home: string): string =>
  nodePath.join(home, 'sessions/2026/11/21', `rollout-2026-11-21T14-00-00-${THREAD}.jsonl`);

describe('rollout-engine serve (JSON-RPC over stdio)', function () {
  this.timeout(120_000);
  let home: string;
  let server: StdioRpcClient;
  let writer: RolloutWriter;

  before(async () => {
    home = await fs.mkdtemp(nodePath.join(os.tmpdir(), 'serve-'));
    writer = new RolloutWriter('paginated', THREAD).sessionMeta();
    writer.chatTurn('turn-1', 'first question', 'first answer');
    await fs.mkdir(nodePath.dirname(rolloutPath(home)), { recursive: true });
    await fs.writeFile(rolloutPath(home), writer.text());
    server = await serveOverStdio(home, { args: ['--index-dir', nodePath.join(home, 'ix')] });
  });
  after(async () => {
    await server.close();
    await fs.rm(home, { recursive: true, force: true });
  });

  it('refuses requests before initialize, answers initialize once, then serves', async () => {
    expect(await server.request('thread/list', {})).to.deep.equal({
      error: { code: -32600, message: 'Not initialized' },
    });
    const init = await server.request('initialize', {
      clientInfo: { name: 'test', version: '1' },
      capabilities: { experimentalApi: true },
    });
    expect(init).to.have.nested.property('result.codexHome', home);
    expect(init).to.have.nested.property('result.platformFamily');
    // Codex's user agent with the Codex version whose protocol we answer: a Codex client sees no "older service"; then ours, package.json's.
    const { version } = JSON.parse(await fs.readFile('package.json', 'utf8')) as { version: string };
    const userAgent = (init as { result: { userAgent: string } }).result.userAgent;
    expect(userAgent).to.match(/^test\/0\.169\.0 \([^;]+; [a-z0-9_]+\) \S+ \(test; 1\) rollout-engine\/\S+$/);
    expect(userAgent.endsWith(` rollout-engine/${version}`), userAgent).to.equal(true);
    server.notify('initialized');
    expect(await server.request('initialize', {})).to.deep.equal({
      error: { code: -32600, message: 'Already initialized' },
    });
    const list = await server.request('thread/list', {});
    expect(list).to.have.nested.property('result.data[0].id', THREAD);
    expect(list).to.have.nested.property('result.data[0].status.type', 'notLoaded');
  });

  it("refuses unknown methods and bad params with -32600 in Codex's words; a Codex method we do not serve is -32601", async () => {
    const unknown = await server.request('thread/rollforward', {});
    expect(unknown).to.have.nested.property('error.code', -32600);
    expect((unknown as { error: { message: string } }).error.message).to.match(
      /^Invalid request: unknown variant `thread\/rollforward`, expected one of `initialize`, /,
    );
    expect(await server.request('account/read', {})).to.deep.equal({
      error: { code: -32601, message: 'method not found: account/read' },
    });
    expect(await server.request('thread/turns/list', { threadId: 5, limit: 'ten' })).to.deep.equal({
      error: { code: -32600, message: 'Invalid request: invalid type: integer `5`, expected a string' },
    });
  });

  it("uses Codex's words for refusals", async () => {
    expect(
      await server.request('thread/turns/list', { threadId: '00000000-0000-7000-8000-000000000000' }),
    ).to.deep.equal({
      error: { code: -32600, message: 'thread not loaded: 00000000-0000-7000-8000-000000000000' },
    });
    expect(await server.request('thread/turns/list', { threadId: THREAD, cursor: 'not-a-cursor' })).to.deep.equal({
      error: { code: -32600, message: 'invalid cursor: not-a-cursor' },
    });
    expect(await server.request('thread/items/list', { threadId: THREAD, turnId: 'nope' })).to.deep.equal({
      result: { data: [], nextCursor: null, backwardsCursor: null },
    });
  });

  it('sends the deprecation notice before a full read of a paginated thread', async () => {
    const before = server.notifications.length;
    const read = await server.request('thread/read', { threadId: THREAD, includeTurns: true });
    expect(read).to.have.nested.property('result.thread.turns[0].items[0].type', 'userMessage');
    expect(server.notifications.slice(before).map((n) => n.method)).to.deep.equal(['deprecationNotice']);
  });

  it('serves lines appended while it runs (tail catch-up before answering)', async () => {
    const before = writer.lines.length;
    writer.chatTurn('turn-2', 'second question', 'second answer');
    await fs.appendFile(
      rolloutPath(home),
      writer.lines
        .slice(before)
        .map((l) => `${l}\n`)
        .join(''),
    );
    const page = await server.request('thread/turns/list', { threadId: THREAD, itemsView: 'notLoaded' });
    expect((page as { result: { data: Array<{ id: string }> } }).result.data.map((t) => t.id)).to.deep.equal([
      'turn-2',
      'turn-1',
    ]);
  });

  it('answers a line that is not JSON with a parse error and keeps serving', async () => {
    server.child.stdin?.write('{not json\n');
    const list = await server.request('thread/list', {});
    expect(list).to.have.nested.property('result.data[0].id', THREAD);
  });
});
