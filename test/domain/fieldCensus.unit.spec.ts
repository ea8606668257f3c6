// Issue 53 (item 2): the field census. Every field of every rollout line variant Codex declares
// (test/fixtures/codexSerdeFields.json, read from Codex's Rust source with serde's renames; the
// response items from the schema the pinned binary prints) and of every ThreadItem (that schema) is
// either read by our decoder / produced by our mapper, or on a list below with the reason: Codex
// does not render it, or it is a gap we know of (Codex renders it, we do not yet). A field on no
// list, a field we read that Codex does not declare, and a list entry that no longer applies fail.
import { expect } from 'chai';
import * as t from 'io-ts';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { PAYLOAD_CODECS } from '../../domain/rollout/event.js';
import { EVENT_MSG_KINDS, TOP_LEVEL_KINDS } from '../../domain/rollout/lineKinds.js';
import { KnownTurnItem } from '../../domain/rollout/kinds/itemCompleted.js';
import { ResponseItemPayload } from '../../domain/rollout/kinds/responseItem.js';
import { THREAD_ITEM_TYPES, type ThreadItemBody } from '../../domain/thread/threadItem.js';
import { answerSchema, CodexSchema } from '../fixtures/codexSchema.js';

interface SerdeVariant {
  readonly line: string;
  readonly tag: string;
  readonly struct: string | null;
  readonly file: string | null;
  readonly fields: readonly string[] | null;
  readonly tagField?: string;
}
interface SerdeFields {
  readonly source: { readonly repo: string; readonly commit: string; readonly files: readonly string[] };
  readonly variants: readonly SerdeVariant[];
  readonly nested: ReadonlyArray<{ readonly struct: string; readonly fields: readonly string[] }>;
}
const SERDE = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../test/fixtures/codexSerdeFields.json', import.meta.url)), 'utf8'),
) as SerdeFields;

/** A variant's name in the census: `event_msg/task_started`, `item/McpToolCall`, `thread_item/plan`, `session_meta`. */
const variantName = (v: SerdeVariant): string =>
  v.line === v.tag ? v.line : v.line === 'item_completed.item' ? `item/${v.tag}` : `${v.line}/${v.tag}`;

// ---- our side: the fields our codecs declare, found in the codecs themselves ----

/** The props an io-ts codec declares for an object (through intersections, exact and readonly). */
const propsOf = (c: t.Mixed): Map<string, t.Mixed> => {
  if (c instanceof t.InterfaceType || c instanceof t.PartialType) return new Map(Object.entries(c.props as t.Props));
  if (c instanceof t.ExactType || c instanceof t.ReadonlyType) return propsOf(c.type as t.Mixed);
  if (c instanceof t.IntersectionType) return new Map((c.types as t.Mixed[]).flatMap((m) => [...propsOf(m)]));
  // A union of object shapes inside an intersection (an untagged serde enum flattened in: an image's `fileId` or `result`) reads each member's fields.
  if (c instanceof t.UnionType) return new Map((c.types as t.Mixed[]).flatMap((m) => [...propsOf(m)]));
  return new Map();
};
/** The object codec a field holds: through `optional(…)` unions and arrays. */
const objectCodecOf = (c: t.Mixed): t.Mixed | null => {
  if (propsOf(c).size > 0) return c;
  if (c instanceof t.UnionType) return (c.types as t.Mixed[]).map(objectCodecOf).find((m) => m !== null) ?? null;
  if (c instanceof t.ArrayType) return objectCodecOf(c.type as t.Mixed);
  return null;
};
const literalOf = (c: t.Mixed, key: string): string =>
  ((propsOf(c).get(key) as t.LiteralC<string> | undefined)?.value ?? '') as string;

