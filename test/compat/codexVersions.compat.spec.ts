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
import { PINNED_CODEX_VERSION, codexCommandAt, writeCodexConfig } from './appServer.js';
import { CodexSchema } from '../fixtures/codexSchema.js';
import { ENGINE_CLI_PATH } from './engineCli.js';
import { handshake, serveOverStdio, spawnAppServerRpc } from '../fixtures/stdioRpcClient.js';
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
    // The provider the config selects (`mock`): `thread/list` lists only its threads by default, in both versions.
    const w = new RolloutWriter('paginated', id, { startMs: Date.UTC(2026, 10, 21, 14, i + 1, 0) }).sessionMeta({
      model_provider: 'mock',
    });
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
  'error' in a
    ? a
    : {
        ids: (a.result as { data: Array<{ id: string }> }).data.map((t) => t.id),
        nextCursor: (a.result as { nextCursor: unknown }).nextCursor,
      };

const initialized = async (
  s: StdioRpcClient,
  clientInfo: { name: string; version: string } = { name: 'compat', version: '1' },
): Promise<RpcAnswer> => {
  return handshake(s, { clientInfo, capabilities: { experimentalApi: true } });
};

const versionGaugesOf = (a: RpcAnswer): string[] =>
  'error' in a
    ? []
    : (a.result as { gauges: Array<{ name: string }> }).gauges
        .map((g) => g.name)
        .filter((n) => n.startsWith('rolloutEngine.codexVersion.'));

