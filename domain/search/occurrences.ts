import type { HistoryMode } from '../rollout/historyMode.js';
import { agentMessagePhaseOf, finalAgentMessageIndex } from '../thread/finalAgentMessage.js';
import type { ThreadItem } from '../thread/threadItem.js';
import { foldedMatches } from './fullCaseFold.js';
import { codePointsAfter, codePointsBefore } from './literalMatch.js';
import { markdownSearchText } from './markdownText.js';

/**
 * `thread/searchOccurrences` over one thread's visible messages (Codex 0.169.0 declares it in
 * `ThreadSearchOccurrencesParams`): the text of a user message (its text parts, joined by a line
 * break) or of an agent message (its markdown's text), every non-overlapping case-insensitive literal match in it, a
 * snippet around each with the match's range in UTF-16 units.
 */
export const messageTextOf = (item: ThreadItem): string | null => {
  if (item.type === 'agentMessage') {
    const text = markdownSearchText(item.text);
    return text === '' ? null : text;
  }
  if (item.type !== 'userMessage') return null;
  const parts = item.content.flatMap((c) =>
    c['type'] === 'text' && typeof c['text'] === 'string' && c['text'] !== '' ? [c['text']] : [],
  );
  return parts.length === 0 ? null : parts.join('\n');
};

/**
 * The agent messages of one turn that `thread/searchOccurrences` searches (`agentMessages` in turn
 * order): every partial answer and the turn's final message (`finalAgentMessage.ts`), never
 * commentary nor unmarked text before the final one, as Codex 0.169.0 answers (its `thread/search`
 * still finds them all). A legacy thread, which Codex does not search, the same with its own final.
 */
export const searchedAgentMessages = (
  mode: HistoryMode,
  agentMessages: readonly { readonly id: string; readonly phase: unknown }[],
): ReadonlySet<string> => {
  const phases = agentMessages.map((m) => agentMessagePhaseOf(m.phase));
  const final = finalAgentMessageIndex(mode, phases);
  return new Set(agentMessages.filter((m, i) => i === final || phases[i] === 'partial_answer').map((m) => m.id));
};

export interface Occurrence {
  readonly snippet: string;
  readonly snippetMatchRange: { readonly start: number; readonly end: number };
}

/** Codex's context around a match, in characters, as for `thread/search` snippets. */
const BEFORE = 48;
const AFTER = 96;

/**
 * Every occurrence of `term` in `text` (full case folding: fullCaseFold.ts), in order: the text
 * itself when short, else 48 characters before and 96 after, cut marked `... ` / ` ...` as
 * `thread/search` marks its snippets. Pure.
 */
export const occurrencesIn = (text: string, term: string): Occurrence[] =>
  foldedMatches(text, term).map((m) => {
    const from = codePointsBefore(text, m.start, BEFORE);
    const to = codePointsAfter(text, m.end, AFTER);
    const head = from > 0 ? '... ' : '';
    const snippet = `${head}${text.slice(from, to)}${to < text.length ? ' ...' : ''}`;
    const start = head.length + m.start - from;
    return { snippet, snippetMatchRange: { start, end: start + m.end - m.start } };
  });