/** The codec our decoder reads each Codex variant with, by census name. */
const OUR_CODECS = new Map<string, t.Mixed>([
  ...Object.entries(TOP_LEVEL_KINDS).map(([tag, kind]): [string, t.Mixed] => [tag, PAYLOAD_CODECS[kind]]),
  ...Object.entries(EVENT_MSG_KINDS).map(([tag, kind]): [string, t.Mixed] => [
    `event_msg/${tag}`,
    PAYLOAD_CODECS[kind],
  ]),
  ...(KnownTurnItem.types as unknown as t.Mixed[]).map((c): [string, t.Mixed] => {
    const type = literalOf(c, 'type');
    return [type === 'Extension' ? `item/Extension/${literalOf(c, 'kind')}` : `item/${type}`, c];
  }),
  ...(ResponseItemPayload.types as unknown as t.Mixed[]).map((c): [string, t.Mixed] => [
    `response_item/${literalOf(c, 'type')}`,
    c,
  ]),
]);

/**
 * Nested objects whose fields are compared too: the Codex struct a field holds, and where our
 * codec for it is (the field path under the variant).
 */
const NESTED: ReadonlyArray<{ readonly variant: string; readonly path: readonly string[]; readonly struct: string }> = [
  { variant: 'session_meta', path: ['git'], struct: 'GitInfo' },
  { variant: 'session_meta', path: ['history_base'], struct: 'HistoryPosition' },
  { variant: 'token_usage_record', path: ['usage'], struct: 'TokenUsage' },
  { variant: 'token_usage_record', path: ['turn_token_usage'], struct: 'TokenUsage' },
  { variant: 'token_usage_record', path: ['thread_token_usage'], struct: 'TokenUsage' },
  { variant: 'event_msg/mcp_tool_call_end', path: ['invocation'], struct: 'McpInvocation' },
  { variant: 'event_msg/exited_review_mode', path: ['review_output'], struct: 'ReviewOutputEvent' },
  { variant: 'event_msg/exited_review_mode', path: ['review_output', 'findings'], struct: 'ReviewFinding' },
  {
    variant: 'event_msg/exited_review_mode',
    path: ['review_output', 'findings', 'code_location'],
    struct: 'ReviewCodeLocation',
  },
  {
    variant: 'event_msg/exited_review_mode',
    path: ['review_output', 'findings', 'code_location', 'line_range'],
    struct: 'ReviewLineRange',
  },
  { variant: 'item/ExitedReviewMode', path: ['review_output'], struct: 'ReviewOutputEvent' },
  { variant: 'item/HookPrompt', path: ['fragments'], struct: 'HookPromptFragment' },
];

// ---- ThreadItem: the fields our mapper produces, held to ThreadItemBody by the compiler ----

type BodyOf<K extends ThreadItemBody['type']> = Extract<ThreadItemBody, { type: K }>;
/** A field typed `null` is always null in our answers: produced, but not mapped from anything. */
type FieldKind<V> = [V] extends [null] ? 'alwaysNull' : 'mapped';
/**
 * Each ThreadItem field our mapper produces, per type, with whether it carries anything: the keys
 * must be exactly those of `ThreadItemBody` (a key missing or extra does not compile), and a field
 * typed `null` must say `alwaysNull`.
 */
