// `rollout-engine serve` and `view`: the home checked (and, with --eventstore, made), the options
// read, then the home served on the transport `--listen` names (serveTransports.ts).
import { mkdirSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { EngineError } from '../../../domain/errors.js';
import { refusedValue } from '../../../domain/errors.js';
import { stop, take, useCase } from '../../../domain/effect.js';
import { U32 } from '../../../protocol/jsonRpc.js';
import { serverVersionOf } from '../../../protocol/codexVersions.js';
import { reportError } from './exitCodes.js';
import { homeOf } from './homeOptions.js';
import { resolveCodexHome } from '../composition/layout.js';
import type { HomeOptions, NamedHome } from './homeOptions.js';
import { pricingOption } from './pricingFile.js';
import { ownMadeFoldersSync } from '../../driven/fs/ownership.js';
import { terminalLines } from './terminalText.js';
import { openBrowser } from './browserOpener.js';
import type { ServeOptions } from './serveOptions.js';
import { codexStarts } from './serveUpstream.js';
import { serveStdio, serveWebSocket } from './serveTransports.js';

/**
 * The home `serve` serves, checked before it listens: a folder that is not a Codex home is refused
 * (`homeOf`). With --eventstore, --codex-home is this node's copy of the log: made if it is not there yet.
 */
const servedHome = (opts: HomeOptions, serveOpts: ServeOptions): E.Either<EngineError, NamedHome> => {
  if (serveOpts.eventstore === undefined) return homeOf(opts);
  const nodeHome = resolveCodexHome(opts.codexHome);
  // Made as any folder the engine makes: its parent's owner's (ownership.ts).
  ownMadeFoldersSync(mkdirSync(nodeHome, { recursive: true, mode: 0o700 }), nodeHome);
  return homeOf(opts, 'replica');
};

/** What `rollout-engine serve` does with its decoded settings: serve the home on the transport `--listen` names until stdin ends or a signal. */
export const serve = async (opts: HomeOptions, serveOpts: ServeOptions): Promise<void> => {
  const { parseListenUrl } = await import('../rpc/listenUrl.js');
  const started = await useCase(async () => {
    const target = await take(parseListenUrl(serveOpts.listen));
    const named = await take(servedHome(opts, serveOpts));
    await take(codexStarts(named, serveOpts));
    const version = serverVersionOf(serveOpts.codexVersion, process.env['ROLLOUT_ENGINE_CODEX_VERSION']);
    if ('refused' in version) return stop(refusedValue('ROLLOUT_ENGINE_CODEX_VERSION', version.refused));
    const pricing = await take(pricingOption(serveOpts.pricing));
    return { target, named, pricing };
  })();
  if (E.isLeft(started)) return reportError(started.left, opts.json);
  const { target, named, pricing } = started.right;
  return target.kind === 'stdio'
    ? serveStdio(named, pricing, serveOpts)
    : serveWebSocket(opts, named, pricing, serveOpts, target);
};

/** `view`'s own options: a loopback port (0: the system picks one), whether to start a browser, and `--pricing FILE` (as serve's). */
export const ViewOptions = t.partial({
  port: t.refinement(U32, (n) => n <= 65535, 'a port number from 0 to 65535'),
  open: t.boolean,
  pricing: t.string,
});
type ViewOptions = t.TypeOf<typeof ViewOptions>;

/** What `rollout-engine view` does: serve the home on loopback, print the viewer's address, open a browser on it; until Ctrl-C. */
export const view = async (opts: HomeOptions, v: ViewOptions): Promise<void> => {
  const port = v.port ?? 0;
  const serveOpts: ServeOptions = { listen: `ws://127.0.0.1:${port}`, logLevel: 'warn' };
  const started = await useCase(async () => ({
    named: await take(servedHome(opts, serveOpts)),
    pricing: await take(pricingOption(v.pricing)),
  }))();
  if (E.isLeft(started)) return reportError(started.left, opts.json);
  return serveWebSocket(
    opts,
    started.right.named,
    started.right.pricing,
    serveOpts,
    { kind: 'ws', host: '127.0.0.1', port },
    (listener) => {
      process.stdout.write(`${terminalLines(`viewer: ${listener.viewerUrl} (Ctrl-C stops)`)}\n`);
      if (v.open !== false) openBrowser(listener.viewerUrl);
    },
  );
};
