import type { ThreadItem } from '../../domain/thread/threadItem.js';
import type { Turn } from '../../domain/thread/turn.js';
import { userText } from './itemText.js';

// What a collapsed turn shows without its items' nodes: its summary and its marks.

/** What a collapsed turn shows: its first user message and its last agent message (the summary view's items). */
export const turnSummary = (turn: Turn): { user: string; agent: string } => {
  let user = '';
  let agent = '';
  for (const item of turn.items) {
    if (item.type === 'userMessage' && user === '') user = userText(item);
    if (item.type === 'agentMessage') agent = item.text;
  }
  return { user, agent };
};

/**
 * The mark each item type gives a turn (several types may share one: tools), or null: no mark
 * (messages are the summary's own text; the other types are not what a reader scans turns for).
 */
export const MARK_OF_KIND: { readonly [K in ThreadItem['type']]: string | null } = {
  reasoning: 'reasoning',
  enteredReviewMode: 'review',
  exitedReviewMode: 'review',
  contextCompaction: 'compaction',
  commandExecution: 'command',
  fileChange: 'file change',
  mcpToolCall: 'tool',
  dynamicToolCall: 'tool',
  collabAgentToolCall: 'sub-agent',
  webSearch: 'web search',
  userMessage: null,
  agentMessage: null,
  imageView: null,
  subAgentActivity: null,
  imageGeneration: null,
  functionCallOutput: null,
  plan: null,
  sleep: null,
  hookPrompt: null,
};

/** A turn's mark and how many of its items make it. */
export interface TurnMark {
  readonly mark: string;
  readonly count: number;
  /** How many of them failed (a red badge). */
  readonly failed: number;
}

/**
 * Marks of a turn that a reader looks for: reasoning, review, compaction, commands, file changes,
 * tools, sub-agents, web searches (each with its count), an error. From `kinds` (its items counted
 * by kind, `rolloutEngine/thread/itemKinds`: a collapsed turn), else from the items it holds.
 */
export const turnMarks = (
  turn: Turn,
  kinds?: { readonly counts: Readonly<Record<string, number>>; readonly failed: Readonly<Record<string, number>> },
): TurnMark[] => {
  const counts = new Map<string, { count: number; failed: number }>();
  const add = (kind: string, n: number, failed: number): void => {
    // `kinds` come from the server: a type this page does not know has no mark.
    const mark = Object.hasOwn(MARK_OF_KIND, kind) ? MARK_OF_KIND[kind as ThreadItem['type']] : null;
    if (mark === null) return;
    const was = counts.get(mark) ?? { count: 0, failed: 0 };
    counts.set(mark, { count: was.count + n, failed: was.failed + failed });
  };
  if (kinds === undefined)
    for (const item of turn.items) add(item.type, 1, 'status' in item && item.status === 'failed' ? 1 : 0);
  else for (const [kind, n] of Object.entries(kinds.counts)) add(kind, n, kinds.failed[kind] ?? 0);
  const marks: TurnMark[] = [...counts].map(([mark, c]) => ({ mark, ...c }));
  if (turn.error !== null || turn.status === 'failed') marks.push({ mark: 'error', count: 1, failed: 0 });
  return marks;
};