const THREAD_ITEM_FIELDS: {
  readonly [K in ThreadItemBody['type']]: {
    readonly [F in Exclude<keyof BodyOf<K>, 'type'>]-?: FieldKind<BodyOf<K>[F]>;
  };
} = {
  userMessage: { id: 'mapped', clientId: 'mapped', content: 'mapped' },
  agentMessage: {
    moderation: 'mapped',
    id: 'mapped',
    text: 'mapped',
    phase: 'mapped',
    memoryCitation: 'mapped',
    delivery: 'mapped',
    questions: 'mapped',
  },
  reasoning: { id: 'mapped', summary: 'mapped', content: 'mapped' },
  commandExecution: {
    id: 'mapped',
    pluginId: 'mapped',
    scriptPath: 'mapped',
    command: 'mapped',
    cwd: 'mapped',
    processId: 'mapped',
    source: 'mapped',
    status: 'mapped',
    commandActions: 'mapped',
    aggregatedOutput: 'mapped',
    exitCode: 'mapped',
    durationMs: 'mapped',
  },
  fileChange: { id: 'mapped', changes: 'mapped', status: 'mapped' },
  mcpToolCall: {
    id: 'mapped',
    server: 'mapped',
    environmentId: 'mapped',
    tool: 'mapped',
    status: 'mapped',
    arguments: 'mapped',
    appContext: 'mapped',
    mcpAppResourceUri: 'mapped',
    mcpAppUi: 'mapped',
    pluginId: 'mapped',
    readOnlyHint: 'mapped',
    result: 'mapped',
    error: 'mapped',
    durationMs: 'mapped',
  },
  webSearch: { id: 'mapped', query: 'mapped', action: 'mapped', results: 'mapped' },
  imageView: { id: 'mapped', path: 'mapped' },
  dynamicToolCall: {
    id: 'mapped',
    namespace: 'mapped',
    tool: 'mapped',
    arguments: 'mapped',
    status: 'mapped',
    contentItems: 'mapped',
    success: 'mapped',
    durationMs: 'mapped',
  },
  collabAgentToolCall: {
    id: 'mapped',
    tool: 'mapped',
    status: 'mapped',
    senderThreadId: 'mapped',
    receiverThreadIds: 'mapped',
    prompt: 'mapped',
    model: 'mapped',
    reasoningEffort: 'mapped',
    agentsStates: 'mapped',
  },
  subAgentActivity: {
    model: 'mapped',
    reasoningEffort: 'mapped',
    id: 'mapped',
    kind: 'mapped',
    agentThreadId: 'mapped',
    agentPath: 'mapped',
  },
  imageGeneration: {
    id: 'mapped',
    status: 'mapped',
    revisedPrompt: 'mapped',
    fileId: 'mapped',
    result: 'mapped',
    transparentBackground: 'mapped',
    failure: 'mapped',
    savedPath: 'mapped',
    inputImages: 'mapped',
    generationId: 'mapped',
  },
  functionCallOutput: { id: 'mapped', name: 'mapped', namespace: 'mapped', output: 'mapped' },
  plan: { id: 'mapped', text: 'mapped' },
  sleep: { id: 'mapped', durationMs: 'mapped' },
  hookPrompt: { id: 'mapped', fragments: 'mapped' },
  contextCompaction: { id: 'mapped' },
  enteredReviewMode: { id: 'mapped', review: 'mapped' },
  exitedReviewMode: { id: 'mapped', review: 'mapped' },
};

// ---- the lists: every Codex field we do not read or map, with its reason ----

interface Listed {
  readonly variant: string;
  readonly field: string;
  readonly reason: string;
}

/** The same reason for several fields of one variant. */
const each = (variant: string, fields: readonly string[], reason: string): Listed[] =>
  fields.map((field) => ({ variant, field, reason }));

const HISTORY = 'codex-rs/app-server-protocol/src/protocol/thread_history.rs';
const ITEM_FROM = 'codex-rs/app-server-protocol/src/protocol/v2/item.rs (From<CoreTurnItem> for ThreadItem)';
const NO_THREAD_FIELD =
  "no field of 0.169.0's v2 Thread or Turn carries it (generate-json-schema); the history builder ignores session_meta lines";

