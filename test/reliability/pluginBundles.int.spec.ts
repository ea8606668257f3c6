// Issue 39 (item 11), plugin bundles as an adversary packs them: a setuid file, world-writable files
// and folders (kept as the archive said, whatever the umask), an archive of 200,000 empty files
// (1.2 MB downloaded, every file unpacked), and a link out of the bundle. Installed through the
// same remote-install path as the backend's real bundles (a local HTTP backend): modes are cut to
// 0755 at most, the entry count is bounded with an error naming the bound, links are refused.
import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { gzipSync } from 'node:zlib';
import * as E from 'fp-ts/lib/Either.js';
import * as tar from 'tar';
import { homePluginPorts } from '../../adapters/driven/plugins/homeRemotePlugins.js';
import { REMOTE_GLOBAL_MARKETPLACE_NAME as REMOTE_MARKETPLACE } from '../../domain/plugins/remoteCatalog.js';
import {
  ALLOW_HTTP_BUNDLE_DOWNLOADS_ENV,
  REMOTE_BUNDLE_LIMITS,
} from '../../adapters/driven/plugins/remoteBundleFetcher.js';
import { renderError } from '../../domain/errors.js';
import { startPluginBackend } from '../fixtures/pluginBackend.js';
import type { FakePluginBackend } from '../fixtures/pluginBackend.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { reportArea } from './areaSummary.js';

interface RawEntry {
  readonly path: string;
  readonly type: 'File' | 'Directory' | 'SymbolicLink';
  readonly mode: number;
  readonly body?: string;
  readonly linkpath?: string;
}

