import type { Command } from 'commander';
import { installPlugin } from '../../../replay/installPlugin.js';
import { PluginInstallParams } from '../../rpc/methods/pluginInstall.js';
import { homePlugins } from '../../plugins/homePlugins.js';
import { decodeRequest, withRequest } from '../decodeOptions.js';
import { homeOf } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { printAnswer } from '../printAnswer.js';

/** What `rollout-engine plugins install` does (loaded by its action only). */
export const action = (marketplacePath: string, pluginName: string, _own: unknown, cmd: Command) => {
  // `plugins` declares the home options too and takes them wherever they are written.
  const opts = cmd.optsWithGlobals<HomeOptions>();
  return withRequest(
    opts,
    decodeRequest(PluginInstallParams, { marketplacePath, pluginName }, { marketplacePath: '<marketplacePath>', pluginName: '<pluginName>' }),
    async (p) => {
      const r = await installPlugin(homePlugins(homeOf(opts).codexHome), p.marketplacePath ?? marketplacePath, p.pluginName)();
      await printAnswer(r, opts.json, () => `installed ${pluginName} from ${marketplacePath}`);
    },
  );
};
