import * as t from 'io-ts';
import { optional } from './common.js';
import { serdeUnitEnum } from '../../serdeUnitEnum.js';

/**
 * An image's detail: codex-rs/protocol/src/models.rs `ImageDetail` (`rename_all = "lowercase"`;
 * 0.169.0's schema: auto, low, high, original). Any other value is a line Codex's serde refuses.
 */
export const ImageDetail = t.keyof({ auto: null, low: null, high: null, original: null });
/** Per image, its detail or none (`Vec<Option<ImageDetail>>`, `#[serde(default)]`: absent or a list, never null). */
const ImageDetails = t.array(t.union([ImageDetail, t.null]));

/** Legacy-mode item events: the API numbers them `item-N` across the thread. */
export const UserMessageEvent = t.intersection([
  t.type({ type: t.literal('user_message'), message: t.string }),
  t.partial({
    images: t.unknown,
    local_images: t.unknown,
    text_elements: t.unknown,
    kind: t.unknown,
    // codex-rs/protocol/src/protocol.rs `UserMessageEvent`, with serde's rules, so that a line Codex
    // refuses (and drops: measured, a null `local_audio` or `image_details`, a detail "ultra", a
    // number in `audio`) is refused here too: `client_id: Option<String>`, the details indexed like
    // `images` / `local_images`, `audio: Option<Vec<String>>`, `local_audio: Vec<PathBuf>` (default).
    client_id: optional(t.string),
    image_details: ImageDetails,
    local_image_details: ImageDetails,
    audio: optional(t.array(t.string)),
    local_audio: t.array(t.string),
  }),
]);
export type UserMessageEvent = t.TypeOf<typeof UserMessageEvent>;
/**
 * How an agent message was delivered: codex-rs/protocol/src/items.rs `AgentMessageDelivery`
 * (`rename_all = "camelCase"`, one variant: `async`, a message sent while no turn waited for it).
 * Any other value is a line Codex's serde refuses too.
 */
export const AgentMessageDelivery = serdeUnitEnum(t.literal('async'));
/**
 * An agent message's `phase` (models.rs `MessagePhase`), read as whatever the line holds (which
 * names Codex refuses, codexSerde.ts says) but serde's map form of a name read as the name: Codex
 * answers `{"final_answer": null}` as `final_answer` (measured on 0.169.0: serdeEnumMaps.compat).
 */
export const MessagePhaseName = serdeUnitEnum(t.unknown);
/**
 * A question an agent message asks back (0.169.0's `AsyncUserInputQuestion`, 2 fields; not in the
 * source basis): serde denies unknown fields, so a question with another key is a line Codex drops
 * (measured on 0.169.0: test/compat/passThroughFields.compat.spec.ts), as is one without `title`.
 */
export const AsyncUserInputQuestion = t.refinement(
  t.intersection([t.type({ title: t.string }), t.partial({ options: optional(t.array(t.string)) })]),
  (q) => Object.keys(q).every((k) => k === 'title' || k === 'options'),
  'AsyncUserInputQuestion (no other field)',
);
export type AsyncUserInputQuestion = t.TypeOf<typeof AsyncUserInputQuestion>;
/**
 * 0.169.0's `AgentMessageDisplay` (4 fields; not in the source basis). On the line as in the
 * answer, camelCase (a snake_case `block_type` is an unknown field, ignored: measured); `action` is
 * required, the rest may be absent or null, unknown fields are ignored.
 */
export const AgentMessageDisplay169 = t.intersection([
  t.type({ action: t.string }),
  t.partial({
    blockType: optional(t.string),
    cyberTrustedAccess: optional(t.boolean),
    checkTrustedContacts: optional(t.boolean),
  }),
]);
export type AgentMessageDisplay169 = t.TypeOf<typeof AgentMessageDisplay169>;
/**
 * How Chat should present a moderated answer (`AgentMessageModeration`: `moderated` required, a
 * line without it is dropped by both versions). Its `display` is kept as the line has it: each
 * version reads it in its own shape (0.169.0's `AgentMessageDisplay169`, 0.171.0's union tagged by
 * `mode`), and a display one version cannot read drops the item for 0.169.0 but not for 0.171.0
 * (protocol/itemDeltas.ts, measured on both binaries: test/compat/itemDeltas.compat.spec.ts).
 */
export const AgentMessageModeration = t.intersection([
  t.type({ moderated: t.boolean }),
  t.partial({ display: t.unknown }),
]);
export type AgentMessageModeration = t.TypeOf<typeof AgentMessageModeration>;
export const AgentMessageEvent = t.intersection([
  t.type({ type: t.literal('agent_message'), message: t.string }),
  // codex-rs/protocol/src/protocol.rs `AgentMessageEvent.delivery`: `AgentMessageDelivery`, one variant, `async` (items.rs).
  // `questions`, `moderation`: 0.169.0's (binary: AgentMessageEvent with 6 elements). A legacy
  // message with any `moderation` but null (an object as the item's, `{}`, a string) is shown by
  // no item in 0.169.0 (measured), so its value is not read further.
  t.partial({
    phase: MessagePhaseName,
    memory_citation: t.unknown,
    delivery: optional(AgentMessageDelivery),
    questions: optional(t.array(AsyncUserInputQuestion)),
    moderation: t.unknown,
  }),
]);
/**
 * Whether 0.169.0 hides a legacy agent message for its moderation: any `moderation` but null
 * (measured: no item in its history, test/compat/passThroughFields.compat.spec.ts, and not found
 * by its `thread/search`, whose `conversation_text_from_item` (codex-rs/rollout/src/search.rs)
 * reads the event; the basis predates the field).
 */
export const hiddenByModeration = (payload: { readonly moderation?: unknown }): boolean =>
  payload.moderation !== undefined && payload.moderation !== null;

export const AgentReasoningEvent = t.type({ type: t.literal('agent_reasoning'), text: t.string });
export const AgentReasoningRawContentEvent = t.type({ type: t.literal('agent_reasoning_raw_content'), text: t.string });
export const ContextCompactedEvent = t.type({ type: t.literal('context_compacted') });

export const ReviewOutput = t.partial({
  findings: t.array(
    t.partial({
      title: t.string,
      body: t.string,
      confidence_score: t.number,
      priority: optional(t.number),
      code_location: t.partial({
        absolute_file_path: t.string,
        line_range: t.partial({ start: t.number, end: t.number }),
      }),
    }),
  ),
  overall_correctness: t.string,
  overall_explanation: t.string,
  overall_confidence_score: t.number,
});
export type ReviewOutput = t.TypeOf<typeof ReviewOutput>;

export const EnteredReviewModeEvent = t.intersection([
  t.type({ type: t.literal('entered_review_mode') }),
  t.partial({
    target: t.unknown,
    user_facing_hint: optional(t.string),
    turn_id: optional(t.string),
    item_id: optional(t.string),
  }),
]);
export const ExitedReviewModeEvent = t.intersection([
  t.type({ type: t.literal('exited_review_mode') }),
  t.partial({ review_output: optional(ReviewOutput), turn_id: optional(t.string), item_id: optional(t.string) }),
]);
