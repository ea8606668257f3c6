// The differential fuzzer's homes (issue 69, item 1): a home is data — its config.toml variant and
// 1-4 threads, each a few turns in one history mode, with odd orders and tails, and edits that set
// a field the census names (census.ts) to an edge value. fast-check generates and shrinks the data;
// `renderHome` turns it into files (pure: the writer is `writeFuzzHome` in fuzzSession.ts), so a shrunk home is
// replayed from its seed and path exactly.
import fc from 'fast-check';
import { codexConfigToml } from '../compat/appServer.js';
import { COLLABORATION_MODE, RolloutWriter, taskStartedPayload, threadSettingsOf } from '../fixtures/rolloutLines.js';
import { datedRolloutPath } from '../fixtures/legacyRollout.js';
import { CENSUS_FIELDS } from './census.js';

/** The config.toml variants: its text given the mock's port, or none (Codex's defaults, provider `openai`). */
export const CONFIGS = {
  mock: (port: number): string => codexConfigToml(port),
  none: null,
  openai: (port: number): string =>
    codexConfigToml(port).replace('model_provider = "mock"', 'model_provider = "openai"'),
  // A custom provider named by the top level, its table declared (codex-rs/core/src/config/mod.rs `model_provider_id`).
  custom: (port: number): string =>
    `${codexConfigToml(port).replace('model_provider = "mock"', 'model_provider = "ollama-local"')}\n[model_providers.ollama-local]\nname = "local"\nbase_url = "http://127.0.0.1:${port}/v1"\nwire_api = "responses"\n`,
  // No `model_provider` line: Codex's default, `openai`.
  unnamed: (port: number): string => codexConfigToml(port).replace('model_provider = "mock"\n', ''),
  // A `[profiles.x]` table alone is inert; the legacy `profile` selector is refused by 0.169 (its defaults then).
  profileTable: (port: number): string => `${codexConfigToml(port)}\n[profiles.alt]\nmodel_provider = "ollama"\n`,
  legacyProfile: (port: number): string =>
    `profile = "alt"\n${codexConfigToml(port)}\n[profiles.alt]\nmodel_provider = "ollama"\n`,
} as const;
export type ConfigName = keyof typeof CONFIGS;

/** Edge values a census field is set to; `ABSENT` deletes it. Indexed, so a home's edits shrink to the first ones. */
export const ABSENT: unique symbol = Symbol('absent');
export const EDGE_VALUES: readonly unknown[] = [
  ABSENT,
  null,
  {},
  [],
  '',
  'unknown_variant_x',
  '  padded  ',
  '\u0000\u0007\u001b[31mctl\r\n',
  'é中文𝄞\u200b\u202e',
  'x'.repeat(5000),
  'C:\\Users\\dev\\project',
  '\\\\server\\share\\project',
  'relative/project',
  0,
  -1,
  2 ** 53,
  1.5,
  true,
  { type: 'unknown_variant_x' },
];

/**
 * Times a line's envelope `timestamp` is set to: RFC 3339 at chrono's edges (domain/rfc3339.ts) and
 * what it refuses. Codex's paginated projection reads the time of an item without a start time
 * (domain/thread/paginatedOrdinals.ts `codexSkipsForTime`), so an edit may drop the start too.
 */
export const EDGE_TIMES: readonly unknown[] = [
  'not a time',
  '',
  '2026-11-21T14:00:00',
  '2026-11-21 14:00:00Z',
  '2026-11-21t14:00:00.5z',
  '2026-11-21T24:00:00Z',
  '2026-11-21T14:60:00Z',
  '2026-11-21T14:00:60Z',
  '2026-11-21T14:00:00+24:00',
  '2026-11-21T14:00:00-23:59',
  '2026-02-30T00:00:00Z',
  1_700_000_000,
];

/** Texts a user or the agent says: edge strings and arbitrary ones. */
const textArb = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.constantFrom(
      'turn 1',
      'Review the code',
      'Sub-agent',
      '  padded  ',
      '\u0000\u0007ctl\r\n',
      'é中文𝄞 \u200b',
      'x'.repeat(3000),
      '',
    ),
  },
  { weight: 2, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
);

