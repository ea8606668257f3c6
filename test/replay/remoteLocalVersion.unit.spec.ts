import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { withLocalVersion } from '../../replay/internal/remoteLocalVersion.js';
import { pluginListMethod, pluginReadMethod, remoteLocalVersionAt } from '../../protocol/plugins.js';
import { pluginKey } from '../../domain/plugins/pluginId.js';

describe("unit · a remote plugin's localVersion by the asking Codex version", () => {
  const summary = {
    id: 'listed@workspace-directory',
    remotePluginId: 'plugins~Plugin_listed0006',
    localVersion: '0.1.0',
    installed: true,
  };
  const cache = new Map([['linear@openai-curated-remote', '1.2.3']]);
  const cachedVersion = (id: Parameters<typeof pluginKey>[0]) => TE.right(cache.get(pluginKey(id)) ?? null);

  it('0.169.0 answers the account’s installed release; 0.171.0 its bundle’s version in the home’s cache (plugin/read and plugin/list alike)', () => {
    for (const entry of [pluginReadMethod, pluginListMethod]) {
      expect(remoteLocalVersionAt(entry, '0.169.0')).to.equal('accountRelease');
      expect(remoteLocalVersionAt(entry, '0.171.0')).to.equal('pluginCache');
    }
  });

  it('from the cache: null without a bundle there, its active version with one; from the account: as summarised', async () => {
    expect(await withLocalVersion(summary, 'accountRelease', cachedVersion)).to.deep.equal(E.right(summary));
    expect(await withLocalVersion(summary, 'pluginCache', cachedVersion)).to.deep.equal(
      E.right({ ...summary, localVersion: null }),
    );
    const linear = { ...summary, id: 'linear@openai-curated-remote', localVersion: null };
    expect(await withLocalVersion(linear, 'pluginCache', cachedVersion)).to.deep.equal(
      E.right({ ...linear, localVersion: '1.2.3' }),
    );
  });
});