/** Fields Codex declares and does not render into any answer (so we need not read them). */
const NOT_RENDERED: readonly Listed[] = [
  ...each(
    'session_meta',
    [
      'agent_path',
      'dynamic_tools',
      'selected_capability_roots',
      'memory_mode',
      'context_window',
      'account_scoped',
      'runtime_workspace_roots',
    ],
    NO_THREAD_FIELD,
  ),
  ...each(
    'compacted',
    [
      'replacement_history_metadata',
      'mcp_resource_origins',
      'first_window_id',
      'previous_window_id',
      'window_id',
      'retained_context',
      'compaction_response_id',
      'latest_token_usage_record',
      'resume_metadata',
    ],
    `model context for resuming: ${HISTORY} only notes a compaction (handle_compacted keeps the turn), no answer field`,
  ),
  ...each(
    'turn_context',
    [
      'workspace_roots',
      'current_date',
      'timezone',
      'approvals_reviewer',
      'permission_profile',
      'active_permission_profile',
      'network',
      'file_system_sandbox_policy',
      'comp_hash',
      'personality',
      'multi_agent_version',
      'multi_agent_mode',
      'realtime_active',
      'disabled_plugin_ids',
    ],
    `per-turn model context: ${HISTORY} ignores turn_context lines, and no v2 Thread or Turn field carries it`,
  ),
  {
    variant: 'event_msg/task_started',
    field: 'trace_id',
    reason: `a tracing id: ${HISTORY} handle_turn_started does not read it; v2 Turn has no such field`,
  },
  ...each(
    'event_msg/patch_apply_end',
    ['stdout', 'stderr'],
    'codex-rs/app-server-protocol/src/protocol/item_builders.rs build_file_change_end_item takes call_id, changes and status; v2 fileChange has no output',
  ),
  ...each(
    'item/CommandExecution',
    ['interaction_input', 'stdout', 'stderr', 'formatted_output'],
    `${ITEM_FROM} does not copy them; v2 commandExecution has aggregatedOutput only`,
  ),
  {
    variant: 'item/DynamicToolCall',
    field: 'error',
    reason: `${ITEM_FROM} does not copy it; v2 dynamicToolCall has no error`,
  },
  {
    variant: 'item/CollabAgentToolCall',
    field: 'receiver_agents',
    reason: `${ITEM_FROM} copies receiver_thread_ids, not receiver_agents`,
  },
  ...each(
    'item/FileChange',
    ['auto_approved', 'stdout', 'stderr'],
    `${ITEM_FROM}: v2 fileChange is {id, changes, status}`,
  ),
  ...(
    [
      ['message', ['encrypted_content', 'internal_chat_message_metadata_passthrough', 'phase', 'status']],
      ['reasoning', ['encrypted_content', 'internal_chat_message_metadata_passthrough']],
      [
        'function_call',
        [
          'encrypted_content',
          'encrypted_function_args',
          'internal_chat_message_metadata_passthrough',
          'namespace',
          'status',
        ],
      ],
      ['function_call_output', ['id', 'internal_chat_message_metadata_passthrough', 'name', 'namespace']],
    ] as const
  ).flatMap(([type, fields]) =>
    each(
      `response_item/${type}`,
      fields,
      `model context: ${HISTORY} handle_response_item renders only user messages that parse as hook prompts (from content)`,
    ),
  ),
];

/** Fields Codex renders that we drop: known gaps, each to be fixed (docs/codex-source/thread-items.md, Field census gaps; none left on 0.169.0). */
const GAPS: readonly Listed[] = [];

/** Fields our codecs read that the Codex declaration lacks: older writers' names, ours, and tolerant reads. */
const OURS_ONLY: readonly Listed[] = [
  {
    variant: 'item/McpToolCall',
    field: 'environmentId',
    reason:
      "0.171.0's (ThreadItem::McpToolCall.environment_id, a paginated item's answered as written: itemDeltas.compat); 0.169.0 ignores it",
  },
  {
    variant: 'thread_item/mcpToolCall',
    field: 'environmentId',
    reason: "0.171.0's answer field (protocol/itemDeltas.ts); left out for 0.169.0",
  },
  {
    variant: 'session_meta',
    field: 'instructions',
    reason: 'written by older Codex (protocol.rs SessionMeta: “There used to be an instructions field here”)',
  },
  {
    variant: 'session_meta',
    field: 'upcast_from',
    reason:
      'ours: set by our reader on a pre-envelope file it upcasts, never on disk (domain/rollout/kinds/sessionMeta.ts)',
  },
  {
    variant: 'event_msg/user_message',
    field: 'kind',
    reason:
      'written by older Codex (InputMessageKind: plain, user_instructions, environment_context); declared, not used',
  },
  {
    variant: 'event_msg/web_search_end',
    field: 'turn_id',
    reason: 'not in WebSearchEndEvent (source and binary: 4 fields); a tolerant read, unused by the fold',
  },
  {
    variant: 'event_msg/mcp_tool_call_end',
    field: 'turn_id',
    reason:
      'not in the source basis; 0.169.0’s McpToolCallEndEvent has one field the source does not name (binary: 13 elements); a tolerant read',
  },
];

