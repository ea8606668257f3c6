import * as TE from 'fp-ts/lib/TaskEither.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as t from 'io-ts';
import { updateThreadMetadata } from '../../../replay/updateThreadMetadata.js';
import type { GitInfoPatch } from '../../../replay/updateThreadMetadata.js';
import { defineMethod, threadScope } from '../method.js';
import { checkedThreadId } from '../../../domain/thread/threadId.js';

/** A patch field: absent leaves it, null clears it, a string replaces it (io-ts keeps the three apart). */
const PatchField = t.union([t.string, t.null]);
const GitInfoUpdate = t.partial({ sha: PatchField, branch: PatchField, originUrl: PatchField });

/** `thread/metadata/update` params; `rollout-engine metadata` decodes its options with it too. */
export const ThreadMetadataUpdateParams = t.intersection([
  t.type({ threadId: t.string }),
  t.partial({ projectId: t.union([t.string, t.null]), gitInfo: t.union([GitInfoUpdate, t.null]), daybreakEnabled: t.union([t.boolean, t.null]) }),
]);

/** The patch as the use case takes it: a field the client left out stays out. */
const patchOf = (g: t.TypeOf<typeof GitInfoUpdate>): GitInfoPatch => Object.fromEntries(Object.entries(g).filter(([, v]) => v !== undefined)) as GitInfoPatch;

/** `thread/metadata/update`: the stored git metadata patched; `{thread}` as `thread/read` shows it. No notification (Codex sends none). */
export const threadMetadataUpdate = defineMethod({
  name: 'thread/metadata/update',
  params: ThreadMetadataUpdateParams,
  scope: (p) => threadScope(p.threadId, 'write'),
  handle: (ctx, p) =>
    pipe(
      TE.fromEither(checkedThreadId(p.threadId, 'thread')),
      TE.chain((id) =>
        updateThreadMetadata(ctx.ports, id, {
          gitInfo: p.gitInfo == null ? undefined : patchOf(p.gitInfo),
          projectId: p.projectId ?? undefined,
        }),
      ),
      TE.map((thread) => ({ thread })),
    ),
});
