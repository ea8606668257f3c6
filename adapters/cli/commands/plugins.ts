import type { Command } from 'commander';
import { listPluginIdentities } from '../../../replay/listPluginIdentities.js';
import type { PluginIdentity } from '../../../domain/plugins/identity.js';
import { diskPluginCache } from '../../plugins/pluginCache.js';
import { withCaughtUpHome } from '../../codexHome/openCodexHome.js';
import { homeOf, wantsProgress, withHomeOptions } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { printAnswer } from '../printAnswer.js';
import { progressBar } from '../progress.js';

const pluginLine = (r: PluginIdentity): string => {
  const state = r.installed ? `installed ${r.activeVersion}` : 'not installed';
  const remote = r.remotePluginId ?? (r.sidecarError ? `sidecar error: ${r.sidecarError}` : '-');
  return `${r.pluginId}  ${state}  remote ${remote}  uses ${r.uses} in ${r.threads} threads${r.lastUsedAt ? `, last ${r.lastUsedAt}` : ''}`;
};

export const registerPlugins = (program: Command): void => {
  withHomeOptions(
    program.command('plugins').description('plugin identity: local id ↔ remote id (sidecars), versions, first/last use and enable state (rollouts)'),
  ).action(async (opts: HomeOptions) => {
    const { codexHome, indexDir } = homeOf(opts);
    const bar = progressBar(wantsProgress(opts));
    const rows = await withCaughtUpHome(codexHome, indexDir, { catchUp: { onProgress: bar.update } }, (home) =>
      listPluginIdentities(diskPluginCache(codexHome), home.store),
    );
    bar.stop();
    printAnswer(rows, opts.json, (all) => all.map(pluginLine).join('\n'));
  });
};
