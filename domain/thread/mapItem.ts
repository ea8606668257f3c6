import type { KnownTurnItem } from '../rollout/kinds/itemCompleted.js';
import type { ThreadItemBody, UserInputContent } from './threadItem.js';
import { shellJoin } from './shellJoin.js';
import { toCommandAction } from './commandActions.js';
import { renderReviewOutput } from './reviewText.js';
import { snakeToCamel } from './snakeToCamel.js';

/** Shown for a review whose request carried no hint. */
export const REVIEW_REQUESTED = 'Review requested.';

const textOf = (content: ReadonlyArray<Record<string, unknown>> | undefined): string =>
  (content ?? []).map((c) => (typeof c['text'] === 'string' ? c['text'] : '')).join('');

const stripFileUrl = (cwd: string | null | undefined): string => {
  if (!cwd) return '';
  if (!cwd.startsWith('file://')) return cwd;
  try {
    return decodeURIComponent(cwd.slice('file://'.length));
  } catch {
    return cwd.slice('file://'.length);
  }
};

const camelStatus = (s: string | null | undefined): string => snakeToCamel(s ?? 'completed');

/** Paginated `item_completed.item` → API ThreadItem body (times are added by the fold). */
export const mapPaginatedItem = (item: KnownTurnItem): ThreadItemBody => {
  switch (item.type) {
    case 'UserMessage':
      return { type: 'userMessage', id: item.id, clientId: item.client_id ?? null, content: (item.content ?? []) as UserInputContent[] };
    case 'AgentMessage':
      return {
        type: 'agentMessage',
        moderation: null,
        id: item.id,
        text: textOf(item.content),
        phase: item.phase ?? null,
        memoryCitation: item.memory_citation ?? null,
        delivery: null,
        questions: null,
      };
    case 'Reasoning':
      return { type: 'reasoning', id: item.id, summary: item.summary_text ?? [], content: item.raw_content ?? [] };
    case 'CommandExecution':
      return {
        type: 'commandExecution',
        id: item.id,
        pluginId: null,
        scriptPath: null,
        command: shellJoin(item.command),
        cwd: stripFileUrl(item.cwd),
        processId: item.process_id ?? null,
        source: camelStatus(item.source ?? 'agent'),
        status: camelStatus(item.status),
        commandActions: (item.parsed_cmd ?? []).map((p) => toCommandAction(p, stripFileUrl(item.cwd))),
        // Codex reports an empty output as null.
        aggregatedOutput: item.aggregated_output ? item.aggregated_output : null,
        exitCode: item.exit_code ?? null,
        durationMs: item.duration ? item.duration.secs * 1000 + Math.floor(item.duration.nanos / 1_000_000) : null,
      };
    case 'ContextCompaction':
      return { type: 'contextCompaction', id: item.id };
    case 'EnteredReviewMode':
      return { type: 'enteredReviewMode', id: item.id, review: item.user_facing_hint ?? REVIEW_REQUESTED };
    case 'ExitedReviewMode':
      return { type: 'exitedReviewMode', id: item.id, review: renderReviewOutput(item.review_output) };
  }
};

/** Legacy `user_message` → the API's user input content. */
export const legacyUserContent = (payload: { message: string; images?: unknown; local_images?: unknown; text_elements?: unknown }): UserInputContent[] => {
  const content: UserInputContent[] = [];
  if (Array.isArray(payload.images)) {
    for (const url of payload.images) if (typeof url === 'string') content.push({ type: 'image', url });
  }
  if (Array.isArray(payload.local_images)) {
    for (const path of payload.local_images) if (typeof path === 'string') content.push({ type: 'localImage', path });
  }
  // Codex leaves the text part out when the message is only whitespace.
  if (payload.message.trim() !== '') {
    content.unshift({ type: 'text', text: payload.message, text_elements: Array.isArray(payload.text_elements) ? payload.text_elements : [] });
  }
  return content;
};
