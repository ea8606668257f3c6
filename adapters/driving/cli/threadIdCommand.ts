import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../../domain/errors.js';
import type { ThreadManagementPorts } from '../../../replay/ports.js';
import { command } from './commandSpec.js';
import type { MethodOfCommand } from './commandSpec.js';
import { argument } from './optionTable.js';
import { METHOD_VIEW_OPTIONS } from './homeOptions.js';
import type { Human } from './printAnswer.js';

/**
 * A command that takes one thread id (archive, unarchive, delete): a view of its method (whose
 * entry checks the id as `serve` checks it, Codex's `invalid <what> id`), then the use case
 * (both loaded when it runs).
 */
export const threadIdCommand = <A>(declared: {
  readonly name: string;
  readonly description: string;
  readonly method: () => Promise<MethodOfCommand<{ readonly threadId: string }>>;
  readonly use: () => Promise<
    (ports: ThreadManagementPorts, params: { readonly threadId: string }) => TE.TaskEither<EngineError, A>
  >;
  readonly human: Human<A>;
}) =>
  command({
    name: declared.name,
    description: declared.description,
    arguments: [argument('<threadId>', 'the thread', { param: 'threadId' })],
    options: METHOD_VIEW_OPTIONS,
    params: async () => ({ method: await declared.method() }),
    onHome: {
      use: async ({ params: p }) => {
        const use = await declared.use();
        return (home) => use(home.mutations, p);
      },
      render: () => declared.human,
    },
  });