export type TurnEnding = 'complete' | 'errorThenComplete' | 'completeWithError' | 'aborted' | 'open';
export interface FuzzTurn {
  readonly user: string;
  readonly answer: string;
  readonly ending: TurnEnding;
  /** A command the turn ran (a CommandExecution item, or a legacy exec_command_end). */
  readonly command: boolean;
  /** No turn_context line. */
  readonly noContext: boolean;
}

/** `WORKDIR` stands for the home's work folder. */
export const WORKDIR = '<work>';
const CWDS = [
  WORKDIR,
  `${WORKDIR}/`,
  ` ${WORKDIR}`,
  'C:\\Users\\dev\\project',
  '\\\\server\\share\\project',
  'relative/project',
] as const;
const PROVIDERS = ['openai', 'mock', 'ollama-local', 'ollama', null, '', ' openai '] as const;
const SOURCES = ['vscode', 'cli', 'exec', 'mcp', { subagent: 'review' }, 'unknown_source_x'] as const;

export type Tail = 'none' | 'nul' | 'partial' | 'blankLines' | 'junkLine';
export interface FieldEdit {
  /** Line index (modulo the thread's line count). */
  readonly line: number;
  /** Field index (modulo the variant's census fields). */
  readonly field: number;
  /** Index into EDGE_VALUES. */
  readonly edge: number;
  /** Edit the item an `item_completed` event carries rather than the payload. */
  readonly inItem: boolean;
}
export interface TimeEdit {
  /** Line index (modulo the thread's line count). */
  readonly line: number;
  /** Index into EDGE_TIMES. */
  readonly time: number;
  /** An `item_completed` line loses its `started_at_ms`. */
  readonly withoutStart: boolean;
}
export interface FuzzThread {
  readonly mode: 'paginated' | 'legacy';
  readonly provider: (typeof PROVIDERS)[number];
  readonly cwd: (typeof CWDS)[number];
  readonly source: (typeof SOURCES)[number];
  readonly turns: readonly FuzzTurn[];
  /** A second session_meta after the first turn. */
  readonly secondMeta: boolean;
  /** A thread_rolled_back of this many turns after the turns (0: a rollback of zero turns). */
  readonly rollback: number | null;
  readonly tail: Tail;
  /** Every line written with leading and trailing whitespace. */
  readonly paddedLines: boolean;
  readonly archived: boolean;
  readonly edits: readonly FieldEdit[];
  /** Envelope times set (none in the shrunk homes kept before they were generated). */
  readonly timeEdits?: readonly TimeEdit[];
}
export interface FuzzHome {
  readonly config: ConfigName;
  readonly threads: readonly FuzzThread[];
  /** Seeds the random pages and cursors asked of this home (randomSteps.ts). */
  readonly stepSeed: number;
}

const turnArb: fc.Arbitrary<FuzzTurn> = fc.record({
  user: textArb,
  answer: textArb,
  ending: fc.constantFrom<TurnEnding>('complete', 'errorThenComplete', 'completeWithError', 'aborted', 'open'),
  command: fc.boolean(),
  noContext: fc.boolean(),
});

const editArb: fc.Arbitrary<FieldEdit> = fc.record({
  line: fc.nat({ max: 63 }),
  field: fc.nat({ max: 63 }),
  edge: fc.nat({ max: EDGE_VALUES.length - 1 }),
  inItem: fc.boolean(),
});

const timeEditArb: fc.Arbitrary<TimeEdit> = fc.record({
  line: fc.nat({ max: 63 }),
  time: fc.nat({ max: EDGE_TIMES.length - 1 }),
  withoutStart: fc.boolean(),
});

/** What a thread arbitrary generates: `edits` false leaves every census field as Codex writes it. */
export interface FuzzShapes {
  readonly edits: boolean;
}

