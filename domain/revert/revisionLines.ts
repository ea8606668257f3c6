import type { HistoryPoint } from '../history/cut.js';
import type { LineDraft } from '../rollout/lineDraft.js';
import { threadSettingsApplied } from '../rollout/sessionEvents.js';
import { withSessionMetaFields } from '../rollout/sessionMetaFields.js';

export interface RevisionInput {
  /** The thread's current `session_meta` payload (root, fork or newest revision file). */
  readonly currentMeta: Readonly<Record<string, unknown>>;
  readonly threadId: string;
  readonly timestamp: string;
  /** Start of the first turn dropped. */
  readonly cut: HistoryPoint & { readonly ordinal: number };
  readonly settings: unknown;
}

/**
 * A revision file, as `thread/revert` writes it: the same thread (id, session, fork origin,
 * model-context window) re-based on the history below the cut, numbered from the cut's ordinal,
 * then the thread's settings. Nothing existing is touched; the newest revision is the thread.
 */
export const revisionLines = (r: RevisionInput): LineDraft[] => [
  {
    timestamp: r.timestamp,
    type: 'session_meta',
    payload: withSessionMetaFields(r.currentMeta, {
      timestamp: r.timestamp,
      history_base: {
        thread_id: r.cut.rolloutId,
        end_ordinal_exclusive: r.cut.ordinal,
        end_byte_offset: r.cut.byteOffset,
      },
      multi_agent_version: typeof r.currentMeta['multi_agent_version'] === 'string' ? undefined : 'v1',
    }),
  },
  ...(r.settings === undefined || r.settings === null
    ? []
    : [threadSettingsApplied(r.timestamp, r.threadId, r.settings)]),
];
