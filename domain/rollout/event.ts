import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import type { RolloutLine } from './line.js';
import { payloadType } from './line.js';
import { renderDecodeErrors } from '../decodeErrors.js';
import { SessionMetaPayload } from './kinds/sessionMeta.js';
import { TurnContextPayload } from './kinds/turnContext.js';
import { TokenUsageRecordPayload } from './kinds/tokenUsageRecord.js';
import { CompactedPayload } from './kinds/compacted.js';
import { WorldStatePayload } from './kinds/worldState.js';
import { ResponseItemPayload } from './kinds/responseItem.js';
import {
  TaskStarted,
  TaskComplete,
  TurnAborted,
  ThreadRolledBack,
  ThreadSettingsApplied,
  TokenCount,
} from './kinds/turnEvents.js';
import {
  UserMessageEvent,
  AgentMessageEvent,
  AgentReasoningEvent,
  AgentReasoningRawContentEvent,
  ContextCompactedEvent,
  EnteredReviewModeEvent,
  ExitedReviewModeEvent,
} from './kinds/legacyItemEvents.js';
import { ItemCompleted, isKnownTurnItemShape, KnownTurnItem } from './kinds/itemCompleted.js';
import {
  ImageGenerationEndEvent,
  McpToolCallEndEvent,
  PatchApplyEndEvent,
  SubAgentActivityEvent,
  WebSearchEndEvent,
} from './kinds/toolCallItems.js';
import { decodeShape } from '../decodeShape.js';
import { codexRefusal } from './codexSerde.js';
import { historyModeRefusal } from './historyMode.js';
import {
  codexNumbersLegacyLine,
  EVENT_MSG_KINDS,
  RESPONSE_ITEM_TYPES,
  TOP_LEVEL_KINDS,
  type DecodedLineKind,
} from './lineKinds.js';

/** Legacy-mode `event_msg/error` (older Codex): marks the open turn failed. */
const ErrorEvent = t.intersection([
  t.type({ type: t.literal('error'), message: t.string }),
  t.partial({ codex_error_info: t.unknown }),
]);

/**
 * The typed view of one rollout line, by kind. `other` is a kind we do not interpret (kept verbatim);
 * `invalid` is a known kind whose payload does not have the expected shape (reported, never dropped).
 */