const threadArbOf = (shapes: FuzzShapes): fc.Arbitrary<FuzzThread> =>
  fc.record({
    mode: fc.constantFrom('paginated', 'legacy'),
    provider: fc.constantFrom(...PROVIDERS),
    cwd: fc.constantFrom(...CWDS),
    source: fc.constantFrom(...SOURCES),
    turns: fc.array(turnArb, { maxLength: 3 }),
    secondMeta: fc.boolean(),
    rollback: fc.option(fc.nat({ max: 4 }), { freq: 4 }),
    tail: fc.constantFrom<Tail>('none', 'nul', 'partial', 'blankLines', 'junkLine'),
    paddedLines: fc.boolean(),
    archived: fc.boolean(),
    edits: shapes.edits ? fc.array(editArb, { maxLength: 3 }) : fc.constant([]),
    timeEdits: shapes.edits ? fc.array(timeEditArb, { maxLength: 2 }) : fc.constant([]),
  });

/** A home: 1-4 threads under one config. Constant first values (fast-check's shrink targets) are the plain ones. */
export const fuzzHomeArbOf = (shapes: FuzzShapes): fc.Arbitrary<FuzzHome> =>
  fc.record({
    config: fc.constantFrom<ConfigName>('mock', 'none', 'openai', 'custom', 'unnamed', 'profileTable', 'legacyProfile'),
    threads: fc.array(threadArbOf(shapes), { minLength: 1, maxLength: 4 }),
    stepSeed: fc.nat(),
  });

/** Every shape, census edits included: the long run's. */
export const fuzzHomeArb: fc.Arbitrary<FuzzHome> = fuzzHomeArbOf({ edits: true });

/** The i-th thread's id (a UUID v7 shape, its time that of its meta). */
export const threadIdOf = (i: number): string => `019aa3c0-0000-7000-8000-${(i + 1).toString(16).padStart(12, '0')}`;

export interface RenderedFile {
  /** Relative to the CODEX_HOME. */
  readonly rel: string;
  readonly content: string;
  /** What its mtime is set to: its last line's time (as Codex's writer leaves it). */
  readonly mtimeMs: number;
  /** The census edits made, in words. */
  readonly edits: readonly string[];
}
export interface RenderedHome {
  readonly config: ((port: number) => string) | null;
  readonly files: readonly RenderedFile[];
  readonly threadIds: readonly string[];
}

interface Line {
  timestamp?: unknown;
  type: string;
  payload: Record<string, unknown>;
}

/** The census key of a line's variant, or of the item it carries (`inItem`); undefined when the census does not list it. */
const censusKeyOf = (line: Line, inItem: boolean): string | undefined => {
  const p = line.payload;
  if (line.type !== 'event_msg') return inItem ? undefined : line.type;
  if (inItem) {
    const item = p['item'];
    return p['type'] === 'item_completed' && typeof item === 'object' && item !== null
      ? `item/${String((item as { type?: unknown }).type)}`
      : undefined;
  }
  return `event_msg/${String(p['type'])}`;
};

/** An edge value in a few characters. */
const showEdge = (value: unknown): string => (value === ABSENT ? '(absent)' : JSON.stringify(value).slice(0, 24));

/** Sets (or deletes) the census field `edit` names; what it did, or undefined when the line's variant has no census fields. */
const applyEdit = (lines: Line[], edit: FieldEdit): string | undefined => {
  const at = edit.line % lines.length;
  const line = lines[at];
  if (line === undefined) return undefined;
  const key = censusKeyOf(line, edit.inItem);
  const fields = key === undefined ? undefined : CENSUS_FIELDS.get(key);
  if (fields === undefined || fields.length === 0) return undefined;
  const field = fields[edit.field % fields.length]!;
  const target = edit.inItem ? (line.payload['item'] as Record<string, unknown>) : line.payload;
  const value = EDGE_VALUES[edit.edge % EDGE_VALUES.length];
  if (value === ABSENT) delete target[field];
  else target[field] = structuredClone(value);
  return `line ${at} ${key}.${field} = ${showEdge(value)}`;
};

