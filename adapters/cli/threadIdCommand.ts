import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { ThreadManagementPorts } from '../../replay/ports.js';
import { command } from './commandSpec.js';
import { argument } from './optionTable.js';
import { HOME_AND_JSON_OPTIONS } from './homeOptions.js';
import type { Human } from './printAnswer.js';

/**
 * A command that takes one thread id (archive, unarchive, delete): the id checked as `serve`
 * checks it (Codex's `invalid <what> id`), then the use case (loaded when it runs).
 */
export const threadIdCommand = <A>(declared: {
  readonly name: string;
  readonly description: string;
  readonly what: 'thread' | 'session';
  readonly use: () => Promise<(ports: ThreadManagementPorts, threadId: string) => TE.TaskEither<EngineError, A>>;
  readonly human: Human<A>;
}) =>
  command({
    name: declared.name,
    description: declared.description,
    arguments: [argument('<threadId>', 'the thread', { param: 'threadId' })],
    options: HOME_AND_JSON_OPTIONS,
    params: async () => ({ codec: (await import('../../protocol/management.js')).ThreadIdParams }),
    onHome: {
      use: async ({ params: p }) => {
        const [TE, { pipe }, { checkedThreadId }, use] = await Promise.all([
          import('fp-ts/lib/TaskEither.js'),
          import('fp-ts/lib/function.js'),
          import('../../domain/thread/threadId.js'),
          declared.use(),
        ]);
        return (home) =>
          pipe(
            TE.fromEither(checkedThreadId(p.threadId, declared.what)),
            TE.chain((id) => use(home.mutations, id)),
          );
      },
      render: () => declared.human,
    },
  });