export type RolloutEvent =
  | { readonly kind: 'sessionMeta'; readonly payload: t.TypeOf<typeof SessionMetaPayload> }
  | { readonly kind: 'turnContext'; readonly payload: t.TypeOf<typeof TurnContextPayload> }
  | { readonly kind: 'worldState'; readonly payload: t.TypeOf<typeof WorldStatePayload> }
  | { readonly kind: 'tokenUsageRecord'; readonly payload: t.TypeOf<typeof TokenUsageRecordPayload> }
  | { readonly kind: 'compacted'; readonly payload: t.TypeOf<typeof CompactedPayload> }
  | { readonly kind: 'responseItem'; readonly payload: t.TypeOf<typeof ResponseItemPayload> }
  | { readonly kind: 'taskStarted'; readonly payload: t.TypeOf<typeof TaskStarted> }
  | { readonly kind: 'taskComplete'; readonly payload: t.TypeOf<typeof TaskComplete> }
  | { readonly kind: 'turnAborted'; readonly payload: t.TypeOf<typeof TurnAborted> }
  | { readonly kind: 'threadRolledBack'; readonly payload: t.TypeOf<typeof ThreadRolledBack> }
  | { readonly kind: 'threadSettingsApplied'; readonly payload: t.TypeOf<typeof ThreadSettingsApplied> }
  | { readonly kind: 'tokenCount'; readonly payload: t.TypeOf<typeof TokenCount> }
  | {
      readonly kind: 'itemCompleted';
      readonly payload: t.TypeOf<typeof ItemCompleted>;
      /** The item decoded by type, or null for an item type this version does not know. */
      readonly item: KnownTurnItem | null;
    }
  | { readonly kind: 'userMessage'; readonly payload: t.TypeOf<typeof UserMessageEvent> }
  | { readonly kind: 'agentMessage'; readonly payload: t.TypeOf<typeof AgentMessageEvent> }
  | { readonly kind: 'agentReasoning'; readonly payload: t.TypeOf<typeof AgentReasoningEvent> }
  | { readonly kind: 'agentReasoningRawContent'; readonly payload: t.TypeOf<typeof AgentReasoningRawContentEvent> }
  | { readonly kind: 'contextCompacted'; readonly payload: t.TypeOf<typeof ContextCompactedEvent> }
  | { readonly kind: 'enteredReviewMode'; readonly payload: t.TypeOf<typeof EnteredReviewModeEvent> }
  | { readonly kind: 'exitedReviewMode'; readonly payload: t.TypeOf<typeof ExitedReviewModeEvent> }
  | { readonly kind: 'error'; readonly payload: t.TypeOf<typeof ErrorEvent> }
  | { readonly kind: 'patchApplyEnd'; readonly payload: t.TypeOf<typeof PatchApplyEndEvent> }
  | { readonly kind: 'mcpToolCallEnd'; readonly payload: t.TypeOf<typeof McpToolCallEndEvent> }
  | { readonly kind: 'webSearchEnd'; readonly payload: t.TypeOf<typeof WebSearchEndEvent> }
  | { readonly kind: 'subAgentActivity'; readonly payload: t.TypeOf<typeof SubAgentActivityEvent> }
  | { readonly kind: 'imageGenerationEnd'; readonly payload: t.TypeOf<typeof ImageGenerationEndEvent> }
  | { readonly kind: 'other'; readonly type: string; readonly payloadType: string | undefined }
  | {
      readonly kind: 'invalid';
      readonly type: string;
      readonly payloadType: string | undefined;
      readonly reason: string;
      /** The line our codec reads but Codex's serde refuses (`codexView`): not quarantined, left out of history only. */
      readonly codexOnly?: true;
      /** With `codexOnly`: the event as we read it. */
      readonly readable?: RolloutEvent;
      /** A session_meta whose `history_mode` Codex refuses by itself (`historyModeRefusal`). */
      readonly historyModeRefused?: true;
    };

/** The codec of each kind's payload; `itemCompleted`'s item is decoded again by its type (`classifyRolloutLine`). */
export const PAYLOAD_CODECS: { readonly [K in DecodedLineKind]: t.Mixed } = {
  sessionMeta: SessionMetaPayload,
  turnContext: TurnContextPayload,
  worldState: WorldStatePayload,
  tokenUsageRecord: TokenUsageRecordPayload,
  compacted: CompactedPayload,
  taskStarted: TaskStarted,
  taskComplete: TaskComplete,
  turnAborted: TurnAborted,
  threadRolledBack: ThreadRolledBack,
  threadSettingsApplied: ThreadSettingsApplied,
  tokenCount: TokenCount,
  itemCompleted: ItemCompleted,
  userMessage: UserMessageEvent,
  agentMessage: AgentMessageEvent,
  agentReasoning: AgentReasoningEvent,
  agentReasoningRawContent: AgentReasoningRawContentEvent,
  contextCompacted: ContextCompactedEvent,
  enteredReviewMode: EnteredReviewModeEvent,
  exitedReviewMode: ExitedReviewModeEvent,
  error: ErrorEvent,
  patchApplyEnd: PatchApplyEndEvent,
  mcpToolCallEnd: McpToolCallEndEvent,
  webSearchEnd: WebSearchEndEvent,
  subAgentActivity: SubAgentActivityEvent,
  imageGenerationEnd: ImageGenerationEndEvent,
  responseItem: ResponseItemPayload,
};

/** The kinds `RolloutEvent` declares are the decoder's, and only those (a compile error otherwise). */
type SameKinds<A, B> = [A] extends [B] ? ([B] extends [A] ? true : never) : never;
const eventKindsAreTheDecoders: SameKinds<Exclude<RolloutEvent['kind'], 'other' | 'invalid'>, DecodedLineKind> = true;
void eventKindsAreTheDecoders;
/** The response item types the decoder reads are those its codec decodes. */
const responseTypesAreTheCodecs: SameKinds<
  (typeof RESPONSE_ITEM_TYPES)[number],
  t.TypeOf<typeof ResponseItemPayload>['type']
