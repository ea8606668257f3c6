import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import type { EngineError } from '../../domain/errors.js';
import type { ThreadManagementPorts } from '../../replay/ports.js';
import { ThreadIdParams } from '../../protocol/management.js';
import { checkedThreadId } from '../../domain/thread/threadId.js';
import { decodeRequest, withRequest } from './decodeOptions.js';
import type { HomeOptions } from './homeOptions.js';
import type { Human } from './printAnswer.js';
import { runOnHome } from './runOnHome.js';

/** A command that takes one thread id (archive, unarchive, delete): the id checked as `serve` checks it (Codex's `invalid <what> id`), then the use case. */
export const threadIdAction = <A>(
  threadId: string,
  opts: HomeOptions,
  what: 'thread' | 'session',
  use: (ports: ThreadManagementPorts, threadId: string) => TE.TaskEither<EngineError, A>,
  human: Human<A>,
): Promise<void> =>
  withRequest(opts, decodeRequest(ThreadIdParams, { threadId }, { threadId: '<threadId>' }), (p) =>
    runOnHome(
      opts,
      (home) =>
        pipe(
          TE.fromEither(checkedThreadId(p.threadId, what)),
          TE.chain((id) => use(home.mutations, id)),
        ),
      human,
    ),
  );
