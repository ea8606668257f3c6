import type { Command } from 'commander';
import { PluginUninstallParams } from '../../../protocol/plugins.js';
import { uninstallHomePlugin } from '../../plugins/homeRemotePlugins.js';
import { decodeRequest, withRequest } from '../decodeOptions.js';
import { homeOf } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { printAnswer } from '../printAnswer.js';

/** What `rollout-engine plugins uninstall` does (loaded by its action only). */
export const action = (pluginId: string, _own: unknown, cmd: Command) => {
  // `plugins` declares the home options too and takes them wherever they are written.
  const opts = cmd.optsWithGlobals<HomeOptions & { readonly chatgptBaseUrl?: string }>();
  return withRequest(opts, decodeRequest(PluginUninstallParams, { pluginId }, { pluginId: '<pluginId>' }), async (p) => {
    const r = await uninstallHomePlugin(homeOf(opts).codexHome, opts.chatgptBaseUrl === undefined ? {} : { chatgptBaseUrl: opts.chatgptBaseUrl }, p.pluginId)();
    await printAnswer(r, opts.json, () => `uninstalled ${pluginId}`);
  });
};
