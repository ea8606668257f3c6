import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import { rejected } from '../../domain/errors.js';
import type { PluginCatalog } from '../../domain/plugins/ports.js';
import { pluginDetail } from '../../domain/plugins/marketplace.js';
import { stop, take, useCase } from '../internal/useCase.js';
import type { ResultOf } from '../../protocol/methods.js';

/** `plugin/read`: one plugin of a local marketplace file in detail (Codex's `PluginReadResponse`). */
export const readPlugin = (catalog: PluginCatalog, marketplacePath: string, pluginName: string): TE.TaskEither<EngineError, ResultOf<'plugin/read'>> =>
  useCase(async () => {
    if (!(await take(catalog.featureEnabled()))) return stop(rejected('plugins feature is disabled'));
    const { marketplace, states } = await take(catalog.marketplace(marketplacePath));
    const i = marketplace.plugins.findIndex((p) => p.name === pluginName);
    if (i < 0) return stop(rejected(`plugin \`${pluginName}\` was not found in marketplace \`${marketplace.name}\``));
    const entry = marketplace.plugins[i]!;
    const bundle = await take(catalog.bundle(entry.sourcePath));
    return { plugin: pluginDetail(marketplace, entry, states[i]!, bundle) };
  });