> = true;
void responseTypesAreTheCodecs;

/** Maps, not object literals: a miss on a literal walks its prototype (`constructor`, …). */
const topLevel: ReadonlyMap<string, DecodedLineKind> = new Map(Object.entries(TOP_LEVEL_KINDS));
const eventMsgs: ReadonlyMap<string, DecodedLineKind> = new Map(Object.entries(EVENT_MSG_KINDS));
const responseItemTypes: ReadonlySet<string> = new Set(RESPONSE_ITEM_TYPES);

const decodeWith = (kind: DecodedLineKind, line: RolloutLine, pType: string | undefined): RolloutEvent => {
  const r = decodeShape(PAYLOAD_CODECS[kind], line.payload);
  if (E.isLeft(r)) {
    const refusedMode =
      kind === 'sessionMeta' &&
      historyModeRefusal((line.payload as { history_mode?: unknown } | null)?.history_mode) !== undefined;
    return {
      kind: 'invalid',
      type: line.type,
      payloadType: pType,
      reason: renderDecodeErrors(r.left),
      ...(refusedMode ? { historyModeRefused: true as const } : {}),
    };
  }
  return { kind, payload: r.right } as RolloutEvent;
};

/** Classify a decoded line into its typed event. Pure; never throws. */
export const classifyRolloutLine = (line: RolloutLine): RolloutEvent => {
  const pType = payloadType(line);
  const top = topLevel.get(line.type);
  if (top) return decodeWith(top, line, pType);
  // Codex's event messages and response items are tagged by `payload.type`: one without it is a
  // line Codex itself cannot read, reported (quarantined) rather than passed over as a kind we do not know.
  if ((line.type === 'event_msg' || line.type === 'response_item') && pType === undefined)
    return {
      kind: 'invalid',
      type: line.type,
      payloadType: undefined,
      reason: 'payload: expected an object with a string type',
    };
  if (line.type === 'event_msg') {
    if (pType === 'item_completed') {
      const r = decodeShape(ItemCompleted, line.payload);
      if (E.isLeft(r))
        return { kind: 'invalid', type: line.type, payloadType: pType, reason: renderDecodeErrors(r.left) };
      const item = decodeShape(KnownTurnItem, r.right.item);
      if (E.isRight(item)) return { kind: 'itemCompleted', payload: r.right, item: item.right };
      // A known item type with a broken shape is invalid; an unknown item type is just not rendered.
      if (isKnownTurnItemShape(r.right.item)) {
        return { kind: 'invalid', type: line.type, payloadType: pType, reason: renderDecodeErrors(item.left) };
      }
      return { kind: 'itemCompleted', payload: r.right, item: null };
    }
    const kind = pType === undefined ? undefined : eventMsgs.get(pType);
    if (kind) return decodeWith(kind, line, pType);
    return { kind: 'other', type: line.type, payloadType: pType };
  }
  if (line.type === 'response_item' && pType !== undefined && responseItemTypes.has(pType)) {
    return decodeWith('responseItem', line, pType);
  }
  return { kind: 'other', type: line.type, payloadType: pType };
};

/**
 * The event as Codex 0.169 reads its line back: `invalid` (`codexOnly`) when Codex's serde refuses
 * a payload our codec read (codexSerde.ts), else the event. Codex skips such a line
 * (rollout/src/recorder.rs `load_rollout_items`), so the folds that answer as Codex does (a
 * thread's turns, items, preview, model and recency) take this view, and the ones that are ours
 * (tokens, search, analytics) the event: one decision per line, made here.
 */
export const codexView = (line: RolloutLine, ev: RolloutEvent, index: number): RolloutEvent => {
  // A file's own meta (its first line) stays ours: a meta Codex refuses makes it refuse the whole
  // thread, which its reads and lists decide from the thread's row (`codexRefusesMeta`).
  if (ev.kind === 'invalid' || ev.kind === 'other' || (ev.kind === 'sessionMeta' && index === 0)) return ev;
  const refusal = codexRefusal(ev.kind, ev.payload);
  return refusal === undefined
    ? ev
    : {
        kind: 'invalid',
        type: line.type,
        payloadType: payloadType(line),
        reason: `Codex 0.169 does not decode it: ${refusal}`,
        codexOnly: true,
      };
};