/** Sets the envelope time `edit` names (and drops an item's start time); what it did. */
const applyTimeEdit = (lines: Line[], edit: TimeEdit): string | undefined => {
  const at = edit.line % lines.length;
  const line = lines[at];
  if (line === undefined) return undefined;
  const time = EDGE_TIMES[edit.time % EDGE_TIMES.length];
  line.timestamp = time;
  const dropped = edit.withoutStart && line.type === 'event_msg' && line.payload['type'] === 'item_completed';
  if (dropped) delete line.payload['started_at_ms'];
  return `line ${at} timestamp = ${JSON.stringify(time)}${dropped ? ', started_at_ms (absent)' : ''}`;
};

const THREAD_START_MS = Date.UTC(2026, 10, 21, 14, 0, 0);

/** A turn_context as Codex 0.169.0 writes one (every field its `TurnContextItem` requires). */
const turnContext = (turnId: string, cwd: string): Record<string, unknown> => ({
  turn_id: turnId,
  root_turn_id: turnId,
  disabled_plugin_ids: [],
  cwd,
  approval_policy: 'never',
  approvals_reviewer: 'user',
  permission_profile: { type: 'disabled' },
  model: 'mock-model',
  collaboration_mode: COLLABORATION_MODE,
  multi_agent_version: 'v1',
  realtime_active: false,
  summary: 'none',
  sandbox_policy: { type: 'danger-full-access' },
});

/** One thread's file: its lines as Codex's writer would leave them, then the thread's odd orders, edits and tail. */
const renderThread = (t: FuzzThread, index: number, workDir: string): RenderedFile => {
  const threadId = threadIdOf(index);
  const startMs = THREAD_START_MS + index * 3_600_000;
  const at = (path: string): string => path.split(WORKDIR).join(workDir);
  const lines: Line[] = [];
  // RolloutWriter gives ordinals and times; its lines are parsed back so that edits can reach any field.
  const w = new RolloutWriter(t.mode, threadId, { startMs });
  const meta = {
    cwd: at(t.cwd),
    source: t.source,
    ...(t.provider === null ? { model_provider: undefined } : { model_provider: t.provider }),
  };
  w.sessionMeta(meta);
  t.turns.forEach((turn, n) => {
    const turnId = `turn-${index}-${n}`;
    w.wait(60_000);
    w.push('event_msg', taskStartedPayload(turnId, Math.floor(w.nowMs() / 1000)));
    if (!turn.noContext) w.push('turn_context', turnContext(turnId, at(t.cwd)));
    // The settings Codex records with a thread's first turn; its provider the meta's (a thread has one here: docs/compatibility.md).
    if (n === 0)
      w.push('event_msg', {
        type: 'thread_settings_applied',
        thread_id: threadId,
        thread_settings: threadSettingsOf(at(t.cwd), t.provider),
      });
    w.responseMessage('user', turn.user);
    if (t.mode === 'paginated') {
      w.item(turnId, { type: 'UserMessage', id: `u-${turnId}`, content: w.userText(turn.user) });
      w.item(turnId, {
        type: 'Reasoning',
        id: `rs-${turnId}`,
        summary_text: [`Thinking: ${turn.user}`],
        raw_content: [],
      });
    } else {
      w.push('event_msg', {
        type: 'user_message',
        message: turn.user,
        images: [],
        local_images: [],
        text_elements: [],
      });
      w.push('event_msg', { type: 'agent_reasoning', text: `Thinking: ${turn.user}` });
    }
    if (turn.command) {
      const command = {
        command: ['bash', '-lc', 'ls'],
        // The command ran in the work folder: the thread's cwd variants are the meta's and turn contexts' (an item Codex cannot decode is another matter).
        cwd: workDir,
        parsed_cmd: [],
        source: 'agent',
        status: 'completed',
        aggregated_output: 'a.ts\n',
        exit_code: 0,
        duration: { secs: 0, nanos: 5_000_000 },
      };
      if (t.mode === 'paginated')
        // Codex 0.169.0 writes the item's cwd as a file URL (measured on the tool scenario's home).
        w.item(turnId, {
          type: 'CommandExecution',
          id: `cmd-${turnId}`,
          process_id: '4242',
          ...command,
          cwd: `file://${workDir}`,
          source: 'unified_exec_startup',
        });
      else
        w.push('event_msg', {
          type: 'exec_command_end',
          call_id: `cmd-${turnId}`,
          turn_id: turnId,
          stdout: 'a.ts\n',
          stderr: '',
          formatted_output: 'a.ts\n',
          ...command,
        });
    }
    if (t.mode === 'paginated')
      w.item(turnId, { type: 'AgentMessage', id: `msg-${turnId}`, content: [{ type: 'Text', text: turn.answer }] });
    else w.push('event_msg', { type: 'agent_message', message: turn.answer, phase: null, memory_citation: null });
    w.responseMessage('assistant', turn.answer).tokenCount(100);
    if (turn.ending === 'errorThenComplete')
      w.push('event_msg', { type: 'error', message: 'stream disconnected', codex_error_info: null }).taskComplete(
        turnId,
      );
    else if (turn.ending === 'completeWithError')
      w.taskComplete(turnId, { message: 'turn failed', codex_error_info: null });
    else if (turn.ending === 'aborted') w.turnAborted(turnId);
    else if (turn.ending === 'complete') w.taskComplete(turnId);
    if (n === 0 && t.secondMeta) w.sessionMeta({ ...meta, cwd: at(`${WORKDIR}/second`) });
  });
  if (t.secondMeta && t.turns.length === 0) w.sessionMeta({ ...meta, cwd: at(`${WORKDIR}/second`) });
  if (t.rollback !== null) w.push('event_msg', { type: 'thread_rolled_back', num_turns: t.rollback });
  for (const raw of w.lines) lines.push(JSON.parse(raw) as Line);
  const edits = [
    ...t.edits.map((e) => applyEdit(lines, e)),
    ...(t.timeEdits ?? []).map((e) => applyTimeEdit(lines, e)),
  ].filter((e): e is string => e !== undefined);
  const pad = (s: string): string => (t.paddedLines ? ` \t${s}\t ` : s);
  let content = lines.map((l) => `${pad(JSON.stringify(l))}\n`).join('');
  if (t.tail === 'nul') content += '\u0000'.repeat(64);
  else if (t.tail === 'partial') content += '{"timestamp":"2026-11-21T1';
  else if (t.tail === 'blankLines') content += '\n   \n\n';
  else if (t.tail === 'junkLine') content += 'not json at all\n';
  return {
    rel: datedRolloutPath(startMs, threadId, t.archived),
    content,
    mtimeMs: w.nowMs(),
    edits,
  };
};