/** Codex variants our decoder does not read at all: why none of their fields reach an answer, or the gap. */
const VARIANTS_NOT_READ: ReadonlyArray<{
  readonly variants: readonly string[];
  readonly status: 'notRendered' | 'gap';
  readonly reason: string;
}> = [
  {
    variants: ['inter_agent_communication', 'inter_agent_communication_metadata', 'security_risk_score'],
    status: 'notRendered',
    reason: `${HISTORY} handle_rollout_item ignores them (it handles event_msg, compacted and response_item lines)`,
  },
  {
    variants: [
      'event_msg/warning',
      'event_msg/guardian_warning',
      'event_msg/realtime_conversation_started',
      'event_msg/realtime_conversation_realtime',
      'event_msg/realtime_conversation_closed',
      'event_msg/realtime_conversation_sdp',
      'event_msg/realtime_conversation_list_voices_response',
      'event_msg/model_reroute',
      'event_msg/model_verification',
      'event_msg/turn_moderation_metadata',
      'event_msg/safety_buffering',
      'event_msg/agent_reasoning_section_break',
      'event_msg/session_configured',
      'event_msg/environment_connected',
      'event_msg/environment_disconnected',
      'event_msg/thread_goal_updated',
      'event_msg/thread_queue_changed',
      'event_msg/mcp_startup_update',
      'event_msg/mcp_startup_complete',
      'event_msg/exec_command_output_delta',
      'event_msg/terminal_interaction',
      'event_msg/exec_approval_request',
      'event_msg/request_permissions',
      'event_msg/request_user_input',
      'event_msg/elicitation_request',
      'event_msg/deprecation_notice',
      'event_msg/stream_error',
      'event_msg/patch_apply_updated',
      'event_msg/turn_diff',
      'event_msg/plan_update',
      'event_msg/shutdown_complete',
      'event_msg/raw_response_item',
      'event_msg/raw_response_completed',
      'event_msg/hook_started',
      'event_msg/hook_completed',
      'event_msg/agent_message_content_delta',
      'event_msg/plan_delta',
      'event_msg/reasoning_content_delta',
      'event_msg/reasoning_raw_content_delta',
    ],
    status: 'notRendered',
    reason: `${HISTORY} handle_event has no arm for them (or ignores them: hook_started, hook_completed)`,
  },
  {
    variants: ['event_msg/exec_command_end', 'event_msg/view_image_tool_call', 'event_msg/dynamic_tool_call_response'],
    status: 'notRendered',
    reason: `the source basis's ${HISTORY} handles them, but 0.169.0 renders nothing for them (measured: compat addOlderLegacyEvents, docs/codex-source/thread-items.md §1)`,
  },
  {
    variants: [
      'event_msg/web_search_begin',
      'event_msg/exec_command_begin',
      'event_msg/guardian_assessment',
      'event_msg/apply_patch_approval_request',
      'event_msg/patch_apply_begin',
      'event_msg/mcp_tool_call_begin',
      'event_msg/image_generation_begin',
      'event_msg/item_started',
      'event_msg/dynamic_tool_call_request',
      'event_msg/collab_agent_spawn_begin',
      'event_msg/collab_agent_spawn_end',
      'event_msg/collab_agent_interaction_begin',
      'event_msg/collab_agent_interaction_end',
      'event_msg/collab_waiting_begin',
      'event_msg/collab_waiting_end',
      'event_msg/collab_close_begin',
      'event_msg/collab_close_end',
      'event_msg/collab_resume_begin',
      'event_msg/collab_resume_end',
    ],
    status: 'notRendered',
    reason:
      `the source basis's ${HISTORY} handle_event renders them (in-progress items, approvals, v1 sub-agent calls), but 0.169.0 renders nothing for them in either history mode ` +
      '(measured 2026-11-26: compat passThroughFields, a line of each written into a thread, no item and the same turns; docs/codex-source/thread-items.md §1)',
  },
  {
    variants: [
      'response_item/additional_tools',
      'response_item/agent_message',
      'response_item/local_shell_call',
      'response_item/tool_search_call',
      'response_item/custom_tool_call',
      'response_item/custom_tool_call_output',
      'response_item/tool_search_output',
      'response_item/web_search_call',
      'response_item/image_generation_call',
      'response_item/compaction',
      'response_item/configuration_update',
      'response_item/compaction_trigger',
      'response_item/context_compaction',
      'response_item/other',
    ],
    status: 'notRendered',
    reason: `model context: ${HISTORY} handle_response_item returns early for every response item but a user message`,
  },
];

