import { GitInfoUpdate, threadMetadataUpdateMethod } from '../../../protocol/management.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import { updateThreadMetadata } from '../../../replay/mutations/updateThreadMetadata.js';
import type { GitInfoPatch } from '../../../replay/mutations/updateThreadMetadata.js';
import { bindMethod } from '../method.js';

/** The patch as the use case takes it: a field the client left out stays out. */
const patchOf = (g: t.TypeOf<typeof GitInfoUpdate>): GitInfoPatch => Object.fromEntries(Object.entries(g).filter(([, v]) => v !== undefined)) as GitInfoPatch;

/** `thread/metadata/update`: the stored git metadata patched; `{thread}` as `thread/read` shows it. No notification (Codex sends none). */
export const threadMetadataUpdate = bindMethod(threadMetadataUpdateMethod, (ctx, p) =>
  pipe(
    updateThreadMetadata(ctx.ports, p.threadId, {
      gitInfo: p.gitInfo == null ? undefined : patchOf(p.gitInfo),
      projectId: p.projectId ?? undefined,
    }),
    TE.map((thread) => ({ thread })),
  ),
);
