import * as t from 'io-ts';
import { listInstalledPlugins } from '../../../replay/listInstalledPlugins.js';
import { defineMethod } from '../method.js';
import { optional } from '../protocol.js';
import { pluginsOf } from '../homeBundles.js';

/** `plugin/installed` params (Codex's `PluginInstalledParams`). */
export const PluginInstalledParams = t.partial({ cwds: optional(t.array(t.string)), installSuggestionPluginNames: optional(t.array(t.string)) });

/** `plugin/installed`: the installed plugins of the local marketplaces the home sees. */
export const pluginInstalled = defineMethod({
  name: 'plugin/installed',
  params: PluginInstalledParams,
  scope: () => null,
  handle: (ctx, p) => async () => listInstalledPlugins((await pluginsOf(ctx)).local.catalog, p.cwds ?? [], p.installSuggestionPluginNames ?? [])(),
});
