import * as TE from 'fp-ts/lib/TaskEither.js';
import { invalidArgument } from '../../../domain/errors.js';
import { installPlugin } from '../../../replay/installPlugin.js';
import { homePlugins } from '../../plugins/homePlugins.js';
import { installHomeRemotePlugin } from '../../plugins/homeRemotePlugins.js';
import { bindMethod } from '../method.js';
import { pluginInstallMethod } from '../../../protocol/plugins.js';

/** `plugin/install` from a local marketplace file, or of a remote plugin (`remoteMarketplaceName`, `pluginName` the backend's id). */
export const pluginInstall = bindMethod(pluginInstallMethod, (ctx, p) =>
  p.marketplacePath !== undefined && p.marketplacePath !== null
    ? installPlugin(homePlugins(ctx.codexHome), p.marketplacePath, p.pluginName)
    : p.remoteMarketplaceName !== undefined && p.remoteMarketplaceName !== null
      ? installHomeRemotePlugin(ctx.codexHome, ctx.chatgptBaseUrl === undefined ? {} : { chatgptBaseUrl: ctx.chatgptBaseUrl }, p.pluginName)
      : TE.left(invalidArgument('marketplacePath', 'either marketplacePath or remoteMarketplaceName is required')),
);
