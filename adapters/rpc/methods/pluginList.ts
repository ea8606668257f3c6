import * as t from 'io-ts';
import { listPlugins } from '../../../replay/listPlugins.js';
import { defineMethod } from '../method.js';
import { optional } from '../protocol.js';
import { pluginsOf } from '../homeBundles.js';

/** `plugin/list` params (Codex's `PluginListParams`); remote catalogs (`marketplaceKinds`, `forceRefetch`) are not ours to fetch. */
export const PluginListParams = t.partial({
  cwds: optional(t.array(t.string)),
  marketplaceKinds: optional(t.array(t.string)),
  forceRefetch: optional(t.boolean),
});

/** `plugin/list`: the local marketplaces the home sees and their plugins. */
export const pluginList = defineMethod({
  name: 'plugin/list',
  params: PluginListParams,
  scope: () => null,
  handle: (ctx, p) => async () => listPlugins((await pluginsOf(ctx)).local.catalog, p.cwds ?? [])(),
});
