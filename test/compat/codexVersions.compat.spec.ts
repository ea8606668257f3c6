// The Codex versions the engine speaks (protocol/codexVersions.ts), each against its own binary on
// one home: `rollout-engine serve --codex-version X` answers as `codex app-server` X does where
// the two versions differ (`thread/list`'s `includedThreadIds`, added in 0.171.0 and ignored by
// 0.169.0), and each connection names the version it speaks (`initialize`'s user agent, a
// `server/diagnostics` gauge): the server's, or a Codex client's declared one.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { expect } from 'chai';
import { appServerEnv, codexCommandAt, writeCodexConfig } from './appServer.js';
import { ENGINE_CLI_PATH } from './engineCli.js';
import { spawnRpcServer } from '../fixtures/stdioRpcClient.js';
import type { RpcAnswer, StdioRpcClient } from '../fixtures/stdioRpcClient.js';
import { RolloutWriter } from '../fixtures/rolloutLines.js';
import { CODEX_VERSIONS, NEWEST_CODEX_VERSION } from '../../protocol/codexVersions.js';

const IDS = [1, 2, 3].map((i) => `019a0000-0000-7000-8000-00000000000${i}`);

/** Three threads of one chat turn each, a minute apart, on the provider the config names. */
const writeHome = (codexHome: string): void => {
  writeCodexConfig(codexHome, 9);
  const day = nodePath.join(codexHome, 'sessions', '2026', '11', '21');
  fs.mkdirSync(day, { recursive: true });
  IDS.forEach((id, i) => {
    const w = new RolloutWriter('paginated', id, { startMs: Date.UTC(2026, 10, 21, 14, i + 1, 0) }).sessionMeta();
    w.chatTurn('t1', `hello ${i + 1}`, 'A');
    fs.writeFileSync(nodePath.join(day, `rollout-2026-11-21T14-0${i + 1}-00-${id}.jsonl`), w.text());
  });
};

/** `thread/list` queries where 0.171.0 and 0.169.0 differ, with the answer 0.171.0 gives (measured on its binary). */
const INCLUDED_QUERIES: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
  ['one id: its row', { includedThreadIds: [IDS[1]] }],
  ['[]: no row', { includedThreadIds: [] }],
  ['null: every row', { includedThreadIds: null }],
  ['101 ids: refused', { includedThreadIds: Array.from({ length: 101 }, (_, i) => IDS[i % 3]) }],
  ['100 ids, repeated: every row', { includedThreadIds: Array.from({ length: 100 }, (_, i) => IDS[i % 3]) }],
  ['an id that is no UUID: refused', { includedThreadIds: ['not-a-uuid'] }],
  ['an unknown id: no row', { includedThreadIds: ['00000000-0000-7000-8000-000000000099'] }],
  ['with an exclusion: exclusions still apply', { includedThreadIds: [IDS[0], IDS[1]], excludedThreadIds: [IDS[0]] }],
  ['two ids, a page of one: the first and a cursor', { includedThreadIds: [IDS[0], IDS[1]], limit: 1 }],
  ['archived: none', { includedThreadIds: [IDS[0]], archived: true }],
];

/** What is compared of a `thread/list` answer: the rows' ids and the cursor, or the error. */
const listedOf = (a: RpcAnswer): unknown =>
  'error' in a ? a : { ids: (a.result as { data: Array<{ id: string }> }).data.map((t) => t.id), nextCursor: (a.result as { nextCursor: unknown }).nextCursor };

const initialized = async (s: StdioRpcClient, clientInfo: { name: string; version: string } = { name: 'compat', version: '1' }): Promise<RpcAnswer> => {
  const init = await s.request('initialize', { clientInfo, capabilities: { experimentalApi: true } });
  s.notify('initialized');
  return init;
};

const versionGaugesOf = (a: RpcAnswer): string[] =>
  'error' in a ? [] : (a.result as { gauges: Array<{ name: string }> }).gauges.map((g) => g.name).filter((n) => n.startsWith('rolloutEngine.codexVersion.'));

