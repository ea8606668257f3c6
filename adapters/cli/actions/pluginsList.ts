import { listPlugins } from '../../../replay/listPlugins.js';
import { PluginListParams } from '../../../protocol/plugins.js';
import { homePlugins } from '../../plugins/homePlugins.js';
import { decodeRequest, withRequest } from '../decodeOptions.js';
import { homeOf } from '../homeOptions.js';
import type { Command } from 'commander';
import type { HomeOptions } from '../homeOptions.js';
import { printAnswer } from '../printAnswer.js';

type Summary = { id: string; installed: boolean; enabled: boolean; localVersion: string | null };
type Listing = { marketplaces: Array<{ name: string; path: string; plugins: Summary[] }>; marketplaceLoadErrors: Array<{ marketplacePath: string; message: string }> };

const human = (l: Listing): string =>
  [
    ...l.marketplaces.flatMap((m) => [
      `${m.name}  ${m.path}`,
      ...m.plugins.map((p) => `  ${p.id}  ${p.installed ? 'installed' : 'not installed'}${p.enabled ? ', enabled' : ''}${p.localVersion ? `  ${p.localVersion}` : ''}`),
    ]),
    ...l.marketplaceLoadErrors.map((e) => `error: ${e.marketplacePath}: ${e.message}`),
  ].join('\n');

/** What `rollout-engine plugins list` does (loaded by its action only). */
export const action = (_own: unknown, cmd: Command) => {
  // `plugins` declares the home options too and takes them wherever they are written.
  const opts = cmd.optsWithGlobals<HomeOptions & { readonly cwd?: string[] }>();
  return withRequest(opts, decodeRequest(PluginListParams, { cwds: opts.cwd }, { cwds: '--cwd' }), async (p) => {
    const r = await listPlugins(homePlugins(homeOf(opts).codexHome).catalog, p.cwds ?? [])();
    await printAnswer(r, opts.json, (a) => human(a as Listing));
  });
};
