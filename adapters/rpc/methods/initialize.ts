import { initializeMethod } from '../../../protocol/server.js';
import * as os from 'node:os';
import * as E from 'fp-ts/lib/Either.js';
import { bindHomelessMethod } from '../method.js';

export const ENGINE_VERSION = '0.1.0';

/** `initialize`: who we are and which home we serve, in the shape Codex answers. */
export const initialize = bindHomelessMethod(initializeMethod, (ctx, params) => {
  const client = params?.clientInfo;
  const clientPart = client ? ` (${client.name}; ${client.version ?? ''})` : '';
  // A task of its own making, not `TE.right`: the first answer does not wait for TaskEither's modules.
  return () =>
    Promise.resolve(
      E.right({
        userAgent: `rollout-engine/${ENGINE_VERSION} (${os.type()} ${os.release()}; ${os.arch()})${clientPart}`,
        codexHome: ctx.codexHome,
        platformFamily: process.platform === 'win32' ? 'windows' : 'unix',
        platformOs: process.platform === 'darwin' ? 'macos' : process.platform,
      }),
    );
});
