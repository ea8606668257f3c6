// Remote plugin install and the startup sync of the real `codex app-server` 0.169.0 and of
// `rollout-engine` against the same ChatGPT plugin backend: a local https server (node `https`,
// a CA and a 127.0.0.1 certificate made with openssl in the test; Codex trusts it through
// CODEX_CA_CERTIFICATE, our CLI through NODE_EXTRA_CA_CERTS — real Codex downloads bundles over
// https only). Each home gets `chatgpt_base_url` in config.toml and a ChatGPT login in auth.json
// (an unsigned JWT: Codex reads its claims, nothing verifies it offline). The `plugins/` trees —
// paths, kinds, modes and bytes — must be equal; nothing is normalised.
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs/promises';
import type { Dirent } from 'node:fs';
import * as nodePath from 'node:path';
import { AppServer, AppServerError, codexConfigToml, stopAllAppServers } from './appServer.js';
import { runEngineCli } from './engineCli.js';
import { describeDifferences, jsonDifferences } from './jsonDifferences.js';
import { initializedServe } from '../fixtures/stdioRpcClient.js';
import type { RpcAnswer } from '../fixtures/stdioRpcClient.js';
import { bundleOf, startPluginBackend } from '../fixtures/pluginBackend.js';
import type { FakePluginBackend } from '../fixtures/pluginBackend.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { skipUnmet } from '../fixtures/skipUnmet.js';

/** The test's CA and certificate are made with the openssl CLI; `npm test` installs it first (test/setup/ensureOpenssl.sh). */
const HAVE_OPENSSL = spawnSync('openssl', ['version'], { stdio: 'ignore' }).status === 0;

const LINEAR = 'plugins~Plugin_linear0001';

/** A CA and a certificate for 127.0.0.1 it signed (rustls refuses a self-signed leaf that is its own CA). */
const makeCertificates = (dir: string) => {
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.pem',
    '-days',
    '2',
    '-subj',
    '/CN=rollout-engine test CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign',
  );
  ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'key.pem', '-out', 'leaf.csr', '-subj', '/CN=127.0.0.1');
  return fs
    .writeFile(
      nodePath.join(dir, 'ext.cnf'),
      'subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n',
    )
    .then(() => {
      ssl(
        'x509',
        '-req',
        '-in',
        'leaf.csr',
        '-CA',
        'ca.pem',
        '-CAkey',
        'ca.key',
        '-CAcreateserial',
        '-out',
        'cert.pem',
        '-days',
        '2',
        '-extfile',
        'ext.cnf',
      );
      return {
        ca: nodePath.join(dir, 'ca.pem'),
        key: nodePath.join(dir, 'key.pem'),
        cert: nodePath.join(dir, 'cert.pem'),
      };
    });
};

/** `fallback` for an entry removed between the listing and the look (ENOENT); any other failure is thrown. */
const goneMeanwhile =
  <T>(fallback: T) =>
  (err: NodeJS.ErrnoException): T => {
    if (err.code !== 'ENOENT') throw err;
    return fallback;
  };

