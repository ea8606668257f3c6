import { initializeMethod } from '../../../../protocol/server.js';
import * as os from 'node:os';
import * as E from 'fp-ts/lib/Either.js';
import { engineVersion } from '../../../driven/system/packageRoot.js';
import { bindHomelessMethod } from '../method.js';

/** Architectures as Rust names them (Codex prints `std::env::consts::ARCH`). */
const ARCH_NAMES: Readonly<Record<string, string>> = { x64: 'x86_64', arm64: 'aarch64', ia32: 'x86' };

/** The terminal token of Codex's user agent: the terminal program (and version) when named, else `TERM`. */
const terminalToken = (env: NodeJS.ProcessEnv): string => {
  const program = env['TERM_PROGRAM'];
  if (program !== undefined && program !== '')
    return env['TERM_PROGRAM_VERSION'] ? `${program}/${env['TERM_PROGRAM_VERSION']}` : program;
  return env['TERM'] !== undefined && env['TERM'] !== '' ? env['TERM'] : 'unknown';
};

/**
 * `initialize`: who we are and which home we serve, in the shape Codex answers. The user agent is
 * Codex's (`<originator>/<version> (<os>; <arch>) <terminal> (<client>; <version>)`) with the
 * Codex version this connection speaks (`codexVersions.ts`), so a Codex client sees a service as new as the protocol
 * it speaks (the TUI warns of an "older" service otherwise), then our own name and version.
 */
export const initialize = bindHomelessMethod(initializeMethod, (ctx, params) => {
  const client = params?.clientInfo;
  const originator = client?.name ?? 'codex_cli_rs';
  const clientPart = client ? ` (${client.name}; ${client.version ?? ''})` : '';
  // A task of its own making, not `TE.right`: the first answer does not wait for TaskEither's modules.
  return () =>
    Promise.resolve(
      E.right({
        userAgent: `${originator}/${ctx.codexVersion} (${os.type()} ${os.release()}; ${ARCH_NAMES[os.arch()] ?? os.arch()}) ${terminalToken(process.env)}${clientPart} rollout-engine/${engineVersion()}`,
        codexHome: ctx.codexHome,
        platformFamily: process.platform === 'win32' ? 'windows' : 'unix',
        platformOs: process.platform === 'darwin' ? 'macos' : process.platform,
      }),
    );
});
