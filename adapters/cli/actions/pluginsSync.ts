import type { Command } from 'commander';
import type { RemoteSyncOutcome } from '../../../domain/plugins/remoteCatalog.js';
import { homePluginPorts } from '../../plugins/homeRemotePlugins.js';
import { homeOf } from '../homeOptions.js';
import type { HomeOptions } from '../homeOptions.js';
import { printAnswer } from '../printAnswer.js';

const human = (o: RemoteSyncOutcome): string =>
  [
    ['installed', o.installedPluginIds],
    ['sidecar restored', o.backfilledPluginIds],
    ['removed', o.removedCachePluginIds],
    ['failed', o.failedRemotePluginIds],
  ]
    .map(([what, ids]) => `${what as string}: ${(ids as string[]).length === 0 ? '-' : (ids as string[]).join(', ')}`)
    .join('\n');

/** What `rollout-engine plugins sync` does (loaded by its action only): the remote sync `serve` runs at start, once. */
export const action = async (_own: unknown, cmd: Command) => {
  // `plugins` declares the home options too and takes them wherever they are written.
  const opts = cmd.optsWithGlobals<HomeOptions & { readonly chatgptBaseUrl?: string }>();
  const r = await homePluginPorts(homeOf(opts).codexHome, opts.chatgptBaseUrl === undefined ? {} : { chatgptBaseUrl: opts.chatgptBaseUrl }).syncRemote();
  await printAnswer(r, opts.json, human);
};
