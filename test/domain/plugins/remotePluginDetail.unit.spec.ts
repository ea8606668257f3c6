import { expect } from 'chai';
import * as E from 'fp-ts/lib/Either.js';
import { appSlug, remotePluginDetailOf } from '../../../domain/plugins/remotePluginDetail.js';

// Codex 0.169.0's plugin/read of a remote plugin, from its catalog entry (the shapes the remote
// plugins compat suite compares with the binary; here the rules one at a time).
describe('remote plugin detail (pure)', () => {
  const entry = {
    id: 'plugins~Plugin_1',
    name: 'linear',
    scope: 'GLOBAL' as const,
    release: { version: '1.2.3', display_name: 'Linear', description: ' Issues ' },
  };

  it("app install URLs: the id's ASCII letters and digits lowercased, every other character a dash, dashes trimmed; `app` for nothing", () => {
    expect(appSlug('connector_abc')).to.equal('connector-abc');
    expect(appSlug('asdk_app_ABC.Mixed Case--x')).to.equal('asdk-app-abc-mixed-case--x');
    expect(appSlug('-é-')).to.equal('app');
    expect(appSlug('')).to.equal('app');
  });

  it('installed state, enabled state and local version come from the account entry; the marketplace from the scope', () => {
    const none = remotePluginDetailOf(entry, undefined);
    const installed = remotePluginDetailOf(entry, {
      ...entry,
      release: { version: '1.0.0' },
      enabled: false,
      disabled_skill_names: [],
    });
    const summary = (d: typeof none) =>
      E.isRight(d) ? (d.right as { plugin: { summary: Record<string, unknown> } }).plugin.summary : null;
    expect(summary(none)).to.include({
      id: 'linear@openai-curated-remote',
      installed: false,
      enabled: false,
      localVersion: null,
      version: '1.2.3',
    });
    expect(summary(installed)).to.include({ installed: true, enabled: false, localVersion: '1.0.0' });
    expect(E.isRight(none) && (none.right as { plugin: { description: string } }).plugin.description).to.equal(
      'Issues',
    );
  });

  it('a workspace plugin is named by how it is shared, and refused without its discoverability', () => {
    const ws = { ...entry, scope: 'WORKSPACE' as const };
    const name = (d: ReturnType<typeof remotePluginDetailOf>) =>
      E.isRight(d) ? (d.right as { plugin: { marketplaceName: string } }).plugin.marketplaceName : null;
    expect(name(remotePluginDetailOf({ ...ws, discoverability: 'LISTED' }, undefined))).to.equal('workspace-directory');
    expect(name(remotePluginDetailOf({ ...ws, discoverability: 'PRIVATE' }, undefined))).to.equal(
      'workspace-shared-with-me',
    );
    const refused = remotePluginDetailOf(ws, undefined);
    expect(E.isLeft(refused) && refused.left._tag).to.equal('Decode');
  });
});