export const renderHome = (home: FuzzHome, workDir: string): RenderedHome => ({
  config: CONFIGS[home.config],
  files: home.threads.map((t, i) => renderThread(t, i, workDir)),
  threadIds: home.threads.map((_, i) => threadIdOf(i)),
});

/** A home in a few words, for a failure's report. */
export const describeHome = (home: FuzzHome): string => {
  const files = renderHome(home, WORKDIR).files;
  return [
    `config ${home.config}; step seed ${home.stepSeed}`,
    ...home.threads.map((t, i) => {
      const turns = t.turns
        .map((u) => `${u.ending}${u.command ? '+cmd' : ''}${u.noContext ? ' no-context' : ''}`)
        .join(', ');
      const edits = files[i]?.edits ?? [];
      return [
        `thread ${threadIdOf(i)} ${t.mode}${t.archived ? ' archived' : ''}: provider ${JSON.stringify(t.provider)}, cwd ${JSON.stringify(t.cwd)}, source ${JSON.stringify(t.source)}`,
        `turns [${turns}]`,
        ...(t.secondMeta ? ['two metas'] : []),
        ...(t.rollback !== null ? [`rollback ${t.rollback}`] : []),
        `tail ${t.tail}`,
        ...(t.paddedLines ? ['padded lines'] : []),
        ...(edits.length > 0 ? [`edits: ${edits.join('; ')}`] : []),
      ].join('; ');
    }),
  ].join('\n');
};
