import type { RolloutEvent } from '../rollout/event.js';
import { hiddenByModeration } from '../rollout/kinds/legacyItemEvents.js';

/**
 * The text `thread/search` looks in, line by line, as Codex 0.169.0 reads a rollout: a user message
 * event (after the user-message prefix), an agent message event (trimmed; not one its moderation
 * hides), and a `response_item`
 * message of role user or assistant (its text parts joined by one space). Every other line has none.
 */
export interface ConversationText {
  /** What the snippet is cut from (before whitespace is collapsed). */
  readonly text: string;
  /**
   * The line's own text runs joined by NUL (no match spans two), when they differ from `text`:
   * Codex only looks at a line whose raw JSON holds the term, so the term must lie inside one run.
   */
  readonly raw?: string;
}

/** Where Codex's composer marks the start of what the user typed (text before it is context). */
const USER_MESSAGE_BEGIN = '## My request for Codex:';

/** Unicode White_Space, as Rust's `char::is_whitespace` (JS `\s` differs: U+FEFF in, U+0085 out). */
const WS = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const WS_RUN = new RegExp(`[${WS}]+`, 'g');

/** Is this UTF-16 code unit one of WS (every White_Space character is in the BMP)? */
const isWhitespace = (c: number): boolean =>
  c === 0x20 ||
  (c >= 0x09 && c <= 0x0d) ||
  (c > 0x7f &&
    (c === 0x85 ||
      c === 0xa0 ||
      c === 0x1680 ||
      (c >= 0x2000 && c <= 0x200a) ||
      c === 0x2028 ||
      c === 0x2029 ||
      c === 0x202f ||
      c === 0x205f ||
      c === 0x3000));

/** Rust's `str::trim`: the ends looked at only (a regular expression tried every whitespace run of a long text). */
export const trimWhitespace = (s: string): string => {
  let from = 0;
  let to = s.length;
  while (from < to && isWhitespace(s.charCodeAt(from))) from++;
  while (to > from && isWhitespace(s.charCodeAt(to - 1))) to--;
  return from === 0 && to === s.length ? s : s.slice(from, to);
};

/** Rust's `split_whitespace().join(" ")`: runs collapse to one space, no space at either end. */
export const collapseWhitespace = (s: string): string => trimWhitespace(s).replace(WS_RUN, ' ');

/**
 * A user message as Codex previews and searches it: what follows the request marker, else the
 * whole message, trimmed (codex-rs/state/src/extract.rs `strip_user_message_prefix`).
 */
export const stripUserMessagePrefix = (message: string): string => {
  const at = message.indexOf(USER_MESSAGE_BEGIN);
  return trimWhitespace(at < 0 ? message : message.slice(at + USER_MESSAGE_BEGIN.length));
};

const withRaw = (text: string, raw: string): ConversationText => (raw === text ? { text } : { text, raw });

/** The content texts of a response message; null when a part is not a text or image part (Codex would not read the line). */
const contentTexts = (content: unknown): string[] | null => {
  if (!Array.isArray(content)) return null;
  const texts: string[] = [];
  for (const part of content) {
    if (typeof part !== 'object' || part === null) return null;
    const { type, text } = part as { type?: unknown; text?: unknown };
    if (type === 'input_text' || type === 'output_text') {
      if (typeof text !== 'string') return null;
      texts.push(text);
    } else if (type !== 'input_image') return null;
  }
  return texts;
};

type EventOf<K extends RolloutEvent['kind']> = Extract<RolloutEvent, { kind: K }>;

/** Why a kind has no searchable text. */
type NotSearched = { readonly notSearched: string };
const NOT_CONVERSATION: NotSearched = {
  notSearched: "not conversation text: Codex's search reads only user and agent messages",
};
const ITEM_EVENT: NotSearched = {
  notSearched: "an item's own event: Codex searches the message events and response messages, not items",
};

/**
 * The searchable text of each kind of line, or why it has none (a kind added to `RolloutEvent`
 * is a compile error here until decided).
 */
export const CONVERSATION_TEXT: {
  readonly [K in RolloutEvent['kind']]: ((ev: EventOf<K>) => ConversationText | null) | NotSearched;
} = {
  userMessage: (ev) => {
    const text = stripUserMessagePrefix(ev.payload.message);
    return text === '' ? null : withRaw(text, ev.payload.message);
  },
  agentMessage: (ev) => {
    if (hiddenByModeration(ev.payload)) return null;
    const text = trimWhitespace(ev.payload.message);
    return text === '' ? null : withRaw(text, ev.payload.message);
  },
  responseItem: (ev) => {
    const p = ev.payload;
    if (p.type !== 'message' || (p.role !== 'user' && p.role !== 'assistant')) return null;
    const texts = contentTexts(p.content);
    if (texts === null) return null;
    const text = texts.join(' ');
    return trimWhitespace(text) === '' ? null : withRaw(text, texts.join('\u0000'));
  },
  sessionMeta: NOT_CONVERSATION,
  turnContext: NOT_CONVERSATION,
  worldState: NOT_CONVERSATION,
  tokenUsageRecord: NOT_CONVERSATION,
  compacted: NOT_CONVERSATION,
  taskStarted: NOT_CONVERSATION,
  taskComplete: NOT_CONVERSATION,
  turnAborted: NOT_CONVERSATION,
  threadRolledBack: NOT_CONVERSATION,
  threadSettingsApplied: NOT_CONVERSATION,
  tokenCount: NOT_CONVERSATION,
  error: NOT_CONVERSATION,
  itemCompleted: ITEM_EVENT,
  agentReasoning: ITEM_EVENT,
  agentReasoningRawContent: ITEM_EVENT,
  contextCompacted: ITEM_EVENT,
  enteredReviewMode: ITEM_EVENT,
  exitedReviewMode: ITEM_EVENT,
  patchApplyEnd: ITEM_EVENT,
  mcpToolCallEnd: ITEM_EVENT,
  webSearchEnd: ITEM_EVENT,
  subAgentActivity: ITEM_EVENT,
  imageGenerationEnd: ITEM_EVENT,
  other: { notSearched: 'a kind the decoder does not interpret' },
  invalid: { notSearched: 'a line Codex cannot read' },
};

/** The searchable text of one line, or null. Pure. */
export const conversationTextOf = (ev: RolloutEvent): ConversationText | null => {
  const read = CONVERSATION_TEXT[ev.kind];
  return typeof read === 'function' ? (read as (ev: RolloutEvent) => ConversationText | null)(ev) : null;
};
