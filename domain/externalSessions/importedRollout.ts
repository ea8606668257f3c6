import type { LineDraft } from '../rollout/lineDraft.js';
import type { ConversationMessage } from './claudeRecord.js';
import { utf8Length } from '../utf8.js';

/** What Codex writes after an imported history, so the model knows where the import ends. */
export const EXTERNAL_SESSION_IMPORTED_MARKER = '<EXTERNAL SESSION IMPORTED>';

/** The new thread an imported session becomes. */
export interface ImportedThreadInput {
  readonly threadId: string;
  readonly windowId: string;
  /** The import's time: every line's timestamp and the session's. */
  readonly timestamp: string;
  readonly cwd: string;
  readonly originator: string;
  readonly cliVersion: string;
  readonly source: string;
  readonly modelProvider: string;
}

/** The imported thread's `session_meta` as Codex 0.169.0 writes it (its field order; no base instructions: no model has run). */
export const importedSessionMeta = (i: ImportedThreadInput): LineDraft => ({
  timestamp: i.timestamp,
  type: 'session_meta',
  payload: {
    account_scoped: true,
    session_id: i.threadId,
    id: i.threadId,
    timestamp: i.timestamp,
    cwd: i.cwd,
    originator: i.originator,
    cli_version: i.cliVersion,
    source: i.source,
    model_provider: i.modelProvider,
    history_mode: 'legacy',
    multi_agent_version: 'v1',
    context_window: { window_id: i.windowId },
  },
});

// Codex's rough token estimate: four bytes a token, rounded up.
const approxTokensFromBytes = (bytes: number): number => Math.ceil(bytes / 4);

/**
 * Folds conversation messages, one at a time, into the rollout lines Codex 0.169.0 writes for an
 * imported session: a turn per user message (`external-import-turn-N`, started at the message's
 * time), each message as its event and its response item, assistant messages before the first
 * user message dropped; at the end the import marker, a token count estimated from the history up
 * to the last assistant message, four bytes of text a token (so a follow-up compacts first), and the last turn's completion.
 * Memory stays flat: only the running estimate and the open turn are kept.
 */
export class ImportedRolloutFold {
  private turns = 0;
  private openTurn: { id: string; startedAt: number | null } | undefined;
  private lastTimestamp: number | null = null;
  private textBytesSoFar = 0;
  private textBytesToLastAssistant = 0;

  constructor(private readonly timestamp: string) {}

  /** How many turns the messages so far open. */
  get turnCount(): number {
    return this.turns;
  }

  push(message: ConversationMessage): LineDraft[] {
    const out: LineDraft[] = [];
    if (message.role === 'user') {
      if (this.openTurn !== undefined) out.push(this.taskComplete(this.openTurn, undefined));
      this.turns += 1;
      this.openTurn = { id: `external-import-turn-${this.turns}`, startedAt: message.timestamp };
      out.push(
        this.event({
          type: 'task_started',
          turn_id: this.openTurn.id,
          started_at: message.timestamp,
          model_context_window: null,
          collaboration_mode_kind: 'default',
        }),
        this.event({
          type: 'user_message',
          message: message.text,
          local_images: [],
          local_audio: [],
          text_elements: [],
        }),
        this.responseItem('user', 'input_text', message.text),
      );
    } else {
      if (this.openTurn === undefined) return out;
      out.push(
        this.event({ type: 'agent_message', message: message.text, phase: null, memory_citation: null }),
        this.responseItem('assistant', 'output_text', message.text),
      );
      this.textBytesToLastAssistant = this.textBytesSoFar;
    }
    this.lastTimestamp = message.timestamp;
    return out;
  }

  /** The closing lines; none when no user message opened a turn (nothing to import). */
  finish(): LineDraft[] {
    if (this.openTurn === undefined) return [];
    const usage = {
      input_tokens: 0,
      cached_input_tokens: 0,
      cache_write_input_tokens: 0,
      output_tokens: 0,
      reasoning_output_tokens: 0,
      total_tokens: approxTokensFromBytes(this.textBytesToLastAssistant),
    };
    return [
      this.event({
        type: 'agent_message',
        message: EXTERNAL_SESSION_IMPORTED_MARKER,
        phase: null,
        memory_citation: null,
      }),
      this.event({
        type: 'token_count',
        info: { total_token_usage: usage, last_token_usage: usage, model_context_window: null },
        rate_limits: null,
      }),
      this.taskComplete(this.openTurn, this.lastTimestamp),
    ];
  }

  private taskComplete(
    turn: { id: string; startedAt: number | null },
    completedAt: number | null | undefined,
  ): LineDraft {
    return this.event({
      type: 'task_complete',
      turn_id: turn.id,
      last_agent_message: null,
      ...(turn.startedAt === null ? {} : { started_at: turn.startedAt }),
      ...(completedAt === undefined || completedAt === null ? {} : { completed_at: completedAt }),
    });
  }

  private event(payload: Record<string, unknown>): LineDraft {
    return { timestamp: this.timestamp, type: 'event_msg', payload };
  }

  private responseItem(role: 'user' | 'assistant', kind: 'input_text' | 'output_text', text: string): LineDraft {
    const payload = { type: 'message', role, content: [{ type: kind, text }] };
    // Codex 0.169.0 estimates from the messages' text (UTF-8 bytes), not their serialised items.
    this.textBytesSoFar += utf8Length(text);
    return { timestamp: this.timestamp, type: 'response_item', payload };
  }
}
