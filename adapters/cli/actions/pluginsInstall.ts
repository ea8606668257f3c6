import type { Command } from 'commander';
import * as E from 'fp-ts/lib/Either.js';
import { invalidArgument } from '../../../domain/errors.js';
import { installPlugin } from '../../../replay/installPlugin.js';
import { PluginInstallParams } from '../../../protocol/plugins.js';
import { homePlugins } from '../../plugins/homePlugins.js';
import { installHomeRemotePlugin } from '../../plugins/homeRemotePlugins.js';
import { decodeRequest, withRequest } from '../decodeOptions.js';
import { homeOf } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { printAnswer } from '../printAnswer.js';

type InstallOptions = HomeOptions & { readonly remoteMarketplace?: string; readonly chatgptBaseUrl?: string };

/**
 * What `rollout-engine plugins install` does (loaded by its action only): `<marketplacePath>
 * <pluginName>` from a local marketplace, or `--remote-marketplace <name> <remotePluginId>` from
 * the ChatGPT plugin backend.
 */
export const action = (target: string, pluginName: string | undefined, _own: unknown, cmd: Command) => {
  // `plugins` declares the home options too and takes them wherever they are written.
  const opts = cmd.optsWithGlobals<InstallOptions>();
  const { codexHome } = homeOf(opts);
  if (opts.remoteMarketplace !== undefined) {
    const request =
      pluginName !== undefined
        ? E.left(invalidArgument('<pluginName>', 'a remote install takes one argument, the remote plugin id'))
        : decodeRequest(
            PluginInstallParams,
            { remoteMarketplaceName: opts.remoteMarketplace, pluginName: target },
            { remoteMarketplaceName: '--remote-marketplace', pluginName: '<remotePluginId>' },
          );
    return withRequest(opts, request, async (p) => {
      const r = await installHomeRemotePlugin(codexHome, opts.chatgptBaseUrl === undefined ? {} : { chatgptBaseUrl: opts.chatgptBaseUrl }, p.pluginName)();
      await printAnswer(r, opts.json, () => `installed ${p.pluginName} from the plugin backend`);
    });
  }
  const request =
    pluginName === undefined
      ? E.left(invalidArgument('<pluginName>', 'required with a local marketplace file (or give --remote-marketplace)'))
      : decodeRequest(PluginInstallParams, { marketplacePath: target, pluginName }, { marketplacePath: '<marketplacePath>', pluginName: '<pluginName>' });
  return withRequest(opts, request, async (p) => {
    const r = await installPlugin(homePlugins(codexHome), p.marketplacePath ?? target, p.pluginName)();
    await printAnswer(r, opts.json, () => `installed ${p.pluginName} from ${p.marketplacePath ?? target}`);
  });
};
