// Refusals of bad requests by the real `codex app-server` 0.169.0 and by `rollout-engine serve` on
// the same empty home, over stdio: the same code and the same words for an unknown method, params
// serde could not take (wrong types, missing fields, u32 bounds, unknown enum variants, tagged and
// untagged enums) and thread ids that are not UUIDs, byte for byte.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { resolveCodexCommand, writeCodexConfig } from './appServer.js';
import { handshake, serveOverStdio, spawnAppServerRpc } from '../fixtures/stdioRpcClient.js';
import type { RpcAnswer, StdioRpcClient } from '../fixtures/stdioRpcClient.js';

const A_UUID = '01a1fe84-dc74-7740-802e-cd0a1989a38a';

/** Requests both servers refuse; each is sent alone, so its answer is the refusal of that one thing. */
const BAD_REQUESTS: ReadonlyArray<readonly [string, unknown]> = [
  ['thread/nosuch', {}],
  ['thread/read', { threadId: 5 }],
  ['thread/read', null],
  ['thread/read', { threadId: A_UUID, includeTurns: 'yes' }],
  ['thread/read', { threadId: 'not-a-uuid' }],
  ['thread/read', { threadId: '01a1fe84-dc74-7740-802e' }],
  ['thread/read', { threadId: '01a1fe84dc747740802ecd0a1989a38' }],
  ['thread/turns/list', {}],
  ['thread/turns/list', { threadId: 'zz' }],
  ['thread/turns/list', { threadId: A_UUID, limit: 'x' }],
  ['thread/turns/list', { threadId: A_UUID, limit: -1 }],
  ['thread/turns/list', { threadId: A_UUID, limit: 1.5 }],
  ['thread/turns/list', { threadId: A_UUID, itemsView: 'fulll' }],
  ['thread/turns/list', { threadId: A_UUID, sortDirection: 'up' }],
  ['thread/items/list', { threadId: 'zz' }],
  ['thread/items/list', { threadId: A_UUID, limit: true }],
  // An items cursor of neither form (the differential fuzzer's find): serde names the untagged enum.
  ['thread/items/list', { threadId: A_UUID, cursor: { type: 'unknown_variant_x' } }],
  ['thread/items/list', { threadId: A_UUID, cursor: 42 }],
  ['thread/list', { limit: -1 }],
  ['thread/list', { cwd: 5 }],
  ['thread/list', { archived: 'no' }],
  ['thread/list', { modelProviders: 'openai' }],
  ['thread/list', { projectId: 'p1' }],
  ['thread/list', { originators: ['codex_cli_rs'] }],
  ['thread/list', { sortKey: 'section_position' }],
  ['thread/list', { includeAttachedThreads: true }],
  ['thread/list', { includeAttachedThreads: true, searchTerm: '  ' }],
  ['thread/list', { parentThreadId: 'zz' }],
  ['thread/list', { ancestorThreadId: 'zz' }],
  ['thread/list', { attachedToThreadId: 'zz' }],
  ['thread/searchOccurrences', { threadId: A_UUID, query: 'a' }],
  ['thread/search', { searchTerm: 5 }],
  ['thread/fork', { threadId: 'zz' }],
  ['thread/name/set', { threadId: A_UUID }],
  ['thread/archive', {}],
  ['review/start', { threadId: A_UUID, target: { type: 'sideways' } }],
  ['review/start', { threadId: A_UUID, target: { type: 'baseBranch' } }],
];

const ask = async (server: StdioRpcClient): Promise<RpcAnswer[]> => {
  await handshake(server, { clientInfo: { name: 'compat', version: '1' }, capabilities: { experimentalApi: true } });
  const answers: RpcAnswer[] = [];
  for (const [method, params] of BAD_REQUESTS) answers.push(await server.request(method, params));
  return answers;
};

describe("bad requests: rollout-engine serve refuses them with codex app-server 0.169.0's codes and words", function () {
  this.timeout(120_000);
  let root: string;
  let codexHome: string;
  const servers: StdioRpcClient[] = [];

  before(() => {
    root = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'request-errors-compat-'));
    codexHome = nodePath.join(root, 'codex-home');
    // No model is asked: the mock's port is never dialled.
    writeCodexConfig(codexHome, 9);
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    fs.rmSync(root, { recursive: true, force: true });
  });

  it(`${BAD_REQUESTS.length} bad requests: the same error object from both`, async () => {
    const command = resolveCodexCommand();
    const codex = spawnAppServerRpc(command, codexHome);
    const ours = await serveOverStdio(codexHome);
    servers.push(codex, ours);
    const [theirs, mine] = await Promise.all([ask(codex), ask(ours)]);
    const differing = BAD_REQUESTS.flatMap(([method, params], i) =>
      JSON.stringify(mine[i]) === JSON.stringify(theirs[i])
        ? []
        : [
            `${method} ${JSON.stringify(params)}\n  codex: ${JSON.stringify(theirs[i])}\n  ours:  ${JSON.stringify(mine[i])}`,
          ],
    );
    for (const a of theirs) expect(a, 'Codex refuses each one').to.have.property('error');
    expect(differing, differing.join('\n')).to.deep.equal([]);
  });
});
