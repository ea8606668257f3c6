/**
 * io-ts codecs for the rollout line shapes written by Codex before the
 * `{timestamp, type, payload}` envelope existed.
 *
 * Provenance (read in the public openai/codex history; our own code, nothing copied):
 *
 * - Format "bare-v1" — `codex-rs/core/src/rollout.rs` @ 89a151f502213bec8140159e728170b0d999eca2
 *   (first Rust rollout recorder, sessions dated from May 2025). First line is a bare
 *   `SessionMeta {id: String, timestamp: String, instructions?: String}` (instructions skipped when
 *   absent). Then one bare `ResponseItem` per line, but only `message`, `local_shell_call`,
 *   `function_call`, `function_call_output` (reasoning was NOT written). State snapshots are
 *   `{"record_type":"state","previous_response_id"?:…}` (SessionStateSnapshot flattened).
 *   The meta timestamp came from `OffsetDateTime::now_local()` formatted with a literal `Z`, so on
 *   a non-UTC machine it is local wall-clock time mislabelled as UTC.
 *
 * - Format "bare-v2" (`SessionMetaWithGit`) — later `codex-rs/core/src/rollout.rs` (same path,
 *   summer 2025; exact commit not resolvable in the index). `SessionMeta {id: Uuid, timestamp,
 *   instructions: Option<String>}` is now serialised WITHOUT skip, so `"instructions":null` appears;
 *   `git {commit_hash?, branch?, repository_url?}` is flattened next to it when the cwd was a git
 *   repository. `reasoning` items are now written too. `SessionStateSnapshot {}` became empty, so the
 *   state line is just `{"record_type":"state"}`. The timestamp is converted to UTC before formatting.
 *
 * - Format "record-typed" — `codex-rs/core/src/rollout/recorder.rs` (short-lived, just before the
 *   envelope; exact commit not resolvable). First line `{"record_type":"session_meta", id, timestamp,
 *   cwd, originator, cli_version, instructions, git?}`; events as
 *   `{"record_type":"event","id":<submission id>,"msg":{"type":…}}`; extra session metas as
 *   `{"record_type":"prev_session_meta",…}`; response items bare (or `record_type:"response"`);
 *   `record_type:"state"` lines are skipped by its reader.
 *
 * - Envelope — `RolloutLine {timestamp, #[serde(flatten)] RolloutItem}` with
 *   `#[serde(tag = "type", content = "payload")]`; its first `SessionMeta` still had
 *   `instructions: Option<String>` (+ `source`, `model_provider`), later replaced by
 *   `base_instructions: Option<{text}>` (no serde alias: an old `instructions` key is simply ignored).
 *
 * How modern Codex treats the pre-envelope lines: its reader (`codex-rs/rollout/src/recorder.rs`
 * `load_rollout_items`) JSON-parses each line, tries `decode_rollout_line`, and on failure only
 * counts a parse error and skips the line; the thread id comes from the first decodable
 * `session_meta`, and without one `get_rollout_history` fails ("failed to parse thread ID from
 * rollout file"). So a bare-format file is unreadable for modern Codex (not resumable, not listed).
 */
import * as t from 'io-ts';

const nullableString = t.union([t.string, t.null]);

/** `GitInfo` (all fields optional, `skip_serializing_if = "Option::is_none"`). */
export const LegacyGitInfo = t.partial({
  commit_hash: nullableString,
  branch: nullableString,
  repository_url: nullableString,
});
export type LegacyGitInfo = t.TypeOf<typeof LegacyGitInfo>;

/**
 * Session meta as written on the first line of bare-v1 / bare-v2 / record-typed files.
 * Only `id` and `timestamp` are required; everything else is optional and kept verbatim.
 */
export const LegacySessionMeta = t.intersection([
  t.type({ id: t.string, timestamp: t.string }),
  t.partial({
    instructions: nullableString,
    cwd: t.string,
    originator: t.string,
    cli_version: t.string,
    model_provider: nullableString,
    git: t.union([LegacyGitInfo, t.null]),
  }),
]);
export type LegacySessionMeta = t.TypeOf<typeof LegacySessionMeta>;

/** `{"record_type":"state", …SessionStateSnapshot}`; v1 had `previous_response_id`, v2 nothing. */
export const LegacyStateSnapshot = t.intersection([
  t.type({ record_type: t.literal('state') }),
  t.partial({ previous_response_id: nullableString }),
]);
export type LegacyStateSnapshot = t.TypeOf<typeof LegacyStateSnapshot>;

/** `{"record_type":"event","id":…,"msg":{"type":…}}` (record-typed format). */
export const LegacyRecordTypedEvent = t.type({
  record_type: t.literal('event'),
  id: t.string,
  msg: t.intersection([t.type({ type: t.string }), t.UnknownRecord]),
});
export type LegacyRecordTypedEvent = t.TypeOf<typeof LegacyRecordTypedEvent>;

const ContentParts = t.array(t.intersection([t.type({ type: t.string }), t.UnknownRecord]));

/** Bare `ResponseItem` shapes of the pre-envelope era (internally tagged by `type`). */
export const LegacyMessageItem = t.type({ type: t.literal('message'), role: t.string, content: ContentParts });
export const LegacyReasoningItem = t.intersection([
  t.type({ type: t.literal('reasoning'), summary: t.array(t.unknown) }),
  t.partial({ id: t.string, content: t.unknown, encrypted_content: nullableString }),
]);
export const LegacyFunctionCallItem = t.intersection([
  t.type({ type: t.literal('function_call'), name: t.string, arguments: t.string, call_id: t.string }),
  t.partial({ id: t.string }),
]);
/** `output` was a plain string (FunctionCallOutputPayload serialised as its content) in that era. */
export const LegacyFunctionCallOutputItem = t.type({
  type: t.literal('function_call_output'),
  call_id: t.string,
  output: t.union([t.string, t.UnknownRecord]),
});
export const LegacyLocalShellCallItem = t.intersection([
  t.type({ type: t.literal('local_shell_call'), status: t.string, action: t.UnknownRecord }),
  t.partial({ id: nullableString, call_id: nullableString }),
]);

/** The item kinds whose shape we check; any other `type` is kept verbatim (Codex: `ResponseItem::Other`). */
export const knownLegacyItemCodecs: Readonly<Record<string, t.Decoder<unknown, unknown>>> = {
  message: LegacyMessageItem,
  reasoning: LegacyReasoningItem,
  function_call: LegacyFunctionCallItem,
  function_call_output: LegacyFunctionCallOutputItem,
  local_shell_call: LegacyLocalShellCallItem,
};

/** Any bare response item: an object with a string `type`. */
export const LegacyResponseItem = t.intersection([t.type({ type: t.string }), t.UnknownRecord]);
export type LegacyResponseItem = t.TypeOf<typeof LegacyResponseItem>;
