// Writes test/fixtures/codexSerdeFields.json: the wire fields of every rollout line variant Codex
// declares in Rust (RolloutItem, EventMsg, core TurnItem) and of the nested structs the census
// follows, read from Codex's source text with serde's rules applied per type (`rename_all`,
// `rename`, `flatten`, `skip`), plus the fields 0.169.0 added after that source (each with its
// evidence), checked against the 0.169.0 binary's serde "struct X with N elements" counts.
//
//   node dist/test/tools/codexSerdeFields.js <git dir of an openai/codex clone> <commit> <codex binary>
//
// Not a test: a maintainer runs it when the source basis moves; the census test reads its output.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { itemsOf, renameBy, type RustField, type RustStruct, type RustVariant } from './rustSerde.js';

/** The Codex files the census reads, relative to the repository root. */
const SOURCE_FILES = [
  'codex-rs/history/src/lib.rs',
  'codex-rs/history/src/rollout_payload.rs',
  'codex-rs/protocol/src/protocol.rs',
  'codex-rs/protocol/src/items.rs',
  'codex-rs/ext/items/src/lib.rs',
  'codex-rs/ext/items/src/sleep.rs',
  'codex-rs/ext/items/src/image_generation.rs',
  'codex-rs/ext/items/src/web_search.rs',
] as const;

/** Nested structs whose fields the census compares with the codec of the field that holds them. */
const NESTED_STRUCTS = [
  'GitInfo',
  'HistoryPosition',
  'McpInvocation',
  'ReviewOutputEvent',
  'ReviewFinding',
  'ReviewCodeLocation',
  'ReviewLineRange',
  'HookPromptFragment',
  'TokenUsage',
];

/** A type that serializes through another one (a hand-written `Serialize` delegating to a wire struct). */
const WIRE_TYPES: Readonly<Record<string, string>> = { CompactedItem: 'CompactedItemWire' };

/**
 * Fields 0.169.0 writes that the source basis does not declare yet, each with its evidence: seen on
 * lines 0.169.0 wrote (the compat oracle's homes), or named by the binary's serde literals and
 * element counts. The run checks every name is among the binary's strings and reports each
 * struct whose count still differs.
 */
const ADDED_IN_0_169: ReadonlyArray<{
  readonly struct: string;
  readonly fields: readonly string[];
  readonly evidence: string;
}> = [
  {
    struct: 'TurnStartedEvent',
    fields: ['root_turn_id', 'turn_attribution'],
    evidence: 'on 0.169.0 task_started lines; binary: TurnStartedEvent with 7 elements',
  },
  {
    struct: 'TurnCompleteEvent',
    fields: ['root_turn_id'],
    evidence: 'on 0.169.0 task_complete lines; binary: TurnCompleteEvent with 8 elements',
  },
  {
    struct: 'TurnAbortedEvent',
    fields: ['root_turn_id'],
    evidence: 'on 0.169.0 turn_aborted lines; binary: TurnAbortedEvent with 7 elements',
  },
  {
    struct: 'ThreadSettingsAppliedEvent',
    fields: ['thread_id'],
    evidence: 'on 0.169.0 thread_settings_applied lines; binary: ThreadSettingsAppliedEvent with 2 elements',
  },
  {
    struct: 'TurnContextItem',
    fields: ['root_turn_id', 'disabled_plugin_ids'],
    evidence: 'on 0.169.0 turn_context lines',
  },
  {
    struct: 'SessionMeta',
    fields: ['forked_from_ordinal_exclusive', 'account_scoped', 'runtime_workspace_roots'],
    evidence: 'on 0.169.0 session_meta lines',
  },
  {
    struct: 'CompactedItem',
    fields: ['retained_context', 'compaction_response_id', 'latest_token_usage_record', 'resume_metadata'],
    evidence: 'on 0.169.0 compacted lines; binary: CompactedItemWire with 13 elements (one more than named here)',
  },
  {
    struct: 'SubAgentActivityItem',
    fields: ['model', 'reasoning_effort'],
    evidence: "binary: SubAgentActivityItem with 6 elements; 0.169.0's v2 subAgentActivity has model, reasoningEffort",
  },
  {
    struct: 'SubAgentActivityEvent',
    fields: ['model', 'reasoning_effort'],
    evidence: 'binary: SubAgentActivityEvent with 7 elements',
  },
  {
    struct: 'AgentMessageItem',
    fields: ['questions', 'moderation'],
    evidence:
      "binary: AgentMessageItem with 7 elements, AgentMessageModeration; 0.169.0's v2 agentMessage has questions, moderation",
  },
  {
    struct: 'AgentMessageEvent',
    fields: ['questions', 'moderation'],
    evidence: 'binary: AgentMessageEvent with 6 elements (the two the item gained)',
  },
  {
    struct: 'McpToolCallItem',
    fields: ['mcp_app_ui'],
    evidence: "binary: McpToolCallItem with 16 elements, literal mcpAppUi; 0.169.0's v2 mcpToolCall has mcpAppUi",
  },
  {
    struct: 'ImageGenerationEndEvent',
    fields: ['fileId', 'input_images', 'generation_id'],
    evidence:
      "input_images, generation_id: 0.169.0's cold reads of image_generation_end lines carrying them equal ours (compat, addOlderLegacyEvents in test/compat/scenarios.ts); fileId (camelCase, GeneratedImageRef flattened; file_id is ignored): 0.169.0 answers it from such a line (compat passThroughFields)",
  },
  {
    struct: 'McpToolCallEndEvent',
    fields: ['mcp_app_ui'],
    evidence: 'binary: McpToolCallEndEvent with 13 elements (one more than named here), literal mcp_app_ui',
  },
  {
    struct: 'image_generation::ImageGenerationItem',
    fields: ['fileId', 'inputImages', 'generationId'],
    evidence:
      "0.169.0's schema: ImageGenerationItem (the extension's, which v2 imageGeneration is) has fileId | result, inputImages, generationId; binary: literals fileId, inputImages, generationId, untagged enum GeneratedImageRef; 0.169.0 answers them from an Extension line (compat passThroughFields)",
  },
];

