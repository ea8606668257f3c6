/**
 * An agent message's memory citation as Codex answers it: the cited threads' ids as `threadIds`,
 * which rollouts hold as `rolloutIds` (codex-rs app-server-protocol v2 `MemoryCitation`,
 * `From<CoreMemoryCitation>`: `thread_ids: value.rollout_ids`). Measured on 0.169.0 (a legacy
 * `agent_message`, memoryCitation.compat); any other citation is passed on as the line has it.
 */
export const memoryCitationOf = (citation: unknown): unknown => {
  if (citation === null || citation === undefined || typeof citation !== 'object' || Array.isArray(citation))
    return citation ?? null;
  const { rolloutIds, ...rest } = citation as { rolloutIds?: unknown; threadIds?: unknown };
  return rolloutIds === undefined || 'threadIds' in rest ? citation : { ...rest, threadIds: rolloutIds };
};
