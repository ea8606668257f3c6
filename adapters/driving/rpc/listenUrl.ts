import { isIP } from 'node:net';
import * as E from 'fp-ts/lib/Either.js';
import type { EngineError } from '../../../domain/errors.js';
import { invalidArgument } from '../../../domain/errors.js';

// Apart from the listener, so that `serve` on stdio does not load `ws` to read its default.

/** Where `serve --listen` answers: stdio (the default), or a WebSocket listener on an IP and port. */
export type ListenTarget =
  { readonly kind: 'stdio' } | { readonly kind: 'ws'; readonly host: string; readonly port: number };

/** `--listen` as Codex reads it: `stdio://`, or `ws://IP:PORT` with an IP literal (`[::1]` for IPv6). */
export const parseListenUrl = (url: string): E.Either<EngineError, ListenTarget> => {
  if (url === 'stdio://') return E.right({ kind: 'stdio' });
  if (!url.startsWith('ws://'))
    return E.left(
      invalidArgument('--listen', `unsupported --listen URL \`${url}\`; expected \`stdio://\` or \`ws://IP:PORT\``),
    );
  const m = /^ws:\/\/(?:\[([^\]]+)\]|([^:/]+)):(\d{1,5})$/.exec(url);
  const host = m?.[1] ?? m?.[2];
  const port = Number(m?.[3]);
  const ipv6 = m?.[1] !== undefined;
  if (host === undefined || isIP(host) !== (ipv6 ? 6 : 4) || port > 65535)
    return E.left(invalidArgument('--listen', `invalid websocket --listen URL \`${url}\`; expected \`ws://IP:PORT\``));
  return E.right({ kind: 'ws', host, port });
};
