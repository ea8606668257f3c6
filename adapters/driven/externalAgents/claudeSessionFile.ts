import { createHash } from 'node:crypto';
import type { Hash } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { ClaudeRecord, ConversationMessage } from '../../../domain/externalSessions/claudeRecord.js';
import {
  aiTitleOf,
  conversationMessageOf,
  customTitleOf,
  cwdOf,
  decodeClaudeLine,
  rowKeyOf,
} from '../../../domain/externalSessions/claudeRecord.js';
import {
  fallbackTitleFromUserMessage,
  IMPORTED_SESSION_FALLBACK_TITLE,
  selectTitle,
} from '../../../domain/externalSessions/sessionTitle.js';
import type { ExternalSessionRead } from '../../../replay/ports.js';
import { openRegularFile } from './agentFiles.js';
import { garbageBound } from '../system/garbageBound.js';
import { MAX_LINE_BYTES } from '../jsonl/lines/lineEntry.js';

const CHUNK_BYTES = 1 << 20;
const BAD_LINE_SAMPLES = 20;
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * One pass over a Claude Code session file, a chunk at a time (a session of several hundred MB is
 * never held whole; one line at most, and none over CLAUDE_LINE_MAX_BYTES): the bytes hashed as they come, each line decoded on its own
 * (a line that is not valid UTF-8 or not a record is counted and skipped, never fatal), rows
 * written twice kept once, and each conversation message handed to `onMessage` in file order.
 * Answers what detection and the ledger need of the file.
 */
/** What a session's folder says when its records do not (Cursor's transcripts): the project's cwd, and the file's mtime as every message's time. */
export interface SessionFallback {
  readonly cwd: string;
  readonly timestamp: number | null;
}

/**
 * The fold of a session's lines in file order: each line's conversation message, if it gives one
 * (a bad line counted, a row written twice kept once), and what the session says of itself.
 */
class SessionFold {
  private readonly seen = new Set<string>();
  private lineNo = 0;
  private cwd: string | undefined = undefined;
  private customTitle: string | undefined = undefined;
  private aiTitle: string | undefined = undefined;
  private fallbackTitle: string | undefined = undefined;
  private userMessages = 0;
  private latestTimestamp: number | null = null;
  private badLines = 0;
  private readonly badLineSamples: Array<{ line: number; reason: string }> = [];
  private duplicateRows = 0;

  constructor(private readonly fallback: SessionFallback | undefined) {}

  /** The next line's message: none for a blank or bad line, or a record that is no message or one already seen. */
  line(bytes: Buffer | OverSizeLine): ConversationMessage | undefined {
    this.lineNo += 1;
    if (!Buffer.isBuffer(bytes)) {
      this.bad(
        `a line of ${bytes.overSizeBytes} bytes, over the ${CLAUDE_LINE_MAX_BYTES}-byte limit of a line that is read (passed over unread)`,
      );
      return undefined;
    }
    let text: string;
    try {
      text = utf8.decode(bytes);
    } catch {
      this.bad('not valid UTF-8');
      return undefined;
    }
    const trimmed = text.trim();
    if (trimmed === '') return undefined;
    const decoded = decodeClaudeLine(trimmed);
    if (E.isLeft(decoded)) {
      this.bad(decoded.left);
      return undefined;
    }
    return this.record(decoded.right);
  }

  /** The session as read, its bytes' hash given. */
  answer(contentSha256: string): ExternalSessionRead {
    return {
      contentSha256,
      // A record's cwd goes before the folder's, as Codex 0.169.0 has it.
      cwd: this.cwd ?? this.fallback?.cwd,
      title: selectTitle({
        customTitle: this.customTitle,
        aiTitle: this.aiTitle,
        fallbackTitle: this.fallbackTitle ?? (this.userMessages > 0 ? IMPORTED_SESSION_FALLBACK_TITLE : undefined),
      }),
      userMessages: this.userMessages,
      latestTimestamp: this.latestTimestamp,
      badLines: this.badLines,
      badLineSamples: this.badLineSamples,
      duplicateRows: this.duplicateRows,
    };
  }

  private bad(reason: string): void {
    this.badLines += 1;
    if (this.badLineSamples.length < BAD_LINE_SAMPLES) this.badLineSamples.push({ line: this.lineNo, reason });
  }

  private record(record: ClaudeRecord): ConversationMessage | undefined {
    this.cwd ??= cwdOf(record);
    this.customTitle = customTitleOf(record) ?? this.customTitle;
    this.aiTitle = aiTitleOf(record) ?? this.aiTitle;
    const message = conversationMessageOf(record, this.fallback?.timestamp ?? null);
    if (message === undefined) return undefined;
    const key = rowKeyOf(record);
    if (key !== undefined) {
      if (this.seen.has(key)) {
        this.duplicateRows += 1;
        return undefined;
      }
      this.seen.add(key);
    }
    if (message.role === 'user') {
      this.userMessages += 1;
      this.fallbackTitle ??= fallbackTitleFromUserMessage(message.text);
    }
    if (message.timestamp !== null)
      this.latestTimestamp = Math.max(this.latestTimestamp ?? message.timestamp, message.timestamp);
    return message;
  }
}

