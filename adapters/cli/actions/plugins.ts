import { listPluginIdentities } from '../../../replay/listPluginIdentities.js';
import type { PluginIdentity } from '../../../domain/plugins/identity.js';
import { diskPluginCache } from '../../plugins/pluginCache.js';
import { withCaughtUpHome } from '../../composition/openCodexHome.js';
import { homeOf } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { printAnswer } from '../printAnswer.js';
import { cliFeedback, stepText } from '../progress.js';

const pluginLine = (r: PluginIdentity): string => {
  const state = r.installed ? `installed ${r.activeVersion}` : 'not installed';
  const remote = r.remotePluginId ?? (r.sidecarError ? `sidecar error: ${r.sidecarError}` : '-');
  return `${r.pluginId}  ${state}  remote ${remote}  uses ${r.uses} in ${r.threads} threads${r.lastUsedAt ? `, last ${r.lastUsedAt}` : ''}`;
};

/** What `rollout-engine plugins` does (loaded by its action only). */
export const action = async (opts: HomeOptions) => {
  const { codexHome, indexDir } = homeOf(opts);
  const listing = stepText(`reading the plugins of ${codexHome}`, 'read', 'nothing was changed');
  const rows = await withCaughtUpHome(
    codexHome,
    indexDir,
    { onStatus: cliFeedback.onStatus },
    (home) => () => cliFeedback.during(listing, listPluginIdentities(diskPluginCache(codexHome), home.store)),
  );
  cliFeedback.settle();
  await printAnswer(rows, opts.json, (all) => all.map(pluginLine).join('\n'));
};