describe('compat · Codex versions: serve --codex-version X answers as codex app-server X (0.169.0, 0.171.0)', function () {
  this.timeout(180_000);
  let root: string;
  let codexHome: string;
  const servers: StdioRpcClient[] = [];
  /**
   * Each binary's own copy of the home, written alike: a Codex answers from the state DB and history
   * projection the first binary to open a home wrote, so a second version in the same home would
   * answer the first's reading (measured: itemDeltas.compat).
   */
  const homeOf = (version: string): string => {
    const home = nodePath.join(root, `codex-${version}`, 'codex-home');
    if (!fs.existsSync(home)) writeHome(home);
    return home;
  };
  const codex = async (version: string): Promise<StdioRpcClient> => {
    const command = await codexCommandAt(version);
    const home = homeOf(version);
    const s = spawnAppServerRpc(command, home);
    servers.push(s);
    return s;
  };
  // Our answers at a version are held to that version's schema (the hooks' is 0.169.0's).
  const schemas = new Map<string, CodexSchema>();
  const ours = async (...args: string[]): Promise<StdioRpcClient> => {
    const version = args[args.indexOf('--codex-version') + 1];
    const schema = version === undefined || version === PINNED_CODEX_VERSION ? undefined : schemas.get(version);
    const s = await serveOverStdio(codexHome, {
      args,
      ...(schema === undefined ? {} : { schema }),
      env: { ...process.env, ...heldEnv },
    });
    servers.push(s);
    return s;
  };
  let heldEnv: NodeJS.ProcessEnv = {};

  before(async () => {
    for (const v of CODEX_VERSIONS) if (v !== PINNED_CODEX_VERSION) schemas.set(v, await CodexSchema.generateAt(v));
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
      const [theirs, mine] = [await codex(version), await ours('--codex-version', spoken)];
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
      const s = await ours(...args);
      const agent = agentOf(await initialized(s, clientInfo));
      expect(
        agent.startsWith(`${clientInfo.name}/${expected} `),
        `${args.join(' ')} · ${clientInfo.name} ${clientInfo.version}: ${agent}`,
      ).to.equal(true);
      expect(versionGaugesOf(await s.request('server/diagnostics', {}))).to.deep.equal([
        `rolloutEngine.codexVersion.${expected}`,
      ]);
    }
  });

  it('thread/search/stream answers as codex 0.171.0: the page thread/search answers, each row first as a partial of its own; 0.169.0 knows no such method', async () => {
    const params = { searchTerm: 'hello', limit: 2 };
    const [theirs, mine, theirs169, mine169] = [
      await codex('0.171.0'),
      await ours('--codex-version', '0.171.0'),
      await codex('0.169.0'),
      await ours('--codex-version', '0.169.0'),
    ];
    await Promise.all([theirs, mine, theirs169, mine169].map((c) => initialized(c)));
    const [a, b] = await Promise.all([
      theirs.request('thread/search/stream', params),
      mine.request('thread/search/stream', params),
    ]);
    const idsOf = (x: RpcAnswer): unknown =>
      'error' in x
        ? x
        : (x.result as { data: Array<{ thread: { id: string } }>; nextCursor: unknown }).data.map((r) => r.thread.id);
    expect(idsOf(b)).to.deep.equal(idsOf(a));
    expect(idsOf(b)).to.deep.equal(idsOf(await mine.request('thread/search', params)));
    // Partials are best-effort in Codex (may be dropped, in discovery order): ours are one row each, unique, rows of the page.
    const partials = mine.notifications
      .filter((n) => n.method === 'thread/search/partial')
      .map((n) => n.params as { requestId: unknown; data: Array<{ thread: { id: string } }> });
    expect(partials.length).to.be.greaterThan(0);
    for (const p of partials) expect(p.data).to.have.length(1);
    const partialIds = partials.map((p) => p.data[0]!.thread.id);
    expect(new Set(partialIds).size).to.equal(partialIds.length);
    expect(idsOf(b)).to.include.members(partialIds);
    const [c, d] = await Promise.all([
      theirs169.request('thread/search/stream', params),
      mine169.request('thread/search/stream', params),
    ]);
    expect(d).to.deep.equal(c);
    const [e, f] = await Promise.all([
      theirs.request('thread/search/stream/cancel', { requestId: 'nothing' }),
      mine.request('thread/search/stream/cancel', { requestId: 'nothing' }),
    ]);
    expect(f).to.deep.equal(e);
  });

  it('thread/search/stream/cancel stops a running stream: {} to the cancel, "thread search cancelled" to the stream, no partials (the interleaving held at search.found)', async () => {
    const hold = nodePath.join(root, 'search.hold');
    heldEnv = { ROLLOUT_ENGINE_HOLD_AT: 'search.found', ROLLOUT_ENGINE_HOLD_FILE: hold };
    const mine = await ours('--codex-version', '0.171.0');
    heldEnv = {};
    await initialized(mine);
    // The client numbers its requests from 1 (initialize): the stream is request 2.
    const stream = mine.request('thread/search/stream', { searchTerm: 'hello' });
    while (!fs.existsSync(hold)) await new Promise((r) => setTimeout(r, 10));
    expect(await mine.request('thread/search/stream/cancel', { requestId: 2 })).to.deep.equal({ result: {} });
    fs.rmSync(hold);
    // As codex 0.171.0 answers a cancelled search (measured: -32600, these words).
    expect(await stream).to.deep.equal({ error: { code: -32600, message: 'thread search cancelled' } });
    expect(mine.notifications.filter((n) => n.method === 'thread/search/partial')).to.deep.equal([]);
  });

  it('refuses a version it does not speak, from the option or the environment, before serving', () => {
    const run = (args: string[], env: NodeJS.ProcessEnv) =>
      spawnSync(process.execPath, [ENGINE_CLI_PATH, 'serve', '--codex-home', codexHome, ...args], {
        input: '',
        encoding: 'utf8',
        env,
        timeout: 60_000,
      });
    const byOption = run(['--codex-version', '0.170.0'], process.env);
    expect(byOption.status, byOption.stderr).to.not.equal(0);
    expect(byOption.stderr).to.include('0.170.0');
    const byEnv = run([], { ...process.env, ROLLOUT_ENGINE_CODEX_VERSION: '0.170.0' });
    expect(byEnv.status, byEnv.stderr).to.not.equal(0);
    expect(byEnv.stderr).to.include('Codex 0.170.0 is not a version this engine speaks (0.169.0, 0.171.0)');
  });
});
