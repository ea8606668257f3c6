import { pluginReadMethod } from '../../../protocol/plugins.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { invalidArgument } from '../../../domain/errors.js';
import { readPlugin } from '../../../replay/readPlugin.js';
import { bindMethod } from '../method.js';
import { homePlugins } from '../../plugins/homePlugins.js';

/** `plugin/read`: one plugin of a local marketplace file, in detail. */
export const pluginRead = bindMethod(pluginReadMethod, (ctx, p) =>
  p.marketplacePath === undefined || p.marketplacePath === null
    ? TE.left(invalidArgument('marketplacePath', 'a local marketplace file is required (remote catalogs are not read here)'))
    : readPlugin(homePlugins(ctx.codexHome).catalog, p.marketplacePath, p.pluginName),
);
