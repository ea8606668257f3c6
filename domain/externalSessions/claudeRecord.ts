import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { renderDecodeErrors } from '../decodeErrors.js';
import { JsonTooDeep, parseJson } from '../jsonNesting.js';
import { rfc3339Ms } from '../rfc3339.js';
import { codePointsPrefix, hasMoreCodePointsThan } from '../codePoints.js';

/**
 * One line of a Claude Code session (`~/.claude/projects/<encoded cwd>/<session>.jsonl`), as far as
 * Codex reads it: its kind (`type`, else `role`), the working directory, the meta / sidechain marks,
 * the times, the message's content, and the titles the app wrote. Every other field is ignored.
 */
export const ClaudeRecord = t.partial({
  type: t.unknown,
  role: t.unknown,
  cwd: t.unknown,
  isMeta: t.unknown,
  isSidechain: t.unknown,
  timestamp: t.unknown,
  timestamp_ms: t.unknown,
  uuid: t.unknown,
  requestId: t.unknown,
  message: t.unknown,
  customTitle: t.unknown,
  aiTitle: t.unknown,
});
export type ClaudeRecord = t.TypeOf<typeof ClaudeRecord>;

/** Who said a message once converted: a result-only user record counts as the assistant's, as Codex has it. */
export type MessageRole = 'user' | 'assistant';

export interface ConversationMessage {
  readonly role: MessageRole;
  readonly text: string;
  /** Unix seconds, if the record had a time. */
  readonly timestamp: number | null;
}

const NOTE_MAX_LEN = 2_000;
const TOOL_RESULT_MAX_LEN = 4_000;
const TOOL_CALL_TAG = 'external_agent_tool_call';
const TOOL_RESULT_TAG = 'external_agent_tool_result';

/**
 * Why a line is not a record: nested deeper than Codex's parser goes (checked before anything
 * parses it), not JSON, not an object, or a string Codex's parser refuses (a lone surrogate).
 */