/** Every entry under a folder: path, kind, permission bits, and a file's bytes. */
const treeOf = async (dir: string): Promise<Array<[string, string, string, string]>> => {
  const out: Array<[string, string, string, string]> = [];
  // A recursive listing fails when a folder goes while it is walked (Codex's startup sync removing a
  // stale cache root): walked again until one walk sees a tree that holds still.
  const listed = async (tries = 20): Promise<Dirent[]> => {
    try {
      return await fs.readdir(dir, { withFileTypes: true, recursive: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || tries <= 1) throw err;
      await new Promise((r) => setTimeout(r, 50));
      return listed(tries - 1);
    }
  };
  for (const e of await listed()) {
    const path = nodePath.join(e.parentPath, e.name);
    const stat = await fs.lstat(path).catch(goneMeanwhile(null)); // removed while we looked (Codex's sync at work)
    if (stat === null) continue;
    const mode = (stat.mode & 0o777).toString(8);
    out.push([
      nodePath.relative(dir, path),
      e.isDirectory() ? 'dir' : e.isFile() ? 'file' : 'other',
      mode,
      e.isFile() ? await fs.readFile(path, 'utf8').catch(goneMeanwhile('')) : '',
    ]);
  }
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
};

describe('compat · remote plugin install, startup sync and uninstall against real codex 0.169.0 (local https backend)', function () {
  this.timeout(180_000);
  const tmp = useTempDir('compat-remote-plugins-');
  let backend: FakePluginBackend;
  let ca: string;

  const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const jwt = `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ email: 'u@example.com', 'https://api.openai.com/auth': { chatgpt_plan_type: 'plus', chatgpt_account_id: 'acct-1', chatgpt_user_id: 'user-1' } })}.sig`;
  const makeHome = async (
    name: string,
    opts: { readonly login?: boolean; readonly plugins?: boolean } = {},
  ): Promise<string> => {
    const home = nodePath.join(tmp(), name);
    await fs.mkdir(home, { recursive: true });
    const config = codexConfigToml(9)
      .replace('plugins = false', `plugins = ${opts.plugins ?? true}`)
      .replace('remote_plugin = false', 'remote_plugin = true');
    await fs.writeFile(
      nodePath.join(home, 'config.toml'),
      `chatgpt_base_url = ${JSON.stringify(backend.baseUrl)}\n${config}`,
    );
    if (opts.login === false) return home;
    await fs.writeFile(
      nodePath.join(home, 'auth.json'),
      JSON.stringify({
        OPENAI_API_KEY: null,
        tokens: { id_token: jwt, access_token: jwt, refresh_token: 'r', account_id: 'acct-1' },
        last_refresh: new Date().toISOString(),
      }),
    );
    return home;
  };
  const codex = (home: string) => AppServer.start({ codexHome: home, extraEnv: { CODEX_CA_CERTIFICATE: ca } });
  const ours = (home: string, args: string[]) =>
    runEngineCli(['plugins', ...args, '--codex-home', home], 60_000, { NODE_EXTRA_CA_CERTS: ca });

  before(async function () {
    skipUnmet(this, HAVE_OPENSSL, 'openssl', 'apt-get install openssl; npm test installs it when it can');
    const certs = await makeCertificates(tmp());
    ca = certs.ca;
    backend = await startPluginBackend({
      key: await fs.readFile(certs.key, 'utf8'),
      cert: await fs.readFile(certs.cert, 'utf8'),
    });
    backend.bundles.set(
      '/bundles/linear.tar.gz',
      await bundleOf(nodePath.join(tmp(), 'src'), {
        '.codex-plugin/plugin.json': JSON.stringify({ name: 'linear', version: '0.1.0', description: 'Linear issues' }),
        'skills/triage/SKILL.md': '---\nname: triage\ndescription: triage issues\n---\nTriage.\n',
        '.mcp.json': JSON.stringify({ mcpServers: { linear: { command: 'true' } } }),
      }),
    );
    backend.plugins.push({
      id: LINEAR,
      name: 'linear',
      scope: 'GLOBAL',
      bundlePath: '/bundles/linear.tar.gz',
      version: '1.2.3',
      installed: false,
    });
  });
  after(async () => {
    await stopAllAppServers();
    await backend?.close();
  });

  it('plugin/read of a remote plugin: the same answer as Codex for every kind of catalog entry, and the same refusals (no login, plugins off, bad or unknown id, both or neither source)', async () => {
    backend.plugins.push(
      {
        id: 'plugins~Plugin_rich0003',
        name: 'rich',
        scope: 'GLOBAL',
        bundlePath: null,
        version: '2.0.0',
        installed: false,
        featured: true,
        extra: { installation_policy: 'INSTALLED_BY_DEFAULT', authentication_policy: 'ON_INSTALL' },
        release: {
          display_name: '  Rich Plugin ',
          description: '  ',
          interface: {
            short_description: 'short',
            long_description: 'long',
            developer_name: 'dev',
            category: 'Productivity',
            capabilities: ['Read'],
            website_url: 'https://w.example',
            privacy_policy_url: 'https://p.example',
            terms_of_service_url: 'https://t.example',
            default_prompt: '  Do it  ',
            brand_color: '#123456',
            composer_icon_url: 'https://c.example',
            logo_url: 'https://l.example',
            logo_url_dark: 'https://ld.example',
            screenshot_urls: ['https://s1.example'],
          },
          skills: [
            {
              name: 'triage',
              description: 'triage issues',
              interface: {
                display_name: 'Triage',
                short_description: 'tri',
                brand_color: '#fff',
                default_prompt: 'triage now',
                icon_small_url: 'https://is.example',
              },
            },
            { name: 'plain', description: 'plain skill' },
          ],
        },
      },
      {
        id: 'plugins~Plugin_bare0004',
        name: 'bare',
        scope: 'GLOBAL',
        bundlePath: null,
        version: null,
        installed: false,
        release: { display_name: '', description: 'Bare' },
      },
      {
        id: 'plugins~Plugin_apps0005',
        name: 'appy',
        scope: 'GLOBAL',
        bundlePath: null,
        version: '1.0.0',
        installed: false,
        release: { app_ids: ['connector_abc', 'asdk_app_ABC.Mixed Case--x', ''] },
      },
      {
        id: 'plugins~Plugin_listed0006',
        name: 'listed',
        scope: 'WORKSPACE',
        bundlePath: null,
        version: '0.2.0',
        installedVersion: '0.1.0',
        installed: true,
        extra: { discoverability: 'LISTED' },
      },
      {
        id: 'plugins~Plugin_shared0007',
        name: 'shared',
        scope: 'WORKSPACE',
        bundlePath: null,
        version: '0.0.1',
        installed: false,
        extra: {
          discoverability: 'UNLISTED',
          share_url: 'https://share.example',
          creator_account_user_id: 'u1',
          creator_name: 'Ann',
          share_principals: [],
          can_publish_to_workspace: true,
        },
      },
      {
        id: 'plugins~Plugin_nodisc0008',
        name: 'nodisc',
        scope: 'WORKSPACE',
        bundlePath: null,
        version: '0.0.1',
        installed: false,
      },
    );
    const reads: Array<Record<string, unknown>> = [
      ...[
        'plugins~Plugin_rich0003',
        'plugins~Plugin_bare0004',
        'plugins~Plugin_apps0005',
        'plugins~Plugin_listed0006',
        'plugins~Plugin_shared0007',
      ].map((pluginName) => ({
        remoteMarketplaceName: 'any-name',
        pluginName,
      })),
      { remoteMarketplaceName: 'openai-curated-remote', pluginName: 'plugins~Plugin_missing' },
      { remoteMarketplaceName: 'openai-curated-remote', pluginName: 'bad id!' },
      { pluginName: 'plugins~Plugin_rich0003' },
      {
        remoteMarketplaceName: 'openai-curated-remote',
        marketplacePath: nodePath.join(tmp(), 'marketplace.json'),
        pluginName: 'plugins~Plugin_rich0003',
      },
    ];
    const noDiscoverability = { remoteMarketplaceName: 'workspace-directory', pluginName: 'plugins~Plugin_nodisc0008' };
    const askCodex = async (
      home: string,
      params: ReadonlyArray<Record<string, unknown>>,
      method = 'plugin/read',
    ): Promise<RpcAnswer[]> => {
      const server = await codex(home);
      try {
        const out: RpcAnswer[] = [];
        for (const p of params)
          out.push(
            await server.request(method, p, 60_000).then(
              (result) => ({ result }),
              (e: unknown) => {
                if (!(e instanceof AppServerError)) throw e;
                return { error: { code: e.code, message: e.rpcMessage } };
              },
            ),
          );
        return out;
      } finally {
        await server.stop();
      }
    };
    const askOurs = async (
      home: string,
      params: ReadonlyArray<Record<string, unknown>>,
      method = 'plugin/read',
    ): Promise<RpcAnswer[]> => {
      const client = await initializedServe(home, {
        clientInfo: { name: 'compat', version: '0' },
        capabilities: { experimentalApi: true },
        env: { ...process.env, NODE_EXTRA_CA_CERTS: ca },
      });
      try {
        const out: RpcAnswer[] = [];
        for (const p of params) out.push(await client.request(method, p));
        return out;
      } finally {
        await client.close();
      }
    };
    const bare = (a: RpcAnswer): RpcAnswer =>
      'error' in a ? { error: { code: a.error.code, message: a.error.message } } : a;
    try {
      const theirs = await askCodex(await makeHome('read-codex'), [...reads, noDiscoverability]);
      const mine = await askOurs(await makeHome('read-engine'), [...reads, noDiscoverability]);
      expect(mine.slice(0, reads.length).map(bare)).to.deep.equal(theirs.slice(0, reads.length));
      expect(theirs.filter((a) => 'result' in a)).to.have.length(5);
      // A workspace entry without its discoverability: an internal error in both, the words ours (a decode error naming the entry).
      const [codexNoDisc, ourNoDisc] = [theirs.at(-1)!, mine.at(-1)!];
      expect('error' in codexNoDisc && codexNoDisc.error).to.deep.include({ code: -32603 });
      expect('error' in ourNoDisc && ourNoDisc.error).to.include({ code: -32603 });
      expect('error' in ourNoDisc && ourNoDisc.error.message).to.include(
        'read remote plugin details: workspace plugin `plugins~Plugin_nodisc0008` did not include discoverability',
      );

      // Without a ChatGPT login, and with plugins off.
      const first = reads.slice(0, 1);
      for (const [name, opts] of [
        ['no-login', { login: false }],
        ['plugins-off', { plugins: false }],
      ] as const) {
        const c = await askCodex(await makeHome(`read-codex-${name}`, opts), first);
        expect(c[0], name).to.have.property('error');
        expect((await askOurs(await makeHome(`read-engine-${name}`, opts), first)).map(bare), name).to.deep.equal(c);
      }
      // plugin/list of the remote catalogs, remote_plugin on, with a login: the curated one by default (with the featured ids), each kind's.
      backend.plugins.splice(
        backend.plugins.findIndex((p) => p.id === 'plugins~Plugin_nodisc0008'),
        1,
      );
      const lists = [
        {},
        { marketplaceKinds: ['workspace-directory'] },
        { marketplaceKinds: ['shared-with-me'] },
        { marketplaceKinds: ['created-by-me-remote'] },
        { marketplaceKinds: ['vertical'] },
        { marketplaceKinds: ['local', 'workspace-directory', 'shared-with-me'], forceRefetch: true },
      ];
      const codexLists = await askCodex(await makeHome('list-codex'), lists, 'plugin/list');
      expect(
        codexLists.filter((a) => 'result' in a && (a.result as { marketplaces: unknown[] }).marketplaces.length > 0),
      ).to.have.length(4);
      const d = jsonDifferences(
        codexLists,
        (await askOurs(await makeHome('list-engine'), lists, 'plugin/list')).map(bare),
        12,
      );
      expect(d, describeDifferences(d)).to.deep.equal([]);
      // plugin/list's remote kinds without a login, remote_plugin on: refused as Codex refuses them, or nothing.
      const kinds = [
        ['vertical'],
        ['created-by-me-remote'],
        ['workspace-directory', 'vertical'],
        ['local', 'shared-with-me'],
      ].map((marketplaceKinds) => ({
        marketplaceKinds,
      }));
      const listed = await askCodex(await makeHome('list-codex-no-login', { login: false }), kinds, 'plugin/list');
      expect(listed.filter((a) => 'error' in a)).to.have.length(3);
      expect(
        (await askOurs(await makeHome('list-engine-no-login', { login: false }), kinds, 'plugin/list')).map(bare),
      ).to.deep.equal(listed);
    } finally {
      // The install test below sees the backend as it was.
      backend.plugins.splice(1);
    }
  });

  it('plugin/install of a remote plugin: the same answer and the same plugins/ tree (bundle at the release version, 0600 sidecar)', async () => {
    const theirs = await makeHome('codex-home');
    const mine = await makeHome('engine-home');
    const server = await codex(theirs);
    let answer: unknown;
    try {
      answer = await server.request(
        'plugin/install',
        { remoteMarketplaceName: 'openai-curated-remote', pluginName: LINEAR },
        60_000,
      );
    } finally {
      await server.stop();
    }
    const run = await ours(mine, ['install', '--remote-marketplace', 'openai-curated-remote', LINEAR, '--json']);
    expect(run.exitCode, run.stderr).to.equal(0);
    expect(JSON.parse(run.stdout)).to.deep.equal(answer);
    const expected = await treeOf(nodePath.join(theirs, 'plugins'));
    expect(expected.map((e) => e[0])).to.include(
      'cache/openai-curated-remote/linear/.codex-remote-plugin-install.json',
    );
    expect(await treeOf(nodePath.join(mine, 'plugins'))).to.deep.equal(expected);

    // The startup sync on both: a current bundle's deleted sidecar, a stale remote root.
    for (const home of [theirs, mine]) {
      await fs.rm(nodePath.join(home, 'plugins/cache/openai-curated-remote/linear/.codex-remote-plugin-install.json'));
      await fs.mkdir(nodePath.join(home, 'plugins/cache/openai-curated-remote/old/1.0.0'), { recursive: true });
    }
    const restarted = await codex(theirs);
    try {
      // Until Codex's sync has done both (the sidecar back whole, as JSON, and the stale root gone);
      // then Codex is stopped, and the tree compared is the one it left when it exited, not one
      // looked at after a pause.
      const sidecar = nodePath.join(
        theirs,
        'plugins/cache/openai-curated-remote/linear/.codex-remote-plugin-install.json',
      );
      const whole = async (): Promise<boolean> => {
        const text = await fs.readFile(sidecar, 'utf8').catch(goneMeanwhile(''));
        try {
          JSON.parse(text);
          return true;
        } catch {
          return false; // not there yet, or being written
        }
      };
      const deadline = Date.now() + 30_000;
      for (;;) {
        const tree = (await treeOf(nodePath.join(theirs, 'plugins'))).map((e) => e[0]);
        if (!tree.includes('cache/openai-curated-remote/old') && (await whole())) break;
        if (Date.now() > deadline)
          throw new Error(`Codex's startup sync did not end within 30 s: ${JSON.stringify(tree)}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    } finally {
      await restarted.stop();
    }
    // What Codex did at start: the sidecar back, the stale root gone.
    const codexAfter = (await treeOf(nodePath.join(theirs, 'plugins'))).map((e) => e[0]);
    expect(codexAfter).to.include('cache/openai-curated-remote/linear/.codex-remote-plugin-install.json');
    expect(codexAfter).to.not.include('cache/openai-curated-remote/old');
    const synced = await ours(mine, ['sync', '--json']);
    expect(synced.exitCode, synced.stderr).to.equal(0);
    expect(await treeOf(nodePath.join(mine, 'plugins'))).to.deep.equal(await treeOf(nodePath.join(theirs, 'plugins')));

    // plugin/uninstall by the backend id on both: the same answer, the same tree.
    const again = await codex(theirs);
    let uninstalled: unknown;
    try {
      uninstalled = await again.request('plugin/uninstall', { pluginId: LINEAR }, 60_000);
    } finally {
      await again.stop();
    }
    const ourUninstall = await ours(mine, ['uninstall', LINEAR, '--json']);
    expect(ourUninstall.exitCode, ourUninstall.stderr).to.equal(0);
    expect(JSON.parse(ourUninstall.stdout)).to.deep.equal(uninstalled);
    expect((await treeOf(nodePath.join(theirs, 'plugins'))).map((e) => e[0])).to.not.include(
      'cache/openai-curated-remote/linear',
    );
    expect(await treeOf(nodePath.join(mine, 'plugins'))).to.deep.equal(await treeOf(nodePath.join(theirs, 'plugins')));
  });
});