/** A .tar.gz written header by header with node-tar's `Header`, so modes and counts are exactly what the test says. */
const rawBundle = (entries: Iterable<RawEntry>): Buffer => {
  const blocks: Buffer[] = [];
  for (const e of entries) {
    const body = Buffer.from(e.body ?? '');
    const header = new tar.Header({
      path: e.path,
      type: e.type,
      mode: e.mode,
      size: body.length,
      mtime: new Date(0),
      uid: 0,
      gid: 0,
      linkpath: e.linkpath,
    });
    header.encode();
    blocks.push(header.block!);
    if (body.length > 0) blocks.push(body, Buffer.alloc((512 - (body.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return gzipSync(Buffer.concat(blocks));
};

const MANIFEST: RawEntry[] = [
  { path: '.codex-plugin/', type: 'Directory', mode: 0o755 },
  {
    path: '.codex-plugin/plugin.json',
    type: 'File',
    mode: 0o644,
    body: JSON.stringify({ name: 'tool', version: '1.0.0', description: 'x' }),
  },
];

const figures = {
  trials: 0,
  installed: 0,
  refused: 0,
  specialModes: 0,
  writableByOthers: 0,
  unpackedEntries: 0,
  escapes: 0,
};

describe('reliability · plugin bundles (modes, entry count, links)', function () {
  this.timeout(600_000);
  const tmp = useTempDir('plugin-bundles-');
  let backend: FakePluginBackend;
  let home: string;
  let env: NodeJS.ProcessEnv;

  beforeEach(async () => {
    backend = await startPluginBackend();
    home = await fs.mkdtemp(nodePath.join(tmp(), 'home-'));
    env = { [ALLOW_HTTP_BUNDLE_DOWNLOADS_ENV]: '1' };
    await fs.writeFile(
      nodePath.join(home, 'auth.json'),
      JSON.stringify({
        OPENAI_API_KEY: null,
        tokens: { id_token: 'x', access_token: 'token-1', refresh_token: 'r', account_id: 'acct-1' },
      }),
    );
    await fs.writeFile(nodePath.join(home, 'config.toml'), `chatgpt_base_url = ${JSON.stringify(backend.baseUrl)}\n`);
  });
  afterEach(() => backend.close());
  after(() => reportArea('plugin bundles', figures));

  /** Serve the bundle as the backend's plugin `name` and install it as a remote plugin. */
  const install = async (name: string, bundle: Buffer) => {
    const id = `plugins~Plugin_${name}0001`;
    backend.bundles.set(`/bundles/${name}.tar.gz`, bundle);
    backend.plugins.push({
      id,
      name,
      scope: 'GLOBAL',
      bundlePath: `/bundles/${name}.tar.gz`,
      version: '1.0.0',
      installed: false,
    });
    figures.trials += 1;
    const answer = await homePluginPorts(home, {}, env).installRemote({
      remoteMarketplaceName: REMOTE_MARKETPLACE,
      pluginName: id,
    })();
    if (E.isRight(answer)) figures.installed += 1;
    else figures.refused += 1;
    return answer;
  };

  /** Every entry under the plugin's cache root and the staging folder, with its mode. */
  const unpacked = async (): Promise<Array<{ path: string; mode: number }>> => {
    const out: Array<{ path: string; mode: number }> = [];
    for (const dir of [
      nodePath.join(home, 'plugins', 'cache'),
      nodePath.join(home, 'plugins', '.remote-plugin-install-staging'),
    ]) {
      const entries = await fs
        .readdir(dir, { withFileTypes: true, recursive: true })
        .catch((e: NodeJS.ErrnoException) => {
          if (e.code === 'ENOENT') return []; // not made (yet): nothing unpacked there
          throw e;
        });
      for (const e of entries) {
        const path = nodePath.join(e.parentPath, e.name);
        out.push({ path, mode: (await fs.lstat(path)).mode & 0o7777 });
      }
    }
    return out;
  };

  it('a setuid file, world-writable files and folders: unpacked without setuid/setgid/sticky or group/world write, whatever the umask', async () => {
    const before = process.umask(0);
    let answer;
    try {
      answer = await install(
        'modes',
        rawBundle([
          ...MANIFEST,
          { path: 'bin/', type: 'Directory', mode: 0o1777 },
          { path: 'bin/tool', type: 'File', mode: 0o6777, body: '#!/bin/sh\necho hi\n' },
          { path: 'data.txt', type: 'File', mode: 0o666, body: 'data' },
          { path: 'shared/', type: 'Directory', mode: 0o777 },
          { path: 'shared/notes.md', type: 'File', mode: 0o2664, body: 'notes' },
        ]),
      );
    } finally {
      process.umask(before);
    }
    expect(E.isRight(answer), E.isLeft(answer) ? renderError(answer.left) : '').to.equal(true);
    // The bundle's own entries (the cache's folders above it are the engine's, not the archive's).
    const root = nodePath.join(home, 'plugins', 'cache', 'openai-curated-remote', 'modes', '1.0.0');
    const modes = (await unpacked()).filter((m) => m.path.startsWith(`${root}${nodePath.sep}`));
    expect(modes.map((m) => nodePath.basename(m.path))).to.include.members([
      'tool',
      'data.txt',
      'notes.md',
      'shared',
      'bin',
    ]);
    for (const { path, mode } of modes) {
      if ((mode & 0o7000) !== 0) figures.specialModes += 1;
      if ((mode & 0o022) !== 0) figures.writableByOthers += 1;
      expect(mode & 0o7022, `${path} mode ${mode.toString(8)}`).to.equal(0);
    }
    // The owner keeps what it needs: the tool stays runnable.
    const tool = modes.find((m) => m.path.endsWith('bin/tool'))!;
    expect(tool.mode & 0o100).to.equal(0o100);
  });

  it('an archive of 200,000 empty files (about 1 MB) is refused before anything is written, naming the bound', async () => {
    const many = function* (): Generator<RawEntry> {
      yield* MANIFEST;
      yield { path: 'f/', type: 'Directory', mode: 0o755 };
      for (let i = 0; i < 200_000; i++) yield { path: `f/${i}`, type: 'File', mode: 0o644 };
    };
    const bundle = rawBundle(many());
    expect(bundle.length).to.be.below(REMOTE_BUNDLE_LIMITS.maxDownloadBytes);
    const answer = await install('many', bundle);
    const left = (await unpacked()).length;
    figures.unpackedEntries += left;
    expect(E.isLeft(answer), 'the install of 200,000 files was acknowledged').to.equal(true);
    if (E.isLeft(answer))
      expect(renderError(answer.left)).to.include(`maximum of ${REMOTE_BUNDLE_LIMITS.maxEntries} entries`);
    expect(left, 'entries left in the cache or staging').to.equal(0);
  });

  it('a link out of the bundle is refused and nothing is unpacked', async () => {
    const outside = nodePath.join(tmp(), 'outside.txt');
    await fs.writeFile(outside, 'outside');
    const answer = await install(
      'linked',
      rawBundle([
        ...MANIFEST,
        { path: 'escape', type: 'SymbolicLink', mode: 0o777, linkpath: outside },
        { path: 'escape', type: 'File', mode: 0o644, body: 'x' },
      ]),
    );
    expect(E.isLeft(answer)).to.equal(true);
    const changed = (await fs.readFile(outside, 'utf8')) !== 'outside';
    if (changed) figures.escapes += 1;
    expect(changed).to.equal(false);
    expect(await unpacked()).to.deep.equal([]);
  });
});