/**
 * Whether Codex 0.169 numbers this decoded legacy line (`codexNumbersLegacyLine`): a line it
 * cannot decode either (`invalid`) is not numbered; an `item_completed` by its item's type.
 */
export const codexNumbersLegacyEvent = (line: RolloutLine, ev: RolloutEvent): boolean => {
  if (ev.kind === 'invalid') return false;
  const itemType =
    ev.kind === 'itemCompleted' ? (ev.payload.item as { type?: unknown } | null | undefined)?.type : undefined;
  return codexNumbersLegacyLine(line.type, payloadType(line), typeof itemType === 'string' ? itemType : undefined);
};

/**
 * Why Codex 0.169 refuses every read of a thread whose file holds `texts` (its lines in order),
 * in its words after `failed to read session metadata <path>: ` (`<path>` for the file's path),
 * or undefined when it reads the thread's meta. Codex reads a file's head as the records it
 * decodes, keeping only session metas and response items (rollout/src/list.rs
 * `read_head_for_summary`), and takes the first as the thread's meta (`read_session_meta_line`):
 * none is "is empty", a response item "does not start with session metadata". A meta whose
 * `history_mode` is a name Codex does not know is refused by name first. The thread store wraps
 * the error once more when the file holds a line Codex decodes (measured on 0.169.0: a meta-only
 * file is refused with the message once, one with a later line Codex reads with it twice).
 */
export const codexMetaRefusal = (
  texts: Iterable<string>,
  decode: (text: string) => E.Either<unknown, RolloutLine>,
): string | undefined => {
  let head: 'meta' | 'response' | undefined;
  let modeRefusal: string | undefined;
  let metaRead = false;
  let decodes = false;
  for (const text of texts) {
    if (text.trim() === '') continue;
    const line = decode(text.trim());
    if (E.isLeft(line)) continue;
    const ours = classifyRolloutLine(line.right);
    // Until a meta is read, every session_meta line's `history_mode` is asked of its JSON alone,
    // whatever else of it Codex refuses (codex-rs rollout/src/recorder.rs
    // `reject_unknown_thread_history_mode`, called while no meta is parsed: list.rs
    // `read_head_summary`, recorder.rs `load_rollout_items`); the first it refuses refuses the file.
    // Measured on 0.169.0: fuzzer `--replay 20261150:4:0:17` (a first meta's `timestamp: -1`, a
    // second's mode `""`) and `--replay 20261170:520:0:3` (one meta, its mode unknown and its
    // `forked_from_ordinal_exclusive: -1`).
    if (!metaRead && modeRefusal === undefined && line.right.type === 'session_meta') {
      const payload = line.right.payload;
      const mode =
        typeof payload === 'object' && payload !== null
          ? (payload as Record<string, unknown>)['history_mode']
          : undefined;
      modeRefusal = historyModeRefusal(mode);
    }
    const read =
      ours.kind === 'sessionMeta'
        ? codexRefusal('sessionMeta', ours.payload) === undefined
        : ours.kind !== 'other' && codexView(line.right, ours, 1).kind !== 'invalid';
    if (read && ours.kind === 'sessionMeta') metaRead = true;
    if (read && ours.kind !== 'sessionMeta') decodes = true;
    if (head !== undefined) {
      if (decodes) break;
      continue;
    }
    if (ours.kind === 'sessionMeta' && read) head = 'meta';
    // Any response item Codex decodes (its `ResponseItem` reads an unknown type as `Other`).
    else if (
      line.right.type === 'response_item' &&
      payloadType(line.right) !== undefined &&
      (ours.kind === 'other' || read)
    )
      head = 'response';
  }
  if (modeRefusal !== undefined) return modeRefusal;
  if (head === 'meta') return undefined;
  const why = `rollout at <path> ${head === 'response' ? 'does not start with session metadata' : 'is empty'}`;
  return decodes ? `thread-store internal error: failed to read session metadata <path>: ${why}` : why;
};