// ---- the census ----

interface Census {
  readonly mapped: string[];
  readonly notRendered: string[];
  readonly gaps: string[];
  readonly missing: string[];
  readonly oursOnly: string[];
  readonly unexpected: string[];
  variantsRead: number;
  readonly variantsNotRead: string[];
  readonly variantsUnlisted: string[];
  /** Variants our decoder reads under a tag Codex does not write (a misspelt kind?). */
  readonly variantsOursOnly: string[];
}
const key = (variant: string, field: string): string => `${variant}.${field}`;
const listKeys = (list: readonly Listed[]): Set<string> => new Set(list.map((l) => key(l.variant, l.field)));

const takeCensus = (schema: CodexSchema): Census => {
  const notRendered = listKeys(NOT_RENDERED);
  const gaps = listKeys(GAPS);
  const oursOnly = listKeys(OURS_ONLY);
  const census: Census = {
    mapped: [],
    notRendered: [],
    gaps: [],
    missing: [],
    oursOnly: [],
    unexpected: [],
    variantsRead: 0,
    variantsNotRead: [],
    variantsUnlisted: [],
    variantsOursOnly: [],
  };
  const listedVariants = new Set(VARIANTS_NOT_READ.flatMap((g) => g.variants));

  /** One object's fields: Codex's against ours (a ThreadItem field our mapper always leaves null is `alwaysNull`, not mapped). */
  const compare = (
    variant: string,
    codex: readonly string[],
    ours: ReadonlyMap<string, 'mapped' | 'alwaysNull'>,
  ): void => {
    for (const f of codex) {
      const k = key(variant, f);
      const kind = ours.get(f);
      if (kind === 'mapped') census.mapped.push(k);
      else if (notRendered.has(k)) census.notRendered.push(k);
      else if (gaps.has(k)) census.gaps.push(k);
      else census.missing.push(k);
    }
    for (const f of ours.keys()) {
      if (codex.includes(f)) continue;
      (oursOnly.has(key(variant, f)) ? census.oursOnly : census.unexpected).push(key(variant, f));
    }
  };
  const mappedAll = (fields: Iterable<string>): Map<string, 'mapped'> => new Map([...fields].map((f) => [f, 'mapped']));

  const rolloutVariants: Array<{ name: string; fields: readonly string[] | null; tagField: string }> = [
    ...SERDE.variants.map((v) => ({ name: variantName(v), fields: v.fields, tagField: v.tagField ?? 'type' })),
    ...[...schema.variantFields('ResponseItem')].map(([tag, fields]) => ({
      name: `response_item/${tag}`,
      fields,
      tagField: 'type',
    })),
  ];
  for (const v of rolloutVariants) {
    const codec = OUR_CODECS.get(v.name);
    if (codec === undefined) {
      (listedVariants.has(v.name) ? census.variantsNotRead : census.variantsUnlisted).push(v.name);
      continue;
    }
    if (v.fields === null)
      throw new Error(
        `${v.name}: our decoder reads it, but codexSerdeFields.json has no fields for it (its type is outside the files read)`,
      );
    census.variantsRead++;
    const ours = [...propsOf(codec).keys()].filter((f) => f !== 'type' && f !== v.tagField);
    compare(v.name, v.fields, mappedAll(ours));
  }
  const codexNames = new Set(rolloutVariants.map((v) => v.name));
  census.variantsOursOnly.push(...[...OUR_CODECS.keys()].filter((name) => !codexNames.has(name)));
  for (const n of NESTED) {
    let codec: t.Mixed | null | undefined = OUR_CODECS.get(n.variant);
    for (const p of n.path)
      codec = codec === undefined || codec === null ? null : objectCodecOf(propsOf(codec).get(p) ?? t.unknown);
    const struct = SERDE.nested.find((s) => s.struct === n.struct);
    if (struct === undefined) throw new Error(`codexSerdeFields.json has no nested struct ${n.struct}`);
    compare(
      `${n.variant}.${n.path.join('.')}`,
      struct.fields,
      codec === null || codec === undefined ? new Map() : mappedAll(propsOf(codec).keys()),
    );
  }
  for (const [type, fields] of schema.variantFields('ThreadItem')) {
    const ours = (THREAD_ITEM_FIELDS as Readonly<Record<string, Readonly<Record<string, 'mapped' | 'alwaysNull'>>>>)[
      type
    ];
    if (ours === undefined) {
      census.variantsUnlisted.push(`thread_item/${type}`);
      continue;
    }
    compare(`thread_item/${type}`, fields, new Map(Object.entries(ours)));
  }
  return census;
};

