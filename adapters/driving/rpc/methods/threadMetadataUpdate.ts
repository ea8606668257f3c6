import { threadMetadataUpdateMethod } from '../../../../protocol/management.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import { updateThreadMetadata } from '../../../../replay/mutations/updateThreadMetadata.js';
import { bindMethod } from '../method.js';

/** `thread/metadata/update`: the stored git metadata patched; `{thread}` as `thread/read` shows it. No notification (Codex sends none). */
export const threadMetadataUpdate = bindMethod(threadMetadataUpdateMethod, (ctx, p) =>
  pipe(
    updateThreadMetadata(ctx.ports, p),
    TE.map((thread) => ({ thread })),
  ),
);
