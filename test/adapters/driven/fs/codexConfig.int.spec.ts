import { expect } from 'chai';
import * as fs from 'node:fs/promises';
import * as nodePath from 'node:path';
import { readCodexConfig, readConfiguredModelProvider } from '../../../../adapters/driven/fs/codexConfig.js';
import { chatgptBaseUrlOf, readChatgptAuth } from '../../../../adapters/driven/plugins/remotePluginBackend.js';
import { DEFAULT_CHATGPT_BASE_URL } from '../../../../domain/plugins/remoteCatalog.js';
import { useTempDir } from '../../../fixtures/tempDir.js';

/** The one reader of a home's config.toml: smol-toml, no link followed, a malformed file a decode error. */
describe('codexConfig: a home’s config.toml', () => {
  const tmp = useTempDir('codex-config-');
  let homes = 0;
  const homeWith = async (config?: string): Promise<string> => {
    const home = nodePath.join(tmp(), `home-${++homes}`);
    await fs.mkdir(home, { recursive: true });
    if (config !== undefined) await fs.writeFile(nodePath.join(home, 'config.toml'), config);
    return home;
  };

  it('absent: no keys, Codex’s default provider and base URL', async () => {
    const home = await homeWith();
    expect(await readCodexConfig(home)).to.deep.equal({ _tag: 'Right', right: {} });
    expect(await readConfiguredModelProvider(home)).to.deep.equal({ _tag: 'Right', right: 'openai' });
    expect(await chatgptBaseUrlOf(home)).to.deep.equal({ _tag: 'Right', right: DEFAULT_CHATGPT_BASE_URL });
  });

  it('the top-level model_provider and chatgpt_base_url, not a table’s key of the same name', async () => {
    const home = await homeWith(
      'model = "gpt-5"\nmodel_provider = "ollama" # local\nchatgpt_base_url = "http://127.0.0.1:9/api"\n\n[profiles.other]\nmodel_provider = "azure"\n',
    );
    expect(await readConfiguredModelProvider(home)).to.deep.equal({ _tag: 'Right', right: 'ollama' });
    expect(await chatgptBaseUrlOf(home)).to.deep.equal({ _tag: 'Right', right: 'http://127.0.0.1:9/api' });
    const only = await homeWith('[model_providers.mock]\nname = "mock"\n');
    expect(await readConfiguredModelProvider(only)).to.deep.equal({ _tag: 'Right', right: 'openai' });
  });

  it('a legacy `profile = "x"` selector: Codex 0.169 refuses the config and runs on its default provider', async () => {
    const home = await homeWith(
      'profile = "alt"\nmodel_provider = "mock"\n\n[profiles.alt]\nmodel_provider = "ollama"\n',
    );
    expect(await readConfiguredModelProvider(home)).to.deep.equal({ _tag: 'Right', right: 'openai' });
  });

  it('not TOML: a decode error naming the file, for the provider and the base URL alike', async () => {
    const home = await homeWith('model_provider = "ollama\n');
    for (const r of [await readConfiguredModelProvider(home), await chatgptBaseUrlOf(home)]) {
      expect(r._tag).to.equal('Left');
      if (r._tag === 'Left') {
        expect(r.left).to.deep.include({ _tag: 'Decode', path: nodePath.join(home, 'config.toml') });
        expect((r.left as { reason: string }).reason).to.match(/^config\.toml is not TOML: /);
      }
    }
  });

  it('a config changed between two reads is read again: rewritten in place with its mtime put back, replaced, made a link, not TOML, removed', async () => {
    const home = await homeWith('model_provider = "aaaa"\n');
    const path = nodePath.join(home, 'config.toml');
    const provider = async (): Promise<unknown> => readConfiguredModelProvider(home);
    await fs.utimes(path, 1_795_000_000, 1_795_000_000);
    expect(await provider()).to.deep.equal({ _tag: 'Right', right: 'aaaa' });
    expect(await provider(), 'read again unchanged').to.deep.equal({ _tag: 'Right', right: 'aaaa' });
    // The same size and inode, the same mtime (an edit within the clock's tick): only its ctime moved.
    await fs.writeFile(path, 'model_provider = "bbbb"\n');
    await fs.utimes(path, 1_795_000_000, 1_795_000_000);
    expect(await provider()).to.deep.equal({ _tag: 'Right', right: 'bbbb' });
    await fs.writeFile(`${path}.new`, 'model_provider = "cccc"\n');
    await fs.rename(`${path}.new`, path);
    expect(await provider()).to.deep.equal({ _tag: 'Right', right: 'cccc' });
    const outside = nodePath.join(tmp(), `outside-changed-${homes}`);
    await fs.mkdir(outside);
    await fs.writeFile(nodePath.join(outside, 'config.toml'), 'model_provider = "elsewhere"\n');
    await fs.rm(path);
    await fs.symlink(nodePath.join(outside, 'config.toml'), path);
    expect(await provider(), 'a link: not read').to.deep.equal({ _tag: 'Right', right: 'openai' });
    await fs.rm(path);
    await fs.writeFile(path, 'model_provider = "dddd\n');
    expect(((await provider()) as { _tag: string })._tag, 'not TOML').to.equal('Left');
    await fs.rm(path);
    expect(await provider(), 'removed').to.deep.equal({ _tag: 'Right', right: 'openai' });
  });

  it('a link in the home’s place of config.toml or auth.json is refused, the file it names never read', async () => {
    const home = await homeWith();
    const outside = nodePath.join(tmp(), `outside-${homes}`);
    await fs.mkdir(outside);
    await fs.writeFile(nodePath.join(outside, 'config.toml'), 'model_provider = "elsewhere"\n');
    await fs.writeFile(
      nodePath.join(outside, 'auth.json'),
      JSON.stringify({ tokens: { access_token: 'secret', account_id: 'a' } }),
    );
    await fs.symlink(nodePath.join(outside, 'config.toml'), nodePath.join(home, 'config.toml'));
    await fs.symlink(nodePath.join(outside, 'auth.json'), nodePath.join(home, 'auth.json'));
    const config = await readCodexConfig(home);
    expect(config._tag).to.equal('Left');
    if (config._tag === 'Left')
      expect(config.left).to.deep.include({ _tag: 'Io', path: nodePath.join(home, 'config.toml') });
    // Refused, not fatal: the provider is Codex's default, as without a config, never the outside file's.
    expect(await readConfiguredModelProvider(home)).to.deep.equal({ _tag: 'Right', right: 'openai' });
    const auth = await readChatgptAuth(home);
    expect(auth._tag).to.equal('Left');
    if (auth._tag === 'Left') expect(auth.left).to.deep.include({ _tag: 'Io', path: nodePath.join(home, 'auth.json') });
  });
});