describe('field census: every field Codex declares is read, or listed with its reason (issue 53)', () => {
  const schema = (): CodexSchema => answerSchema.active() ?? CodexSchema.generate();

  it('leaves no Codex field unread and unlisted, and reads no field Codex does not declare', function () {
    this.timeout(120_000);
    const c = takeCensus(schema());
    const total = c.mapped.length + c.notRendered.length + c.gaps.length + c.missing.length;
    const notRead = (status: 'notRendered' | 'gap'): number =>
      VARIANTS_NOT_READ.filter((g) => g.status === status).reduce((n, g) => n + g.variants.length, 0);
    // The figure docs/compatibility.md quotes.
    process.stdout.write(
      `      field census: ${total} Codex fields (${c.variantsRead} rollout variants we read, ${NESTED.length} nested objects, ${THREAD_ITEM_TYPES.length} ThreadItem types): ` +
        `${c.mapped.length} mapped, ${c.notRendered.length} listed as not rendered by Codex, ${c.gaps.length} listed as known gaps, ${c.missing.length} missing; ` +
        `${c.oursOnly.length} fields of ours Codex does not declare, listed; ` +
        `${c.variantsNotRead.length} Codex variants we do not read, listed (${notRead('notRendered')} not rendered by Codex, ${notRead('gap')} gaps)\n`,
    );
    expect({
      'variants we read that Codex does not write': c.variantsOursOnly,
      'Codex variants we do not read, on no list': c.variantsUnlisted,
      'Codex fields neither read/mapped nor listed with a reason': c.missing,
      'fields we read that Codex does not declare (a wrong rename?), on no list': c.unexpected,
    }).to.deep.equal({
      'variants we read that Codex does not write': [],
      'Codex variants we do not read, on no list': [],
      'Codex fields neither read/mapped nor listed with a reason': [],
      'fields we read that Codex does not declare (a wrong rename?), on no list': [],
    });
  });

  it("has no stale entry: each listed field is Codex's and not read, each listed variant is Codex's and not read", function () {
    this.timeout(120_000);
    const c = takeCensus(schema());
    const used = new Set([...c.notRendered, ...c.gaps, ...c.oursOnly]);
    const stale = [...NOT_RENDERED, ...GAPS, ...OURS_ONLY]
      .map((l) => key(l.variant, l.field))
      .filter((k) => !used.has(k));
    expect(stale, 'list entries that no longer apply').to.deep.equal([]);
    const notRead = new Set(c.variantsNotRead);
    expect(
      VARIANTS_NOT_READ.flatMap((g) => g.variants).filter((v) => !notRead.has(v)),
      'listed variants Codex lacks or we now read',
    ).to.deep.equal([]);
  });

  it('takes ThreadItem types from Codex: ours are its types', () => {
    expect([...THREAD_ITEM_TYPES].sort()).to.deep.equal([...schema().variantFields('ThreadItem').keys()].sort());
  });
});
