import type { ReadState } from '../../../../domain/threadState/threadStateEvent.js';
import { command } from '../commandSpec.js';
import { argument, option } from '../optionTable.js';
import { METHOD_VIEW_OPTIONS } from '../homeOptions.js';

export const readStateCommand = command({
  name: 'read-state',
  description:
    'mark a thread read or unread (`thread/readState/update`) if its read state is still at --expected-revision',
  arguments: [argument('<threadId>', 'the thread', { param: 'threadId' })],
  options: {
    mark: option('--mark <read|unread>', 'read, or unread from its start', {
      required: true,
      param: 'operation',
      toParam: (mark) => ({ type: mark }),
    }),
    expectedRevision: option(
      '--expected-revision <revision>',
      'the revision last seen (thread/read answers it; initial:<threadId> before any change)',
      {
        required: true,
        param: 'expectedRevision',
      },
    ),
    ...METHOD_VIEW_OPTIONS,
  },
  params: async () => ({ method: (await import('../../../../protocol/management.js')).threadReadStateUpdateMethod }),
  onHome: {
    use: async ({ params: p }) => {
      const [TE, { updateReadState }] = await Promise.all([
        import('fp-ts/lib/TaskEither.js'),
        import('../../../../replay/mutations/updateReadState.js'),
      ]);
      return (home) => TE.map((readState: ReadState) => ({ readState }))(updateReadState(home.mutations, p));
    },
    render:
      ({ params: p }) =>
      ({ readState }) =>
        `${p.threadId}: ${readState.firstUnread === null ? 'read' : 'unread'} (revision ${readState.revision})`,
  },
});
