import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { RemoteInstalledPage, remotePluginUrls, validateRemoteBundle } from '../../../domain/plugins/remoteCatalog.js';

// Codex's checks of a release before download (`codex-rs/core-plugins/src/remote_bundle.rs`
// `validate_remote_plugin_bundle`, `is_allowed_bundle_download_url`) and its catalog URLs (`remote.rs`).
describe('remote plugin catalog (pure)', () => {
  const item = (release: { version?: string | null; bundle_download_url?: string | null }, name = 'linear') => ({
    id: 'plugins~Plugin_1',
    name,
    release,
  });
  const reason = (e: E.Either<unknown, unknown>) => (E.isLeft(e) ? (e.left as { reason: string }).reason : null);

  it('a valid release: local id under the remote marketplace, trimmed version and URL', () => {
    const r = validateRemoteBundle(
      item({ version: ' 1.2.3 ', bundle_download_url: ' https://cdn.example/linear.tar.gz ' }),
      'openai-curated-remote',
      false,
    );
    expect(r).to.deep.equal(
      E.right({
        pluginId: { pluginName: 'linear', marketplaceName: 'openai-curated-remote' },
        version: '1.2.3',
        remotePluginId: 'plugins~Plugin_1',
        downloadUrl: 'https://cdn.example/linear.tar.gz',
      }),
    );
  });

  it('refuses in Codex words: no version, a version that is not a folder name, no URL, a scheme other than https', () => {
    expect(
      reason(validateRemoteBundle(item({ bundle_download_url: 'https://x/b' }), 'openai-curated-remote', false)),
    ).to.equal('backend did not return a release version for remote plugin `plugins~Plugin_1`');
    expect(
      reason(
        validateRemoteBundle(
          item({ version: '../1', bundle_download_url: 'https://x/b' }),
          'openai-curated-remote',
          false,
        ),
      ),
    ).to.match(/^backend returned an invalid release version/);
    expect(reason(validateRemoteBundle(item({ version: '1' }), 'openai-curated-remote', false))).to.equal(
      'backend did not return a download URL for remote plugin `plugins~Plugin_1`',
    );
    expect(
      reason(
        validateRemoteBundle(
          item({ version: '1', bundle_download_url: 'http://example.com/b' }),
          'openai-curated-remote',
          true,
        ),
      ),
    ).to.equal('backend returned an unsupported download URL scheme for remote plugin `plugins~Plugin_1`: http');
    expect(
      reason(
        validateRemoteBundle(
          item({ version: '1', bundle_download_url: 'file:///etc/passwd' }),
          'openai-curated-remote',
          true,
        ),
      ),
    ).to.match(/: file$/);
    expect(
      reason(
        validateRemoteBundle(
          item({ version: '1', bundle_download_url: 'https://x/b' }, 'bad name'),
          'openai-curated-remote',
          false,
        ),
      ),
    ).to.match(/invalid local plugin id/);
  });

  it('plain http only from a loopback host, and only when allowed', () => {
    const loop = item({ version: '1', bundle_download_url: 'http://127.0.0.1:8080/b.tar.gz' });
    expect(E.isRight(validateRemoteBundle(loop, 'openai-curated-remote', true))).to.equal(true);
    expect(E.isRight(validateRemoteBundle(loop, 'openai-curated-remote', false))).to.equal(false);
    expect(
      E.isRight(
        validateRemoteBundle(
          item({ version: '1', bundle_download_url: 'http://localhost/b' }),
          'openai-curated-remote',
          true,
        ),
      ),
    ).to.equal(true);
  });

  it("codex 0.169.0's URLs under chatgpt_base_url, trailing slashes trimmed", () => {
    expect(remotePluginUrls.installed('https://chatgpt.com/backend-api/', true, null)).to.equal(
      'https://chatgpt.com/backend-api/ps/plugins/installed?limit=200&includeDownloadUrls=true',
    );
    expect(remotePluginUrls.installed('https://h/api', false, 'tok')).to.equal(
      'https://h/api/ps/plugins/installed?limit=200&pageToken=tok',
    );
    // plugin/read asks one scope, scope first (as seen on a local backend).
    expect(remotePluginUrls.installed('https://h/api/', false, null, 'WORKSPACE')).to.equal(
      'https://h/api/ps/plugins/installed?scope=WORKSPACE&limit=200',
    );
    expect(remotePluginUrls.detail('https://h/api//', 'p~1', true)).to.equal(
      'https://h/api/ps/plugins/p~1?includeDownloadUrls=true',
    );
    expect(remotePluginUrls.install('https://h/api/', 'p~1')).to.equal(
      'https://h/api/ps/plugins/p~1/install?includeAppsNeedingAuth=true',
    );
    expect(remotePluginUrls.uninstall('https://h/api/', 'p~1')).to.equal('https://h/api/ps/plugins/p~1/uninstall');
  });

  it('decodes an installed page as serde does: extra fields ignored, missing release fields allowed, a wrong scope refused', () => {
    const page = {
      plugins: [{ id: 'a', name: 'n', scope: 'GLOBAL', enabled: true, release: { display_name: 'N' }, extra: 1 }],
      pagination: {},
    };
    expect(E.isRight(RemoteInstalledPage.decode(page))).to.equal(true);
    expect(
      E.isRight(RemoteInstalledPage.decode({ ...page, plugins: [{ ...page.plugins[0], scope: 'PERSONAL' }] })),
    ).to.equal(false);
  });
});