export const decodeClaudeLine = (text: string): E.Either<string, ClaudeRecord> => {
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (err) {
    return E.left(err instanceof JsonTooDeep ? err.message : `not JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return E.left('not a JSON object');
  // serde_json refuses an escaped lone surrogate, so Codex skips the whole line; so do we.
  if (!wellFormed(value)) return E.left('a string holds a lone surrogate');
  const decoded = ClaudeRecord.decode(value);
  return E.isLeft(decoded) ? E.left(renderDecodeErrors(decoded.left)) : decoded;
};

const wellFormed = (value: unknown): boolean => {
  if (typeof value === 'string') return (value as string & { isWellFormed(): boolean }).isWellFormed();
  if (Array.isArray(value)) return value.every(wellFormed);
  if (typeof value === 'object' && value !== null)
    return Object.entries(value).every(([k, v]) => wellFormed(k) && wellFormed(v));
  return true;
};

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> | undefined =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;

/** The record's working directory, if it names one. */
export const cwdOf = (r: ClaudeRecord): string | undefined => str(r.cwd);

const titleOf = (r: ClaudeRecord, kind: string, field: unknown): string | undefined => {
  if (r.type !== kind) return undefined;
  const title = str(field)?.trim();
  return title === undefined || title === '' ? undefined : title;
};
/** The title the user gave the session (`custom-title` records; the last one wins). */
export const customTitleOf = (r: ClaudeRecord): string | undefined => titleOf(r, 'custom-title', r.customTitle);
/** The title Claude Code generated (`ai-title` records; the last one wins). */
export const aiTitleOf = (r: ClaudeRecord): string | undefined => titleOf(r, 'ai-title', r.aiTitle);

/**
 * The identity of a row Claude Code may write twice (a resumed session copies earlier rows with
 * their `uuid`): rows with the same key carry the same content. Codex imports both copies.
 */
export const rowKeyOf = (r: ClaudeRecord): string | undefined => {
  const uuid = str(r.uuid);
  if (uuid === undefined) return undefined;
  const messageId = str(obj(r.message)?.['id']);
  return `${uuid}\u0000${messageId ?? ''}\u0000${str(r.requestId) ?? ''}`;
};

/** RFC 3339 to Unix seconds (rounded down, as chrono's `timestamp()`); undefined if it is not one. */
const parseTimestamp = (text: string): number | undefined => {
  const ms = rfc3339Ms(text);
  return ms === undefined ? undefined : Math.floor(ms / 1000);
};

/**
 * A user or assistant record as the message Codex imports, or undefined: other kinds, meta and
 * sidechain records, and content with nothing to show are skipped. Thinking blocks are dropped,
 * tool calls and results become tagged notes, other blocks a placeholder.
 */
export const conversationMessageOf = (
  r: ClaudeRecord,
  fallbackTimestamp: number | null = null,
): ConversationMessage | undefined => {
  const kind = r.type !== undefined ? str(r.type) : str(r.role);
  if (kind !== 'assistant' && kind !== 'user') return undefined;
  if (r.isMeta === true || r.isSidechain === true) return undefined;
  const fromText = str(r.timestamp) === undefined ? undefined : parseTimestamp(r.timestamp as string);
  const ms = r.timestamp_ms;
  const fromMs = typeof ms === 'number' && Number.isInteger(ms) ? Math.trunc(ms / 1000) : undefined;
  const timestamp = fromText ?? fromMs ?? fallbackTimestamp;
  const message = obj(r.message);
  if (message === undefined || !('content' in message)) return undefined;
  const content = message['content'];
  if (typeof content === 'string') {
    if (content.trim() === '') return undefined;
    return { role: kind, text: kind === 'user' ? unwrapUserQuery(content) : content, timestamp };
  }
  const extracted = extractText(content);
  if (extracted === undefined) return undefined;
  const role = kind === 'assistant' || extracted.onlyToolResult ? 'assistant' : 'user';
  return { role, text: role === 'user' ? unwrapUserQuery(extracted.text) : extracted.text, timestamp };
};

const USER_QUERY_OPEN = '<user_query>';
const USER_QUERY_CLOSE = '</user_query>';

/**
 * A user message wrapped in `<user_query>` … `</user_query>` (as Cursor writes them) is imported as
 * what is between the first opening and the last closing tag, trimmed: what Codex 0.169.0 does with
 * a Claude Code session (seen on the binary; the tags inside are kept).
 */
export const unwrapUserQuery = (text: string): string => {
  const trimmed = text.trim();
  if (
    !trimmed.startsWith(USER_QUERY_OPEN) ||
    !trimmed.endsWith(USER_QUERY_CLOSE) ||
    trimmed.length < USER_QUERY_OPEN.length + USER_QUERY_CLOSE.length
  )
    return text;
  return trimmed.slice(USER_QUERY_OPEN.length, trimmed.length - USER_QUERY_CLOSE.length).trim();
};

const extractText = (content: unknown): { text: string; onlyToolResult: boolean } | undefined => {
  const blocks = Array.isArray(content)
    ? content.map(obj).filter((b): b is Record<string, unknown> => b !== undefined)
    : [];
  const parts: string[] = [];
  let onlyToolResult = blocks.length > 0;
  for (const block of blocks) {
    const type = str(block['type']);
    if (type === undefined || type === 'thinking') continue;
    if (type === 'text') {
      const text = str(block['text']);
      if (text !== undefined && text !== '') {
        parts.push(text);
        onlyToolResult = false;
      }
    } else if (type === 'tool_use') {
      parts.push(toolCallNote(block));
      onlyToolResult = false;
    } else if (type === 'tool_result') {
      parts.push(toolResultNote(block));
    } else {
      parts.push(`[external unsupported block: ${type}]`);
      onlyToolResult = false;
    }
  }
  const text = parts.filter((p) => p.trim() !== '').join('\n\n');
  return text === '' ? undefined : { text, onlyToolResult };
};

/** Cut to `max` characters (code points, a lone surrogate one), the last three replaced by `...`, as Codex cuts. */
export const truncateChars = (text: string, max: number): string =>
  hasMoreCodePointsThan(text, max) ? `${codePointsPrefix(text, Math.max(0, max - 3))}...` : text;

const toolCallNote = (block: Record<string, unknown>): string => {
  const lines = [`[${TOOL_CALL_TAG}: ${str(block['name']) ?? 'unknown'}]`];
  const input = obj(block['input']);
  if (input !== undefined) {
    const description = str(input['description']);
    if (description !== undefined) lines.push(`description: ${description}`);
    const command = str(input['command']);
    if (command !== undefined) lines.push(`command: ${command}`);
    const file = 'file_path' in input ? str(input['file_path']) : str(input['file']);
    if (file !== undefined) lines.push(`file: ${file}`);
    if (lines.length === 1) lines.push(`input: ${truncateChars(JSON.stringify(input), NOTE_MAX_LEN)}`);
  } else if ('input' in block) {
    lines.push(`input: ${truncateChars(JSON.stringify(block['input']), NOTE_MAX_LEN)}`);
  }
  lines.push(`[/${TOOL_CALL_TAG}]`);
  return lines.join('\n');
};

const toolResultNote = (block: Record<string, unknown>): string => {
  const label = block['is_error'] === true ? `[${TOOL_RESULT_TAG}: error]` : `[${TOOL_RESULT_TAG}]`;
  const text = toolResultText(block['content']);
  return text === ''
    ? `${label}\n[/${TOOL_RESULT_TAG}]`
    : `${label}\n${truncateChars(text, TOOL_RESULT_MAX_LEN)}\n[/${TOOL_RESULT_TAG}]`;
};

const toolResultText = (content: unknown): string => {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .map((item) => str(obj(item)?.['text']))
    .filter((text): text is string => text !== undefined && text !== '')
    .join('\n');
};
