import type { HistoryMode } from '../rollout/historyMode.js';

/** The phase Codex marks assistant text with (its `MessagePhase`); null when unmarked. */
export type AgentMessagePhase = 'commentary' | 'partial_answer' | 'final_answer' | null;

/** A recorded phase as one of the three; anything else (absent, null, unknown) as unmarked. */
export const agentMessagePhaseOf = (phase: unknown): AgentMessagePhase =>
  phase === 'commentary' || phase === 'partial_answer' || phase === 'final_answer' ? phase : null;

/**
 * Whether an agent message of `phase` becomes its turn's final message (the one a `summary` view
 * shows), the current final one being of `current` (undefined: none yet). In a paginated thread
 * the final message is the turn's last marked final answer, else its last unmarked text:
 * commentary and partial answers never are, so an unmarked reply written before a tool call or a
 * sub-agent's notification is not. In a legacy thread it is the last agent message. As Codex
 * 0.169.0 shows them, probed turn by turn with every order of phases.
 */
export const becomesFinalAgentMessage = (
  mode: HistoryMode,
  phase: AgentMessagePhase,
  current: AgentMessagePhase | undefined,
): boolean => mode === 'legacy' || phase === 'final_answer' || (phase === null && current !== 'final_answer');

/** The index of a turn's final agent message among its agent messages (in turn order), or -1. */
export const finalAgentMessageIndex = (mode: HistoryMode, phases: readonly AgentMessagePhase[]): number => {
  let final = -1;
  for (const [i, phase] of phases.entries())
    if (becomesFinalAgentMessage(mode, phase, final < 0 ? undefined : phases[final])) final = i;
  return final;
};