describe('compat · Codex versions: serve --codex-version X answers as codex app-server X (0.169.0, 0.171.0)', function () {
  this.timeout(180_000);
  let root: string;
  let codexHome: string;
  const servers: StdioRpcClient[] = [];
  const codex = async (version: string): Promise<StdioRpcClient> => {
    const command = await codexCommandAt(version);
    const s = spawnRpcServer(command.file, [...command.args, 'app-server'], { env: appServerEnv({ codexHome }), cwd: codexHome });
    servers.push(s);
    return s;
  };
  const ours = (...args: string[]): StdioRpcClient => {
    const s = spawnRpcServer(process.execPath, [ENGINE_CLI_PATH, 'serve', '--codex-home', codexHome, ...args]);
    servers.push(s);
    return s;
  };

  before(() => {
    root = fs.mkdtempSync(nodePath.join(os.tmpdir(), 'versions-compat-'));
    codexHome = nodePath.join(root, 'codex-home');
    writeHome(codexHome);
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.close()));
    fs.rmSync(root, { recursive: true, force: true });
  });

  // `npm run codex:next -- X` adds release X, compared with the newest version we speak.
  const next = process.env['ROLLOUT_ENGINE_CODEX_NEXT'];
  const pairs: ReadonlyArray<readonly [string, string]> = [
    ...CODEX_VERSIONS.map((v) => [v, v] as const),
    ...(next === undefined ? [] : [[next, NEWEST_CODEX_VERSION] as const]),
  ];
  for (const [version, spoken] of pairs) {
    it(`thread/list includedThreadIds: each query answered as codex ${version} answers it (serve --codex-version ${spoken})`, async () => {
      const [theirs, mine] = [await codex(version), ours('--codex-version', spoken)];
      await Promise.all([initialized(theirs), initialized(mine)]);
      const rows: string[] = [];
      for (const [what, params] of INCLUDED_QUERIES) {
        const [a, b] = await Promise.all([theirs.request('thread/list', params), mine.request('thread/list', params)]);
        expect(listedOf(b), `${version} · ${what}`).to.deep.equal(listedOf(a));
        rows.push(`${what}: ${JSON.stringify(listedOf(a))}`);
      }
      // The measured contract, so that a binary that changes it is seen here and not only as "equal".
      const answers = INCLUDED_QUERIES.map(([, p]) => p);
      const one = listedOf(await mine.request('thread/list', answers[0])) as { ids: string[] };
      const none = listedOf(await mine.request('thread/list', answers[1])) as { ids: string[] };
      if (spoken !== '0.169.0') {
        expect(one.ids).to.deep.equal([IDS[1]]);
        expect(none.ids).to.deep.equal([]);
      } else {
        // 0.169.0 does not know the field: every thread.
        expect(one.ids).to.have.length(3);
        expect(none.ids).to.have.length(3);
      }
    });
  }

  it("initialize and server/diagnostics name the connection's version: the server's, or its Codex client's", async () => {
    const agentOf = (a: RpcAnswer): string => ('error' in a ? '' : (a.result as { userAgent: string }).userAgent);
    const codex171 = await codex('0.171.0');
    const theirAgent = agentOf(await initialized(codex171, { name: 'codex-tui', version: '0.171.0' }));
    expect(theirAgent.startsWith('codex-tui/0.171.0 ')).to.equal(true);

    const cases: ReadonlyArray<readonly [string[], { name: string; version: string }, string]> = [
      [['--codex-version', '0.171.0'], { name: 'compat', version: '0.169.0' }, '0.171.0'],
      [['--codex-version', '0.169.0'], { name: 'compat', version: '0.171.0' }, '0.169.0'],
      [['--codex-version', '0.171.0'], { name: 'codex-tui', version: '0.169.0' }, '0.169.0'],
      [['--codex-version', '0.169.0'], { name: 'codex-tui', version: '0.171.0' }, '0.171.0'],
      // A Codex client of a version we do not speak gets the server's.
      [['--codex-version', '0.171.0'], { name: 'codex-tui', version: '0.170.0' }, '0.171.0'],
    ];
    for (const [args, clientInfo, expected] of cases) {
      const s = ours(...args);
      const agent = agentOf(await initialized(s, clientInfo));
      expect(agent.startsWith(`${clientInfo.name}/${expected} `), `${args.join(' ')} · ${clientInfo.name} ${clientInfo.version}: ${agent}`).to.equal(true);
      expect(versionGaugesOf(await s.request('server/diagnostics', {}))).to.deep.equal([`rolloutEngine.codexVersion.${expected}`]);
    }
  });

  it('refuses a version it does not speak, from the option or the environment, before serving', () => {
    const run = (args: string[], env: NodeJS.ProcessEnv) =>
      spawnSync(process.execPath, [ENGINE_CLI_PATH, 'serve', '--codex-home', codexHome, ...args], { input: '', encoding: 'utf8', env, timeout: 60_000 });
    const byOption = run(['--codex-version', '0.170.0'], process.env);
    expect(byOption.status, byOption.stderr).to.not.equal(0);
    expect(byOption.stderr).to.include('0.170.0');
    const byEnv = run([], { ...process.env, ROLLOUT_ENGINE_CODEX_VERSION: '0.170.0' });
    expect(byEnv.status, byEnv.stderr).to.not.equal(0);
    expect(byEnv.stderr).to.include('Codex 0.170.0 is not a version this engine speaks (0.169.0, 0.171.0)');
  });
});