export async function* readClaudeSession(
  path: string,
  fallback?: SessionFallback,
): AsyncGenerator<ConversationMessage, ExternalSessionRead, undefined> {
  const hash = createHash('sha256');
  const fold = new SessionFold(fallback);
  for await (const line of sessionLines(path, hash)) {
    const message = fold.line(line);
    if (message !== undefined) yield message;
  }
  return fold.answer(hash.digest('hex'));
}

/**
 * The longest source line read. The thread line a record becomes is about as long as it (its
 * strings escaped again as JSON escapes them), so half the limit of a line the index reads
 * (MAX_LINE_BYTES) keeps every imported line indexed; and a session's memory is bounded by it,
 * whatever its lines: a longer one is skipped as it streams by, never gathered (a 200 MB line had
 * cost 1.0-3.8 GB, then made a rollout line the index quarantined as over-size).
 */
export const CLAUDE_LINE_MAX_BYTES = MAX_LINE_BYTES / 2;

/** A line over CLAUDE_LINE_MAX_BYTES: its length only, its bytes passed over (hashed, never kept). */
interface OverSizeLine {
  readonly overSizeBytes: number;
}

/**
 * The file's lines as bytes (valid until the next one is asked for), every byte hashed as read;
 * a line over `maxLineBytes` as its length alone. Once `enough()` says so, the rest of the file is
 * only hashed, not split.
 */
async function* sessionLines(
  path: string,
  hash: Hash,
  enough: () => boolean = () => false,
  maxLineBytes = CLAUDE_LINE_MAX_BYTES,
): AsyncGenerator<Buffer | OverSizeLine> {
  // One read buffer, reused: each line is used before the next read; only a line cut by the
  // buffer's end is copied. (A stream's fresh chunk per read left hundreds of MB to the GC.)
  const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
  const bound = garbageBound();
  const file = await openRegularFile(path);
  let carry: Buffer[] = [];
  let carried = 0;
  // The bytes so far of a line over the bound, passed over to its end (-1: none).
  let skipped = -1;
  try {
    for (;;) {
      const { bytesRead } = await file.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      const chunk = buffer.subarray(0, bytesRead);
      hash.update(chunk);
      if (enough()) continue;
      bound.read(bytesRead);
      let start = 0;
      for (let nl = chunk.indexOf(10, start); nl >= 0 && !enough(); nl = chunk.indexOf(10, start)) {
        const length = (skipped >= 0 ? skipped : carried) + nl - start;
        const piece = chunk.subarray(start, nl);
        const over = skipped >= 0 || length > maxLineBytes;
        const line = over ? undefined : carry.length === 0 ? piece : Buffer.concat([...carry, piece]);
        carry = [];
        carried = 0;
        skipped = -1;
        start = nl + 1;
        yield line ?? { overSizeBytes: length };
      }
      if (start < chunk.length && !enough()) {
        const rest = chunk.length - start;
        if (skipped >= 0) skipped += rest;
        else if (carried + rest > maxLineBytes) {
          skipped = carried + rest;
          carry = [];
          carried = 0;
        } else {
          carry.push(Buffer.from(chunk.subarray(start)));
          carried += rest;
        }
      }
    }
  } finally {
    await file.close();
  }
  if (!enough()) {
    if (skipped >= 0) yield { overSizeBytes: skipped };
    else if (carry.length > 0) yield Buffer.concat(carry);
  }
  bound.done();
}

/**
 * What an import must know before it writes: the hash of the whole file (is this content in the
 * ledger?) and the first working directory a record names (the new thread's cwd). Lines are parsed
 * only until that cwd is found; the rest is hashed, not parsed.
 */
export const headOfClaudeSession = async (
  path: string,
  fallback?: SessionFallback,
): Promise<{ contentSha256: string; cwd: string | undefined }> => {
  const hash = createHash('sha256');
  let cwd: string | undefined;
  for await (const line of sessionLines(path, hash, () => cwd !== undefined)) {
    if (!Buffer.isBuffer(line)) continue;
    let text: string;
    try {
      text = utf8.decode(line).trim();
    } catch {
      continue;
    }
    if (text === '') continue;
    const record = decodeClaudeLine(text);
    if (E.isRight(record)) cwd = cwdOf(record.right);
  }
  return { contentSha256: hash.digest('hex'), cwd: cwd ?? fallback?.cwd };
};

/** Read the whole file for its summary only (detection, dry runs). */
export const summarizeClaudeSession = async (
  path: string,
  fallback?: SessionFallback,
): Promise<ExternalSessionRead> => {
  const reader = readClaudeSession(path, fallback);
  for (;;) {
    const next = await reader.next();
    if (next.done === true) return next.value;
  }
};
