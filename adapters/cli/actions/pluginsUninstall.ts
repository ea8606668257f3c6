import type { Command } from 'commander';
import { uninstallPlugin } from '../../../replay/uninstallPlugin.js';
import { PluginUninstallParams } from '../../rpc/methods/pluginUninstall.js';
import { homePlugins } from '../../plugins/homePlugins.js';
import { decodeRequest, withRequest } from '../decodeOptions.js';
import { homeOf } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { printAnswer } from '../printAnswer.js';

/** What `rollout-engine plugins uninstall` does (loaded by its action only). */
export const action = (pluginId: string, _own: unknown, cmd: Command) => {
  // `plugins` declares the home options too and takes them wherever they are written.
  const opts = cmd.optsWithGlobals<HomeOptions>();
  return withRequest(opts, decodeRequest(PluginUninstallParams, { pluginId }, { pluginId: '<pluginId>' }), async (p) => {
    const r = await uninstallPlugin(homePlugins(homeOf(opts).codexHome), p.pluginId)();
    await printAnswer(r, opts.json, () => `uninstalled ${pluginId}`);
  });
};