/** Variants 0.169.0 writes that the source basis has no type for: fields as its evidence gives them, held to the binary's count. */
const VARIANTS_ONLY_IN_0_169: ReadonlyArray<{
  readonly line: string;
  readonly tag: string;
  readonly struct: string;
  readonly fields: readonly string[];
  readonly evidence: string;
}> = [
  {
    line: 'token_usage_record',
    tag: 'token_usage_record',
    struct: 'TokenUsageRecord',
    fields: [
      'thread_id',
      'turn_id',
      'session_id',
      'root_turn_id',
      'response_id',
      'usage',
      'turn_token_usage',
      'thread_token_usage',
    ],
    evidence:
      'binary: TokenUsageRecord with 8 elements, literals token_usage_record, turn_token_usage, thread_token_usage; on 0.169.0 token_usage_record lines',
  },
  {
    line: 'item_completed.item',
    tag: 'FunctionCallOutput',
    struct: 'FunctionCallOutputItem',
    fields: ['id', 'name', 'namespace', 'output'],
    evidence:
      'openai/codex items.rs as the search index holds it (id 57468926892): FunctionCallOutputItem {id, name, namespace, output}; binary: FunctionCallOutputItem with 4 elements',
  },
];

const main = (): void => {
  const [gitDir, commit, binary, out = 'test/fixtures/codexSerdeFields.json'] = process.argv.slice(2);
  if (gitDir === undefined || commit === undefined || binary === undefined) {
    process.stderr.write('usage: codexSerdeFields <git dir> <commit> <codex binary> [out]\n');
    process.exit(2);
  }
  const structs = new Map<string, RustStruct>();
  const enums = new Map<string, { variants: RustVariant[]; file: string }>();
  for (const file of SOURCE_FILES) {
    const text = execFileSync('git', ['--git-dir', gitDir, 'show', `${commit}:${file}`], {
      encoding: 'utf8',
      maxBuffer: 64 << 20,
    });
    const items = itemsOf(file, text);
    // An extension's module names its types (`sleep::SleepItem`), as ExtensionItem's variants do.
    const module = /^codex-rs\/ext\/items\/src\/(\w+)\.rs$/.exec(file)?.[1];
    for (const s of items.structs) {
      if (!structs.has(s.name)) structs.set(s.name, s);
      if (module !== undefined && module !== 'lib') structs.set(`${module}::${s.name}`, s);
    }
    for (const [name, e] of items.enums) if (!enums.has(name)) enums.set(name, { ...e, file });
  }
  const strings = execFileSync('strings', ['-n', '6', binary], { encoding: 'utf8', maxBuffer: 1 << 30 });
  const counts = new Map(
    [...strings.matchAll(/struct ([A-Za-z0-9_]+) with (\d+) elements?/g)].map((m) => [m[1]!, Number(m[2])]),
  );
  const binaryCounts = { get: (name: string): number | undefined => counts.get(name.replace(/^.*::/, '')) };

  const added = new Map(ADDED_IN_0_169.map((a) => [a.struct, a]));
  /** A struct's wire fields, flattened ones expanded, 0.169's additions appended. */
  const wireFields = (name: string): { fields: string[]; open: boolean } => {
    const s = structs.get(WIRE_TYPES[name] ?? name);
    if (s === undefined) throw new Error(`no struct ${name} in the source`);
    const fields: string[] = [];
    let open = false;
    for (const f of s.fields) {
      if (!f.flatten) fields.push(f.wire);
      else if (structs.has(f.type)) fields.push(...wireFields(f.type).fields);
      else open = true;
    }
    const a = added.get(name);
    if (a !== undefined)
      for (const f of a.fields) fields.push(renameBy(name === 'McpToolCallItem' ? 'camelCase' : null, f));
    return { fields, open };
  };
  const entry = (line: string, tag: string, struct: string | null, inline: readonly RustField[] | null) => {
    const base = struct === null ? { fields: (inline ?? []).map((f) => f.wire), open: false } : wireFields(struct);
    const source = struct === null ? null : structs.get(WIRE_TYPES[struct] ?? struct)!;
    // An extension's type named like a core one (image_generation::ImageGenerationItem) has no count of its own.
    const shadowed =
      struct !== null && struct.includes('::') && structs.get(struct.replace(/^.*::/, '')) !== structs.get(struct);
    const binaryCount = struct === null || shadowed ? undefined : binaryCounts.get(WIRE_TYPES[struct] ?? struct);
    return {
      line,
      tag,
      struct,
      file: source?.file ?? null,
      fields: base.fields,
      ...(base.open ? { open: true } : {}),
      ...(added.has(struct ?? '')
        ? { addedIn0169: added.get(struct!)!.fields, evidence: added.get(struct!)!.evidence }
        : {}),
      binaryFieldCount: binaryCount ?? null,
    };
  };

  /** A tagged enum's variant: its struct's fields, its inline fields, or (a type outside the files read) none listed. */
  const variantEntry = (line: string, v: RustVariant) =>
    v.payload === null
      ? entry(line, v.tag, null, v.inline)
      : structs.has(WIRE_TYPES[v.payload] ?? v.payload)
        ? entry(line, v.tag, v.payload, null)
        : {
            line,
            tag: v.tag,
            struct: v.payload,
            file: null,
            fields: null,
            binaryFieldCount: binaryCounts.get(v.payload) ?? null,
          };
  const variants: Array<{
    readonly struct: string | null;
    readonly fields: readonly string[] | null;
    readonly binaryFieldCount: number | null;
    readonly [k: string]: unknown;
  }> = [];
  // RolloutItemWire's variants are `{ payload: X }` (serde `content` by hand): X is the line's payload.
  for (const v of enums.get('RolloutItemWire')!.variants) {
    if (v.tag === 'event_msg' || v.tag === 'response_item') continue;
    const payload = v.inline?.find((f) => f.wire === 'payload')?.type ?? null;
    variants.push(
      payload !== null && structs.has(WIRE_TYPES[payload] ?? payload)
        ? entry(v.tag, v.tag, payload, null)
        : entry(v.tag, v.tag, null, []),
    );
  }
  for (const v of VARIANTS_ONLY_IN_0_169)
    variants.push({
      line: v.line,
      tag: v.tag,
      struct: v.struct,
      file: null,
      fields: [...v.fields],
      afterSourceBasis: true,
      evidence: v.evidence,
      binaryFieldCount: binaryCounts.get(v.struct) ?? null,
    });
  for (const v of enums.get('EventMsg')!.variants) variants.push(variantEntry('event_msg', v));
  for (const v of enums.get('TurnItem')!.variants) {
    if (v.tag === 'Extension') {
      // An extension's item is its own tagged enum (`kind`), flattened beside `type`.
      for (const x of enums.get('ExtensionItem')!.variants)
        if (x.payload !== null && structs.has(x.payload))
          variants.push({ ...entry('item_completed.item', `Extension/${x.tag}`, x.payload, null), tagField: 'kind' });
      continue;
    }
    variants.push(variantEntry('item_completed.item', v));
  }
  const nested = NESTED_STRUCTS.map((name) => ({
    struct: name,
    file: structs.get(name)?.file ?? null,
    fields: wireFields(name).fields,
    binaryFieldCount: binaryCounts.get(name) ?? null,
  }));

  const mismatches = [...variants, ...nested]
    .filter((v) => v.fields !== null && v.binaryFieldCount !== null && v.binaryFieldCount !== v.fields.length)
    .map((v) => `${v.struct}: ${v.fields!.length} fields, binary ${v.binaryFieldCount}`);
  const notInBinary = [
    ...ADDED_IN_0_169.flatMap((a) =>
      a.fields.map((f) => (a.struct === 'McpToolCallItem' ? renameBy('camelCase', f) : f)),
    ),
    ...VARIANTS_ONLY_IN_0_169.flatMap((v) => v.fields),
  ].filter((f) => !strings.includes(f));
  if (notInBinary.length > 0)
    throw new Error(`fields given as 0.169.0's that its binary does not name: ${notInBinary.join(', ')}`);
  const doc = {
    about:
      'Wire fields of Codex rollout line variants and nested structs (serde names), from test/tools/codexSerdeFields.ts; read by test/domain/fieldCensus.unit.spec.ts',
    source: {
      repo: 'openai/codex',
      commit: execFileSync('git', ['--git-dir', gitDir, 'rev-parse', commit], { encoding: 'utf8' }).trim(),
      files: SOURCE_FILES,
    },
    binary: { version: '0.169.0', countMismatches: mismatches },
    variants,
    nested,
  };
  writeFileSync(out, `${JSON.stringify(doc, null, 2)}\n`);
  process.stdout.write(
    `${variants.length} variants, ${nested.length} nested structs; ${mismatches.length} count mismatches with the binary\n${mismatches.join('\n')}\n`,
  );
};

main();
