// Scenarios that drive the real `codex app-server` against the mock to write Codex history into a
// temporary CODEX_HOME, one home per (scenario, history mode). Each returns the ids it made, the
// requests Codex refused (with its exact error), and a few facts worth asserting later.
import { execFileSync } from 'node:child_process';
import {
  appendFileSync,
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { fileURLToPath } from 'node:url';
import { basename, join } from 'node:path';
import { AppServer, AppServerError, writeCodexConfig } from './appServer.js';
import { HeldReply, MockResponses, subAgentAddress, type MockReply } from './mockResponses.js';
import { MCP_SERVER_NAME, PIXEL_PNG_BASE64 } from '../fixtures/mcpStdioServer.js';
import { STOP_HOOK_MARKER } from '../fixtures/stopHook.js';

import type { HistoryMode } from '../../domain/rollout/historyMode.js';
import { parseRolloutFileName } from '../../adapters/driven/jsonl/home/rolloutFileName.js';
import type { ParamsOf } from '../../protocol/methods.js';
export type { HistoryMode };
export const HISTORY_MODES: readonly HistoryMode[] = ['paginated', 'legacy'];

export interface ThreadRef {
  readonly id: string;
  /** What the thread is in the scenario, e.g. "main", "fork-whole", "fork-of-fork". */
  readonly label: string;
}

export interface Refusal {
  readonly label: string;
  readonly method: string;
  readonly params: unknown;
  readonly code: number;
  readonly message: string;
}

export interface CompatHome {
  /** `<scenario>-<mode>`, also the folder name under the root. */
  readonly key: string;
  readonly scenario: string;
  readonly mode: HistoryMode;
  readonly codexHome: string;
  readonly workDir: string;
  readonly threads: readonly ThreadRef[];
  readonly refusals: readonly Refusal[];
  readonly facts: Readonly<Record<string, unknown>>;
  readonly buildMs: number;
}

export class ScenarioContext {
  readonly threads: ThreadRef[] = [];
  readonly refusals: Refusal[] = [];
  readonly facts: Record<string, unknown> = {};

  constructor(
    readonly server: AppServer,
    readonly mock: MockResponses,
    readonly mode: HistoryMode,
    readonly workDir: string,
  ) {}

  /** `thread/start` in this context's history mode (legacy needs the experimental field). */
  async startThread(label: string, extraParams: Record<string, unknown> = {}): Promise<string> {
    const params: Record<string, unknown> = { cwd: this.workDir, ...extraParams };
    if (this.mode === 'legacy') params.historyMode = 'legacy';
    const result = await this.server.request<{ thread: { id: string; historyMode: string } }>('thread/start', params);
    if (result.thread.historyMode !== this.mode) {
      throw new Error(`thread/start gave historyMode ${result.thread.historyMode}, wanted ${this.mode}`);
    }
    return this.record(label, result.thread.id);
  }

  record(label: string, id: string): string {
    this.threads.push({ id, label });
    return id;
  }

  /** Runs a turn and insists on the expected final status. Returns the turn id. */
  async turn(
    threadId: string,
    text: string,
    expectStatus = 'completed',
    extraParams: Record<string, unknown> = {},
  ): Promise<string> {
    const turn = await this.server.runTurn(threadId, text, extraParams);
    if (turn.status !== expectStatus) {
      throw new Error(`turn "${text}" ended ${turn.status} (${JSON.stringify(turn.error)}), wanted ${expectStatus}`);
    }
    return turn.id as string;
  }

  /** Runs a turn whose input is given whole (images, mentions, skills); returns the turn id. */
  async turnWithInput(
    threadId: string,
    input: readonly Record<string, unknown>[],
    extraParams: Record<string, unknown> = {},
  ): Promise<string> {
    const started = await this.server.request<{ turn: { id: string } }>('turn/start', {
      threadId,
      input,
      ...extraParams,
    });
    const turn = await this.server.waitTurnCompleted(threadId, started.turn.id);
    if (turn.status !== 'completed')
      throw new Error(
        `turn ${JSON.stringify(input).slice(0, 80)} ended ${turn.status} (${JSON.stringify(turn.error)})`,
      );
    return started.turn.id;
  }

  /** A request Codex is expected to refuse; its error is recorded. Throws if Codex accepts it. */
  async expectRefusal(label: string, method: string, params: unknown): Promise<Refusal> {
    try {
      await this.server.request(method, params);
    } catch (error) {
      if (!(error instanceof AppServerError)) throw error;
      const refusal = { label, method, params, code: error.code, message: error.rpcMessage };
      this.refusals.push(refusal);
      return refusal;
    }
    throw new Error(`${method} (${label}) was expected to fail but succeeded`);
  }

  /** A request that may or may not be supported in this mode: result, or the refusal recorded. */
  async attempt<T = any>(label: string, method: string, params: unknown): Promise<T | undefined> {
    try {
      return await this.server.request<T>(method, params);
    } catch (error) {
      if (!(error instanceof AppServerError)) throw error;
      this.refusals.push({ label, method, params, code: error.code, message: error.rpcMessage });
      return undefined;
    }
  }

  /** `thread/fork`; records the new thread. */
  async fork(label: string, params: ParamsOf<'thread/fork'>): Promise<string> {
    const result = await this.server.typed.request('thread/fork', params);
    return this.record(label, result.thread.id);
  }

  /**
   * Stalls the model stream, interrupts the turn once Codex is waiting on it. Returns the turn id.
   * `at` is what Codex has taken of the response when the interrupt comes, the same every build:
   * - `before-response`: the request is held unanswered (`stall` `silent`), nothing of a response.
   * - `mid-answer`: the response started and an agent message got a delta; the interrupt waits for
   *   the client's `item/agentMessage/delta`. Codex then records the rate-limit `token_count` the
   *   response's headers gave (and none of the unfinished message).
   * Why not just interrupt once the request came, with the headers sent: Codex 0.169.0 takes a
   * `RateLimits` event from the headers before any SSE event (codex-rs
   * `codex-api/src/sse/responses.rs` `spawn_response_stream`) and records its `token_count` at
   * the end of the sampling request, cancelled or not, only if it took that event before the
   * cancellation (`core/src/session/turn.rs` `try_run_sampling_request`,
   * `should_emit_token_count`); taking it shows nowhere (measured: with the headers sent, the
   * rollout had no such line 10 s later, before the interrupt), so the interrupt raced it: the
   * failures home had 22 lines in one build and 23 in another.
   */
  async interruptedTurn(
    threadId: string,
    text: string,
    at: 'before-response' | 'mid-answer' = 'before-response',
  ): Promise<string> {
    const before = this.mock.requests.length;
    const since = this.server.mark();
    this.mock.replyTo(
      threadId,
      at === 'before-response' ? { kind: 'stall', silent: true } : { kind: 'stall', partialText: 'The answer is' },
    );
    const started = await this.server.request<{ turn: { id: string } }>('turn/start', {
      threadId,
      input: [{ type: 'text', text, text_elements: [] }],
    });
    await this.mock.waitForRequest((r) => r.index > before && r.conversation === threadId);
    // Codex handles a response's events in order, the headers' RateLimits first: a delta seen means it took them.
    if (at === 'mid-answer')
      await this.server.waitForNotification<{ threadId: string }>(
        'item/agentMessage/delta',
        (p) => p.threadId === threadId,
        30_000,
        since,
      );
    await this.server.request('turn/interrupt', { threadId, turnId: started.turn.id });
    const turn = await this.server.waitTurnCompleted(threadId, started.turn.id);
    if (turn.status !== 'interrupted') throw new Error(`interrupted turn ended ${turn.status}`);
    return started.turn.id;
  }

  /** `thread/compact/start` runs a turn of its own; wait for it. Returns its turn id. */
  async compact(threadId: string): Promise<string> {
    const since = this.server.mark();
    await this.server.request('thread/compact/start', { threadId });
    const started = await this.server.waitForNotification<{ threadId: string }>(
      'turn/started',
      (p) => p.threadId === threadId,
      30_000,
      since,
    );
    const turnId = (started.params as { turn: { id: string } }).turn.id;
    const turn = await this.server.waitTurnCompleted(threadId, turnId);
    if (turn.status !== 'completed') throw new Error(`compaction turn ended ${turn.status}`);
    return turnId;
  }

  /** Inline `review/start`; waits for the review turn (not the sub-agent's) to complete. */
  async review(threadId: string, target: ParamsOf<'review/start'>['target']): Promise<string> {
    const result = await this.server.typed.request('review/start', {
      threadId,
      target,
      delivery: 'inline',
    });
    const turn = await this.server.waitTurnCompleted(threadId, result.turn.id);
    if (turn.status !== 'completed') throw new Error(`review turn ended ${turn.status}`);
    return result.turn.id;
  }
}

export interface ScenarioDefinition {
  readonly name: string;
  readonly modes: readonly HistoryMode[];
  /** Runs before Codex starts; the work dir exists and is empty. */
  readonly prepareWorkDir?: (workDir: string) => void;
  /** TOML appended to the home's config.toml (MCP servers). */
  readonly extraConfig?: () => string;
  readonly run: (ctx: ScenarioContext) => Promise<void>;
  /** Runs once Codex has stopped, on the finished home (the threads the run recorded). */
  readonly afterStop?: (home: {
    readonly mode: HistoryMode;
    readonly codexHome: string;
    readonly threads: readonly ThreadRef[];
  }) => void;
}

function factTurns(count: number, prefix = 'Turn'): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix} ${i + 1}: tell me fact number ${i + 1}.`);
}

function writeReadme(workDir: string): void {
  writeFileSync(join(workDir, 'README.txt'), 'Compat work dir.\n');
}

function git(workDir: string, ...args: string[]): void {
  execFileSync('git', args, {
    cwd: workDir,
    stdio: 'ignore',
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: workDir,
      GIT_CONFIG_NOSYSTEM: '1',
      GIT_AUTHOR_NAME: 'Compat',
      GIT_AUTHOR_EMAIL: 'compat@example.invalid',
      GIT_COMMITTER_NAME: 'Compat',
      GIT_COMMITTER_EMAIL: 'compat@example.invalid',
      GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
      GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
    },
  });
}

const chat: ScenarioDefinition = {
  name: 'chat',
  modes: HISTORY_MODES,
  run: async (ctx) => {
    const id = await ctx.startThread('main');
    const [t1, t2, t3, t4] = factTurns(4);
    await ctx.turn(id, t1!);
    await ctx.turn(id, t2!);
    await ctx.server.typed.request('thread/name/set', { threadId: id, name: 'Compat chat' });
    await ctx.turn(id, t3!);
    await ctx.turn(id, t4!);
    // Renamed twice: the newest name must win.
    await ctx.server.typed.request('thread/name/set', { threadId: id, name: 'Compat chat thread' });
    // A user message with characters that need escaping in JSON and in shells.
    await ctx.turn(id, 'Quotes "double" and \'single\', a backslash \\ and unicode: café ✓\nsecond line');
  },
};

const tool: ScenarioDefinition = {
  name: 'tool',
  modes: HISTORY_MODES,
  prepareWorkDir: writeReadme,
  run: async (ctx) => {
    const id = await ctx.startThread('main');
    ctx.mock.replyTo(id, {
      kind: 'stream',
      settleFirst: ['call_echo_1'],
      output: [
        { type: 'reasoning', summary: 'I should run echo.' },
        { type: 'functionCall', callId: 'call_echo_1', cmd: 'echo hi' },
      ],
    });
    await ctx.turn(id, 'Please run echo hi in the shell.');
    ctx.mock.replyTo(id, {
      kind: 'stream',
      settleFirst: ['call_fail_1'],
      output: [{ type: 'functionCall', callId: 'call_fail_1', cmd: 'echo oops >&2; exit 3' }],
    });
    await ctx.turn(id, 'Now run a command that will fail.');
    ctx.mock.replyTo(id, {
      kind: 'stream',
      settleFirst: ['call_two_a', 'call_two_b'],
      output: [
        { type: 'functionCall', callId: 'call_two_a', cmd: 'printf alpha' },
        { type: 'functionCall', callId: 'call_two_b', cmd: 'ls README.txt' },
      ],
    });
    await ctx.turn(id, 'Run two commands in parallel.');
    // Two tool rounds in one turn: the model calls a tool again after the first result.
    ctx.mock.replyTo(
      id,
      {
        kind: 'stream',
        settleFirst: ['call_seq_1'],
        output: [{ type: 'functionCall', callId: 'call_seq_1', cmd: 'echo first' }],
      },
      {
        kind: 'stream',
        settleFirst: ['call_seq_2'],
        output: [
          { type: 'reasoning', summary: 'One more.' },
          { type: 'functionCall', callId: 'call_seq_2', cmd: 'echo second' },
        ],
      },
    );
    await ctx.turn(id, 'Run two commands one after the other.');
    ctx.mock.replyTo(id, { kind: 'stream', output: [{ type: 'message', text: 'Plain answer without reasoning.' }] });
    await ctx.turn(id, 'Thanks, that is all.');
  },
};

const failures: ScenarioDefinition = {
  name: 'failures',
  modes: HISTORY_MODES,
  run: async (ctx) => {
    const id = await ctx.startThread('main');
    await ctx.turn(id, 'Turn 1: a normal turn.');
    ctx.mock.replyTo(id, { kind: 'httpError', status: 500 });
    ctx.facts.http500Turn = await ctx.turn(id, 'Turn 2: the server will fail with HTTP 500.', 'failed');
    ctx.mock.replyTo(id, { kind: 'failed', message: 'compat mock: response.failed' });
    ctx.facts.responseFailedTurn = await ctx.turn(id, 'Turn 3: the stream will report response.failed.', 'failed');
    // Interrupted mid-answer (its rate-limit token_count recorded); first-turn-interrupted below, before any response.
    ctx.facts.interruptedTurn = await ctx.interruptedTurn(id, 'Turn 4: this one will be interrupted.', 'mid-answer');
    await ctx.turn(id, 'Turn 5: back to normal.');

    // Threads whose very first turn does not complete (no agent message before it).
    const firstFailed = await ctx.startThread('first-turn-failed');
    ctx.mock.replyTo(firstFailed, { kind: 'httpError', status: 500 });
    await ctx.turn(firstFailed, 'First turn fails with HTTP 500.', 'failed');
    await ctx.turn(firstFailed, 'Second turn works.');

    const firstInterrupted = await ctx.startThread('first-turn-interrupted');
    await ctx.interruptedTurn(firstInterrupted, 'First turn is interrupted.');
    await ctx.turn(firstInterrupted, 'Second turn works.');
  },
};

const compaction: ScenarioDefinition = {
  name: 'compaction',
  modes: HISTORY_MODES,
  run: async (ctx) => {
    const id = await ctx.startThread('main');
    for (const text of factTurns(3)) await ctx.turn(id, text);
    ctx.facts.firstCompactionTurn = await ctx.compact(id);
    await ctx.turn(id, 'Turn 4: after compaction.');
    ctx.facts.secondCompactionTurn = await ctx.compact(id);
    await ctx.turn(id, 'Turn 5: after the second compaction.');
  },
};

const review: ScenarioDefinition = {
  name: 'review',
  modes: HISTORY_MODES,
  prepareWorkDir: (workDir) => {
    writeReadme(workDir);
    git(workDir, 'init', '-q', '-b', 'main');
    git(workDir, 'add', 'README.txt');
    git(workDir, 'commit', '-q', '-m', 'initial');
    // An uncommitted change for the uncommittedChanges target.
    writeFileSync(join(workDir, 'README.txt'), 'Compat work dir, edited.\n');
  },
  run: async (ctx) => {
    const id = await ctx.startThread('main');
    await ctx.turn(id, 'Turn 1: tell me fact number 1.');
    ctx.facts.customReviewTurn = await ctx.review(id, {
      type: 'custom',
      instructions: 'Review README.txt for clarity.',
    });
    ctx.facts.uncommittedReviewTurn = await ctx.review(id, { type: 'uncommittedChanges' });
    await ctx.turn(id, 'Turn after review.');
  },
};

const fork: ScenarioDefinition = {
  name: 'fork',
  modes: HISTORY_MODES,
  run: async (ctx) => {
    const source = await ctx.startThread('source');
    const [t1, t2, t3] = factTurns(3);
    await ctx.turn(source, t1!);
    const turn2 = await ctx.turn(source, t2!);
    const turn3 = await ctx.turn(source, t3!);
    await ctx.fork('fork-whole', { threadId: source });
    const atTurn2 = await ctx.fork('fork-last-turn-2', { threadId: source, lastTurnId: turn2 });
    await ctx.turn(atTurn2, 'Fork turn: continue from turn 2.');
    const ofFork = await ctx.fork('fork-of-fork', { threadId: atTurn2 });
    await ctx.turn(ofFork, 'Fork of fork turn.');
    // beforeTurnId is experimental; record Codex's answer either way.
    const before = await ctx.attempt<{ thread: { id: string } }>('fork-before-turn-3', 'thread/fork', {
      threadId: source,
      beforeTurnId: turn3,
    });
    if (before !== undefined) ctx.record('fork-before-turn-3', before.thread.id);
    // The source keeps growing after being forked: forks must not see these turns.
    await ctx.turn(source, 'Source turn after the forks.');
    await ctx.expectRefusal('fork-unknown-turn', 'thread/fork', { threadId: source, lastTurnId: 'no-such-turn' });
  },
};

const revert: ScenarioDefinition = {
  name: 'revert',
  modes: HISTORY_MODES,
  run: async (ctx) => {
    const id = await ctx.startThread('main');
    const turns: string[] = [];
    for (const text of factTurns(4)) turns.push(await ctx.turn(id, text));
    if (ctx.mode === 'legacy') {
      await ctx.expectRefusal('revert-legacy', 'thread/revert', { threadId: id, beforeTurnId: turns[2] });
      await ctx.turn(id, 'Turn after the refused revert.');
      return;
    }
    // Cut in the root file.
    await ctx.server.typed.request('thread/revert', { threadId: id, beforeTurnId: turns[2]! });
    await ctx.turn(id, 'Turn after revert.');
    const second = await ctx.turn(id, 'Second turn after revert.');
    await ctx.expectRefusal('revert-dropped-turn', 'thread/revert', { threadId: id, beforeTurnId: turns[3] });
    // Cut inside the first revision file.
    await ctx.server.typed.request('thread/revert', { threadId: id, beforeTurnId: second });
    await ctx.turn(id, 'Turn after the second revert.');
    // Cut in the root file again, behind two revisions.
    await ctx.server.typed.request('thread/revert', { threadId: id, beforeTurnId: turns[1]! });
    await ctx.turn(id, 'Turn after the third revert.');
    // A fork of a reverted thread points into the newest revision.
    const forked = await ctx.fork('fork-of-reverted', { threadId: id });
    await ctx.turn(forked, 'Turn on the fork of the reverted thread.');
    await ctx.expectRefusal('revert-unknown-turn', 'thread/revert', { threadId: id, beforeTurnId: 'no-such-turn' });
  },
};

export const BIG_TURNS = 64;

const big: ScenarioDefinition = {
  name: 'big',
  modes: HISTORY_MODES,
  run: async (ctx) => {
    const id = await ctx.startThread('main');
    for (const text of factTurns(BIG_TURNS)) await ctx.turn(id, text);
  },
};

/** The compat MCP server in a home's config.toml (its tools: `mcp__compat__<tool>`). */
const mcpServerConfig = (): string =>
  `\n[mcp_servers.${MCP_SERVER_NAME}]\ncommand = ${JSON.stringify(process.execPath)}\nargs = [${JSON.stringify(fileURLToPath(new URL('../fixtures/mcpStdioServer.js', import.meta.url)))}]\n`;

/** The model whose tools include the freeform `apply_patch` (the mock's own model has none). */
const PATCH_MODEL = 'gpt-5.5';

const LOOKUP_TOOL = {
  name: 'lookup_fact',
  description: 'Looks up a fact.',
  inputSchema: { type: 'object', properties: { topic: { type: 'string' } }, required: ['topic'] },
};

/**
 * Everyday content beyond chat and shell: file changes, MCP and dynamic tool calls, web search,
 * image views, images and local images in the input, mentions and skills, a sub-agent spawned and
 * waited on, steering, a compaction Codex starts by itself, and a multi-agent v2 sub-agent spawned,
 * followed up and interrupted.
 */
const rich: ScenarioDefinition = {
  name: 'rich',
  modes: HISTORY_MODES,
  prepareWorkDir: (workDir) => {
    writeReadme(workDir);
    writeFileSync(join(workDir, 'pixel.png'), Buffer.from(PIXEL_PNG_BASE64, 'base64'));
  },
  extraConfig: mcpServerConfig,
  run: async (ctx) => {
    ctx.server.serverRequestHandler = (method, params) => {
      if (method !== 'item/tool/call') return undefined;
      const topic = String((params as { arguments?: { topic?: unknown } }).arguments?.topic);
      return {
        contentItems: [{ type: 'inputText', text: `A fact about ${topic}: it is compat-tested.` }],
        success: true,
      };
    };
    const id = await ctx.startThread('main', { dynamicTools: [LOOKUP_TOOL] });
    const pixel = join(ctx.workDir, 'pixel.png');

    ctx.mock.replyTo(id, {
      kind: 'stream',
      settleFirst: ['call_patch_1'],
      output: [
        { type: 'reasoning', summary: 'A new file and an edit.' },
        {
          type: 'customToolCall',
          callId: 'call_patch_1',
          name: 'apply_patch',
          input:
            '*** Begin Patch\n*** Add File: notes.txt\n+first note\n*** Update File: README.txt\n@@\n-Compat work dir.\n+Compat work dir, patched.\n*** End Patch',
        },
      ],
    });
    await ctx.turn(id, 'Add a notes file and edit the README.', 'completed', { model: PATCH_MODEL });
    ctx.mock.replyTo(id, {
      kind: 'stream',
      output: [
        {
          type: 'customToolCall',
          callId: 'call_patch_2',
          name: 'apply_patch',
          input: '*** Begin Patch\n*** Delete File: missing.txt\n*** End Patch',
        },
      ],
    });
    await ctx.turn(id, 'Delete a file that does not exist.', 'completed', { model: PATCH_MODEL });

    ctx.mock.replyTo(id, {
      kind: 'stream',
      settleFirst: ['call_mcp_echo', 'call_mcp_measure', 'call_mcp_fail', 'call_mcp_picture'],
      output: [
        {
          type: 'toolCall',
          callId: 'call_mcp_echo',
          namespace: `mcp__${MCP_SERVER_NAME}`,
          name: 'echo',
          arguments: { text: 'hello' },
        },
        {
          type: 'toolCall',
          callId: 'call_mcp_measure',
          namespace: `mcp__${MCP_SERVER_NAME}`,
          name: 'measure',
          arguments: { text: 'hello' },
        },
        {
          type: 'toolCall',
          callId: 'call_mcp_fail',
          namespace: `mcp__${MCP_SERVER_NAME}`,
          name: 'fail',
          arguments: {},
        },
        {
          type: 'toolCall',
          callId: 'call_mcp_picture',
          namespace: `mcp__${MCP_SERVER_NAME}`,
          name: 'picture',
          arguments: {},
        },
        {
          type: 'toolCall',
          callId: 'call_mcp_unknown',
          namespace: `mcp__${MCP_SERVER_NAME}`,
          name: 'no_such_tool',
          arguments: {},
        },
      ],
    });
    await ctx.turn(id, 'Use the compat MCP tools.');

    ctx.mock.replyTo(id, {
      kind: 'stream',
      output: [
        { type: 'webSearch', query: 'event sourced rollout engine' },
        { type: 'message', text: 'I searched the web.' },
      ],
    });
    await ctx.turn(id, 'Search the web for event sourcing.');

    ctx.mock.replyTo(id, {
      kind: 'stream',
      settleFirst: ['call_view_1'],
      output: [{ type: 'toolCall', callId: 'call_view_1', name: 'view_image', arguments: { path: pixel } }],
    });
    await ctx.turn(id, 'Look at pixel.png.');

    await ctx.turnWithInput(id, [
      { type: 'text', text: 'What is in these two images?', text_elements: [] },
      { type: 'image', url: `data:image/png;base64,${PIXEL_PNG_BASE64}` },
      { type: 'localImage', path: pixel },
    ]);
    await ctx.turnWithInput(id, [
      {
        type: 'text',
        text: 'Ask $compat-skill about @README.txt',
        text_elements: [{ byteRange: { start: 4, end: 17 }, placeholder: '$compat-skill' }],
      },
      { type: 'mention', name: 'README.txt', path: join(ctx.workDir, 'README.txt') },
    ]);

    // Case folding beyond one-to-one mappings (ß ↔ SS) for the search suites.
    await ctx.turn(id, 'Street names: STRASSE, Straße and strasse; also ΣΊΣΥΦΟΣ and ﬁle.');

    ctx.mock.replyTo(id, {
      kind: 'stream',
      settleFirst: ['call_dyn_1'],
      output: [{ type: 'toolCall', callId: 'call_dyn_1', name: 'lookup_fact', arguments: { topic: 'tides' } }],
    });
    await ctx.turn(id, 'Look up a fact about tides.');

    // The sub-agent finishes after its parent's turn ended: its reply is held until then. (The
    // other order is the thread 'sub-agent-before-parent-end' below.)
    ctx.mock.replyTo(id, {
      kind: 'stream',
      settleFirst: ['call_spawn_1'],
      output: [
        {
          type: 'toolCall',
          callId: 'call_spawn_1',
          namespace: 'multi_agent_v1',
          name: 'spawn_agent',
          arguments: { message: 'Sub-agent: count to three.' },
        },
      ],
    });
    const subAgentReply = new HeldReply();
    ctx.mock.replyTo(subAgentAddress(id), subAgentReply);
    await ctx.turn(id, 'Spawn a helper agent.');
    const agentId = spawnedAgentId(ctx, 'call_spawn_1');
    ctx.facts.subAgentId = agentId;
    subAgentReply.release();
    await ctx.server.waitForNotification<{ threadId: string }>('turn/completed', (p) => p.threadId === agentId);
    // Codex records the finished sub-agent's `<subagent_notification>` in the parent's rollout on
    // its own schedule: a clean-clone run of 2026-11-26 built it once before the next turn's
    // task_started and once after (homeDeterminism.compat). The next turn starts once the parent
    // holds it; should it not come within the bound, the turn starts anyway, as before.
    ctx.facts.subAgentNotificationBeforeNextTurn = await parentHolds(
      join(ctx.workDir, '..', 'home'),
      id,
      '<subagent_notification>',
      10_000,
    );
    ctx.mock.replyTo(id, {
      kind: 'stream',
      settleFirst: ['call_wait_1'],
      output: [
        {
          type: 'toolCall',
          callId: 'call_wait_1',
          namespace: 'multi_agent_v1',
          name: 'wait_agent',
          arguments: { targets: [agentId], timeout_ms: 30000 },
        },
      ],
    });
    await ctx.turn(id, 'Wait for the helper agent.');

    // Steering: a second input arrives while the turn's command runs. The command runs until the
    // scenario has steered (it waits for a file the scenario writes then), so the steer lands
    // between the command's start and its end every run.
    const steered = join(ctx.workDir, '..', 'steered');
    ctx.mock.replyTo(id, {
      kind: 'stream',
      settleFirst: ['call_slow_1'],
      output: [
        {
          type: 'functionCall',
          callId: 'call_slow_1',
          cmd: `until [ -e ${steered} ]; do sleep 0.05; done; echo slept`,
          yieldTimeMs: 30000,
        },
      ],
    });
    const steerSince = ctx.server.mark();
    const started = await ctx.server.request<{ turn: { id: string } }>('turn/start', {
      threadId: id,
      input: [{ type: 'text', text: 'Run a slow command.', text_elements: [] }],
    });
    await ctx.server.waitForNotification<{ threadId: string; item: { id: string } }>(
      'item/started',
      (p) => p.threadId === id && p.item.id === 'call_slow_1',
      30_000,
      steerSince,
    );
    await ctx.server.request('turn/steer', {
      threadId: id,
      expectedTurnId: started.turn.id,
      input: [{ type: 'text', text: 'Also say when it is done.', text_elements: [] }],
    });
    writeFileSync(steered, '');
    const steeredTurn = await ctx.server.waitTurnCompleted(id, started.turn.id);
    if (steeredTurn.status !== 'completed') throw new Error(`steered turn ended ${steeredTurn.status}`);
    ctx.facts.steeredTurn = started.turn.id;

    // The other interleaving: the sub-agent's whole turn ends before its parent's turn does (the
    // parent's closing reply is held until then).
    const early = await ctx.startThread('sub-agent-before-parent-end');
    // The sub-agent starts only once the parent has asked for its closing reply (else the parent's
    // request would carry the sub-agent's completion or not, by timing), and that reply waits
    // until the sub-agent's turn is over.
    const parentClosing = new HeldReply();
    const earlyAgentReply = new HeldReply();
    ctx.mock.replyTo(subAgentAddress(early), earlyAgentReply);
    ctx.mock.replyTo(
      early,
      {
        kind: 'stream',
        settleFirst: ['call_spawn_2'],
        output: [
          {
            type: 'toolCall',
            callId: 'call_spawn_2',
            namespace: 'multi_agent_v1',
            name: 'spawn_agent',
            arguments: { message: 'Sub-agent: finish first.' },
          },
        ],
      },
      parentClosing,
    );
    const earlyTurn = await ctx.server.request<{ turn: { id: string } }>('turn/start', {
      threadId: early,
      input: [{ type: 'text', text: 'Spawn a helper that finishes first.', text_elements: [] }],
    });
    await parentClosing.reached;
    const earlyAgent = spawnedAgentId(ctx, 'call_spawn_2');
    ctx.facts.earlySubAgentId = earlyAgent;
    earlyAgentReply.release();
    await ctx.server.waitForNotification<{ threadId: string }>('turn/completed', (p) => p.threadId === earlyAgent);
    parentClosing.release();
    const earlyEnd = await ctx.server.waitTurnCompleted(early, earlyTurn.turn.id);
    if (earlyEnd.status !== 'completed') throw new Error(`parent turn ended ${earlyEnd.status}`);

    // Assistant text in every phase order, for thread/searchOccurrences (which searches a turn's
    // partial answers and its one final message only): commentary and unmarked replies before
    // tool calls, partial and final answers, a final answer followed by unmarked text.
    const phases = await ctx.startThread('phases');
    ctx.mock.replyTo(
      phases,
      {
        kind: 'stream',
        settleFirst: ['call_phase_1'],
        output: [
          { type: 'message', text: 'Phase commentary: checking first.', phase: 'commentary' },
          { type: 'functionCall', callId: 'call_phase_1', cmd: 'echo phase one' },
        ],
      },
      {
        kind: 'stream',
        output: [
          { type: 'message', text: 'Phase partial answer.', phase: 'partial_answer' },
          { type: 'message', text: 'Phase final answer.', phase: 'final_answer' },
        ],
      },
    );
    await ctx.turn(phases, 'Answer in phases.');
    ctx.mock.replyTo(phases, {
      kind: 'stream',
      settleFirst: ['call_phase_2'],
      output: [
        { type: 'message', text: 'Phase reply before a command.' },
        { type: 'functionCall', callId: 'call_phase_2', cmd: 'echo phase two' },
      ],
    });
    await ctx.turn(phases, 'Reply, run a command, reply again.');
    ctx.mock.replyTo(phases, {
      kind: 'stream',
      output: [
        { type: 'message', text: 'Phase final, marked.', phase: 'final_answer' },
        { type: 'message', text: 'Phase text after the final.' },
      ],
    });
    await ctx.turn(phases, 'A final answer, then more text.');
    ctx.mock.replyTo(phases, {
      kind: 'stream',
      output: [
        { type: 'message', text: 'Phase unmarked, then a partial.' },
        { type: 'message', text: 'Phase partial, last.', phase: 'partial_answer' },
      ],
    });
    await ctx.turn(phases, 'Unmarked text, then a partial answer.');
    ctx.mock.replyTo(phases, {
      kind: 'stream',
      output: [{ type: 'message', text: 'Phase commentary only.', phase: 'commentary' }],
    });
    await ctx.turn(phases, 'Only commentary.');
    // Its turns below a fork's cut: the summary picks the final message from the visible items.
    await ctx.fork('phases-fork', { threadId: phases });

    // Automatic compaction: usage past the thread's limit makes Codex compact before the next turn.
    const compacting = await ctx.startThread('auto-compaction', { config: { model_auto_compact_token_limit: 5000 } });
    ctx.mock.replyTo(compacting, {
      kind: 'stream',
      output: [{ type: 'message', text: 'A long answer.' }],
      usage: { inputTokens: 9000, cachedTokens: 0, outputTokens: 500, reasoningTokens: 0 },
    });
    await ctx.turn(compacting, 'Turn 1: a turn that fills the context.');
    await ctx.turn(compacting, 'Turn 2: after the automatic compaction.');

    // Multi-agent v2 (the `collaboration` tools): Codex records the sub-agent's activity (started,
    // completed, interacted, interrupted) as items; legacy threads as `sub_agent_activity` events
    // and completions as `item_completed` lines written after the turn's end.
    const v2 = await ctx.startThread('sub-agents-v2', { config: { 'features.multi_agent_v2': true } });
    const activity = (kind: string, since: number) =>
      ctx.server.waitForNotification<{ threadId: string; item: { type: string; kind?: string } }>(
        'item/completed',
        (p) => p.threadId === v2 && p.item.type === 'subAgentActivity' && p.item.kind === kind,
        30_000,
        since,
      );
    const collaboration = (callId: string, name: string, args: Record<string, unknown>): MockReply => ({
      kind: 'stream',
      settleFirst: [callId],
      output: [{ type: 'toolCall', callId, namespace: 'collaboration', name, arguments: args }],
    });
    // Each of the helper's turns runs after the parent's turn that gave it the task has ended.
    const helperTurns = [new HeldReply(), new HeldReply()] as const;
    ctx.mock.replyTo(subAgentAddress(v2), ...helperTurns);
    let since = ctx.server.mark();
    ctx.mock.replyTo(
      v2,
      collaboration('call_spawn_v2', 'spawn_agent', {
        task_name: 'helper',
        message: 'Count to three.',
        fork_turns: 'none',
      }),
    );
    await ctx.turn(v2, 'Spawn a helper with a task name.');
    helperTurns[0].release();
    await activity('completed', since);
    since = ctx.server.mark();
    ctx.mock.replyTo(
      v2,
      collaboration('call_followup_v2', 'followup_task', { target: 'helper', message: 'Now count to four.' }),
    );
    await ctx.turn(v2, 'Give the helper a follow-up task.');
    helperTurns[1].release();
    await activity('completed', since);
    ctx.mock.replyTo(v2, collaboration('call_interrupt_v2', 'interrupt_agent', { target: 'helper' }));
    await ctx.turn(v2, 'Interrupt the helper.');
  },
  afterStop: (home) => {
    if (home.mode === 'legacy')
      addOlderLegacyEvents(home.codexHome, home.threads.find((t) => t.label === 'sub-agents-v2')!.id);
  },
};

/**
 * Item shapes no other scenario makes Codex write: an MCP call of a tool annotated read-only (the
 * item's `readOnlyHint`), the clock's `sleep` (an `Extension` item of kind `clock.sleep`; the tool
 * is offered with `[features.sleep_tool] mode = "always_on"`, in the `clock` namespace), and a
 * `Stop` hook that keeps a turn going (a hook prompt: `<hook_prompt>` user message and `HookPrompt`
 * item). Codex runs a home's hooks only once trusted: the run trusts it as Codex's own clients do,
 * `hooks/list`'s `currentHash` written back through `config/batchWrite`.
 */
const items: ScenarioDefinition = {
  name: 'items',
  modes: HISTORY_MODES,
  extraConfig: () =>
    `${mcpServerConfig()}\n[features.sleep_tool]\nenabled = true\nmode = "always_on"\n\n[[hooks.Stop]]\n[[hooks.Stop.hooks]]\ntype = "command"\ncommand = ${JSON.stringify(
      `${process.execPath} ${fileURLToPath(new URL('../fixtures/stopHook.js', import.meta.url))}`,
    )}\n`,
  run: async (ctx) => {
    type HookList = { data: Array<{ hooks: Array<{ key: string; currentHash: string; trustStatus: string }> }> };
    const listed = await ctx.server.request<HookList>('hooks/list', { cwds: [ctx.workDir] });
    const hooks = listed.data.flatMap((d) => d.hooks);
    if (hooks.length !== 1) throw new Error(`hooks/list gave ${hooks.length} hooks, wanted the Stop hook`);
    await ctx.server.request('config/batchWrite', {
      edits: [
        {
          keyPath: 'hooks.state',
          mergeStrategy: 'upsert',
          value: Object.fromEntries(hooks.map((h) => [h.key, { trusted_hash: h.currentHash }])),
        },
      ],
      reloadUserConfig: true,
    });
    const trusted = (await ctx.server.request<HookList>('hooks/list', { cwds: [ctx.workDir] })).data.flatMap(
      (d) => d.hooks,
    );
    if (trusted.some((h) => h.trustStatus !== 'trusted'))
      throw new Error(`hooks not trusted: ${JSON.stringify(trusted)}`);

    const id = await ctx.startThread('main');
    // The MCP App call (lookup) has a response of its own, so its result is in the history before
    // the next response is asked for; the calls of one response are kept in order by `settleFirst`,
    // which waits for the legacy end line too (`legacyEndRecorded`).
    ctx.mock.replyTo(
      id,
      {
        kind: 'stream',
        settleFirst: ['call_mcp_lookup'],
        output: [
          {
            type: 'toolCall',
            callId: 'call_mcp_lookup',
            namespace: `mcp__${MCP_SERVER_NAME}`,
            name: 'lookup',
            arguments: { word: 'rollout' },
          },
        ],
      },
      {
        kind: 'stream',
        settleFirst: ['call_mcp_spell', 'call_mcp_echo_plain'],
        output: [
          {
            type: 'toolCall',
            callId: 'call_mcp_spell',
            namespace: `mcp__${MCP_SERVER_NAME}`,
            name: 'spell',
            arguments: { word: 'log' },
          },
          {
            type: 'toolCall',
            callId: 'call_mcp_echo_plain',
            namespace: `mcp__${MCP_SERVER_NAME}`,
            name: 'echo',
            arguments: { text: 'plain' },
          },
        ],
      },
    );
    await ctx.turn(id, 'Look up a word and spell one with the read-only tools, and echo another.');
    ctx.mock.replyTo(id, {
      kind: 'stream',
      settleFirst: ['call_sleep_1'],
      output: [
        { type: 'toolCall', callId: 'call_sleep_1', namespace: 'clock', name: 'sleep', arguments: { duration_ms: 5 } },
      ],
    });
    await ctx.turn(id, 'Wait a moment.');
    ctx.mock.replyTo(
      id,
      { kind: 'stream', output: [{ type: 'message', text: `First pass done. ${STOP_HOOK_MARKER}` }] },
      { kind: 'stream', output: [{ type: 'message', text: 'Checked again, as the hook asked.' }] },
    );
    await ctx.turn(id, 'Do it, and let the stop hook have its say.');
    await ctx.turn(id, 'Turn after the hook.');
  },
};

/** The thread id `spawn_agent` answered the call `callId` with (the parent's tool output, as the mock received it). */
function spawnedAgentId(ctx: ScenarioContext, callId: string): string {
  const spawned = ctx.mock.requests.flatMap((r) => r.toolOutputs).find((o) => o.callId === callId);
  const agentId = spawned === undefined ? undefined : (JSON.parse(spawned.output) as { agent_id?: string }).agent_id;
  if (agentId === undefined) throw new Error(`spawn_agent gave no agent id: ${spawned?.output}`);
  return agentId;
}

/**
 * Legacy lines a 0.169.0 does not write here, put into a finished legacy thread (after its first
 * `sub_agent_activity`) for the cold reads to compare: image generations (the mock provider is not
 * offered the `image_gen` tool), a later end replacing an earlier one of the same call, completions
 * of the kinds a legacy thread takes from `item_completed` (function call outputs, plans) and of
 * one it does not, and the events only older Codex versions persisted (extended persistence),
 * which 0.169.0 reads as nothing. Shapes from codex-rs's protocol events and tests. A legacy thread is read from its file
 * (a paginated one from Codex's history database, so this works for legacy threads only).
 */
function addOlderLegacyEvents(codexHome: string, threadId: string): void {
  const rollout = discoverRollouts(codexHome).find((r) => r.threadId === threadId && !r.archived);
  if (rollout === undefined) throw new Error(`no rollout of ${threadId}`);
  const lines = readFileSync(rollout.path, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const at = lines.findIndex((l) => l.includes('"payload":{"type":"sub_agent_activity"'));
  if (at < 0) throw new Error(`no sub_agent_activity in ${rollout.path}`);
  const { timestamp } = JSON.parse(lines[at]!) as { timestamp: string };
  const turnId = [...lines.slice(0, at)]
    .reverse()
    .map((l) => JSON.parse(l) as { payload?: { type?: string; turn_id?: string } })
    .find((l) => l.payload?.type === 'task_started')?.payload?.turn_id;
  const event = (payload: Record<string, unknown>): string => JSON.stringify({ timestamp, type: 'event_msg', payload });
  const completed = (item: Record<string, unknown>, startedAtMs: number): string =>
    event({
      type: 'item_completed',
      thread_id: threadId,
      turn_id: turnId,
      item,
      started_at_ms: startedAtMs,
      completed_at_ms: startedAtMs + 1,
    });
  const added = [
    event({
      type: 'image_generation_end',
      call_id: 'ig_older_1',
      status: 'completed',
      revised_prompt: null,
      result: PIXEL_PNG_BASE64,
    }),
    event({
      type: 'image_generation_end',
      call_id: 'ig_older_2',
      status: 'completed',
      revised_prompt: 'A red pixel, transparent.',
      result: '',
      saved_path: join(codexHome, 'generated_images', 'ig_older_2.png'),
      transparent_background: true,
      generation_id: 'gen_older_2',
      input_images: [
        {
          path: join(codexHome, 'pixel.png'),
          sha256: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
        },
      ],
    }),
    event({ type: 'image_generation_end', call_id: 'ig_older_1', status: 'failed', revised_prompt: null, result: '' }),
    // Completions a legacy thread shows (function call outputs, plans with text) and one it does not (an agent message).
    completed(
      {
        type: 'FunctionCallOutput',
        id: 'function-older-1',
        name: 'view_image',
        namespace: 'functions',
        output: [
          { type: 'input_text', text: 'the pixel' },
          { type: 'encrypted_content', encrypted_content: 'kept encrypted' },
        ],
      },
      1_000,
    ),
    completed({ type: 'FunctionCallOutput', id: 'function-older-2', name: 'exec', output: 'plain output' }, 2_000),
    completed({ type: 'Plan', id: 'plan-older-empty', text: '' }, 3_000),
    completed({ type: 'Plan', id: 'plan-older', text: '1. Count.\n2. Report.' }, 4_000),
    completed(
      {
        type: 'AgentMessage',
        id: 'agent-older',
        content: [{ type: 'Text', text: 'Shown by agent_message lines only.' }],
      },
      5_000,
    ),
    event({ type: 'view_image_tool_call', call_id: 'call_view_older', path: join(codexHome, 'pixel.png') }),
    event({
      type: 'exec_command_end',
      call_id: 'call_exec_older',
      turn_id: turnId,
      command: ['bash', '-lc', 'echo older'],
      cwd: codexHome,
      parsed_cmd: [],
      source: 'agent',
      stdout: 'older\n',
      stderr: '',
      aggregated_output: 'older\n',
      exit_code: 0,
      duration: { secs: 0, nanos: 5_000_000 },
      formatted_output: 'older\n',
      status: 'completed',
    }),
    event({
      type: 'dynamic_tool_call_response',
      call_id: 'call_dyn_older',
      turn_id: turnId,
      tool: 'lookup_fact',
      arguments: { topic: 'older' },
      content_items: [{ type: 'inputText', text: 'An older fact.' }],
      success: true,
      error: null,
      duration: { secs: 0, nanos: 1_000_000 },
    }),
  ];
  // The file keeps its modification time: Codex's state for the thread stays as Codex left it.
  const { atime, mtime } = statSync(rollout.path);
  writeFileSync(rollout.path, `${[...lines.slice(0, at + 1), ...added, ...lines.slice(at + 1)].join('\n')}\n`);
  utimesSync(rollout.path, atime, mtime);
}

export const SCENARIOS: readonly ScenarioDefinition[] = [
  chat,
  tool,
  failures,
  compaction,
  review,
  fork,
  revert,
  big,
  rich,
  items,
];

/** Builds one CODEX_HOME for one scenario in one mode under `<rootDir>/<scenario>-<mode>/`. */
export async function buildScenarioHome(
  definition: ScenarioDefinition,
  mode: HistoryMode,
  rootDir: string,
): Promise<CompatHome> {
  const key = `${definition.name}-${mode}`;
  const base = join(rootDir, key);
  const codexHome = join(base, 'home');
  const workDir = join(base, 'work');
  mkdirSync(workDir, { recursive: true });
  definition.prepareWorkDir?.(workDir);
  const started = Date.now();
  const mock = await MockResponses.start();
  let server: AppServer | undefined;
  try {
    writeCodexConfig(codexHome, mock.port);
    if (definition.extraConfig) appendFileSync(join(codexHome, 'config.toml'), definition.extraConfig());
    server = await AppServer.start({ codexHome, userHome: join(base, 'user-home'), cwd: workDir });
    const writer = server;
    mock.completeAfterToolCalls(async (request, callIds) => {
      await Promise.all(
        callIds.map(async (callId) => {
          const completed = await writer.waitForNotification<{ threadId: string; item: { id: string } }>(
            'item/completed',
            (p) => p.threadId === request.threadId && p.item.id === callId,
          );
          if (request.threadId === null)
            throw new Error(`a request without a thread-id header waits for tool call ${callId}`);
          await legacyEndRecorded(
            codexHome,
            request.threadId,
            completed.params as { item: { id: string; type: string } },
          );
        }),
      );
    });
    const ctx = new ScenarioContext(server, mock, mode, workDir);
    try {
      await definition.run(ctx);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new Error(`scenario ${key} failed: ${message}`, { cause: error });
    }
    if (mock.queuedReplies > 0) throw new Error(`scenario ${key} left ${mock.queuedReplies} mock replies unused`);
    if (mock.unreleasedHolds > 0)
      throw new Error(`scenario ${key} left ${mock.unreleasedHolds} held mock replies unreleased`);
    const home: CompatHome = {
      key,
      scenario: definition.name,
      mode,
      codexHome,
      workDir,
      threads: ctx.threads,
      refusals: ctx.refusals,
      facts: ctx.facts,
      buildMs: 0,
    };
    await server.stop();
    server = undefined;
    definition.afterStop?.(home);
    const built = { ...home, buildMs: Date.now() - started };
    // Written for people debugging a kept home; tests use the returned object.
    writeFileSync(join(base, 'compat-home.json'), `${JSON.stringify(built, null, 2)}\n`);
    return built;
  } finally {
    await server?.stop();
    await mock.stop();
  }
}

export interface BuildCompatHomesOptions {
  /** Only these scenario names (default: all). */
  readonly scenarios?: readonly string[];
  /** Homes built at the same time; each runs its own app-server and mock. */
  readonly concurrency?: number;
}

/** Builds every (scenario, mode) home under `rootDir`, in parallel. Order of the result is stable. */
export async function buildCompatHomes(rootDir: string, options: BuildCompatHomesOptions = {}): Promise<CompatHome[]> {
  const jobs: Array<{ definition: ScenarioDefinition; mode: HistoryMode }> = [];
  for (const definition of SCENARIOS) {
    if (options.scenarios !== undefined && !options.scenarios.includes(definition.name)) continue;
    for (const mode of definition.modes) jobs.push({ definition, mode });
  }
  // Longest first so the big thread does not start last.
  const order = [...jobs.keys()].sort(
    (a, b) => Number(jobs[b]!.definition.name === 'big') - Number(jobs[a]!.definition.name === 'big'),
  );
  const results: CompatHome[] = new Array(jobs.length);
  const errors: Error[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < order.length && errors.length === 0) {
      const index = order[next++]!;
      const job = jobs[index]!;
      try {
        results[index] = await buildScenarioHome(job.definition, job.mode, rootDir);
      } catch (error) {
        errors.push(error instanceof Error ? error : new Error(String(error)));
      }
    }
  };
  const concurrency = Math.max(1, options.concurrency ?? 3);
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
  if (errors.length > 0) throw errors[0];
  return results;
}

export interface DiscoveredRollout {
  readonly path: string;
  readonly threadId: string;
  readonly historyMode: string | null;
  readonly parentThreadId: string | null;
  readonly forkedFromId: string | null;
  readonly source: unknown;
  readonly archived: boolean;
}

function rolloutFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...rolloutFiles(full));
    else if (entry.name.startsWith('rollout-') && entry.name.endsWith('.jsonl')) found.push(full);
  }
  return found.sort();
}

/** Whether `threadId`'s rollout holds `text` within `boundMs` (looked at every 20 ms). */
async function parentHolds(codexHome: string, threadId: string, text: string, boundMs: number): Promise<boolean> {
  return (await rolloutHolds(codexHome, threadId, (file) => file.text.includes(text), boundMs)) !== undefined;
}

/** The first answer `found` gives for `threadId`'s live rollout within `boundMs` (looked at every 20 ms), else undefined. */
async function rolloutHolds<T>(
  codexHome: string,
  threadId: string,
  found: (file: { readonly text: string; readonly historyMode: string | null }) => T | undefined | false,
  boundMs: number,
): Promise<T | undefined> {
  for (const deadline = Date.now() + boundMs; Date.now() < deadline; await new Promise((r) => setTimeout(r, 20))) {
    try {
      const file = discoverRollouts(codexHome).find((r) => r.threadId === threadId && !r.archived);
      if (file === undefined) continue;
      const answer = found({ text: readFileSync(file.path, 'utf8'), historyMode: file.historyMode });
      if (answer !== undefined && answer !== false) return answer;
    } catch {
      // A rollout file being created has no complete first line yet: look again.
    }
  }
  return undefined;
}

/**
 * The legacy event Codex records, in a legacy-mode rollout only, for a completed item of these types,
 * and the field that holds the item's id (codex-rs `rollout/src/policy.rs` `should_persist_event_msg`:
 * PatchApplyEnd, McpToolCallEnd, WebSearchEnd, ImageGenerationEnd, SubAgentActivity;
 * `protocol/src/legacy_events.rs` maps the TurnItem to them, a sub-agent activity keyed by `event_id`).
 */
const LEGACY_END_EVENT: Readonly<Record<string, { readonly type: string; readonly idField: 'call_id' | 'event_id' }>> =
  {
    fileChange: { type: 'patch_apply_end', idField: 'call_id' },
    mcpToolCall: { type: 'mcp_tool_call_end', idField: 'call_id' },
    webSearch: { type: 'web_search_end', idField: 'call_id' },
    imageGeneration: { type: 'image_generation_end', idField: 'call_id' },
    subAgentActivity: { type: 'sub_agent_activity', idField: 'event_id' },
  };

/**
 * Resolves once a legacy rollout holds the legacy end event of a completed item. Codex's
 * `Session::send_event` (`core/src/session/mod.rs`) records and sends the ItemCompleted event (the
 * client's `item/completed`) first and only then the legacy events derived from it, so the
 * notification does not mean the legacy line is in the file: waiting only for it let one build of
 * items-legacy record the MCP call's `mcp_tool_call_end` after the next call item (clean-clone run
 * r1, 2026-11-26), and one of rich-legacy an `interrupt_agent`'s `sub_agent_activity` after the
 * response's `token_usage_record` (CI run of stop 77). Items with no legacy line, and paginated
 * rollouts (whose `item_completed` line is the ItemCompleted event itself), need no wait.
 */
async function legacyEndRecorded(
  codexHome: string,
  threadId: string,
  completed: { item: { id: string; type: string } },
): Promise<void> {
  const end = LEGACY_END_EVENT[completed.item.type];
  if (end === undefined) return;
  const callId = completed.item.id;
  const answer = await rolloutHolds(
    codexHome,
    threadId,
    (file) => {
      if (file.historyMode === 'paginated') return 'not legacy';
      for (const line of file.text.split('\n')) {
        if (!line.includes(callId) || !line.includes(end.type)) continue;
        const parsed = JSON.parse(line) as { type?: string; payload?: Record<string, unknown> };
        if (parsed.type === 'event_msg' && parsed.payload?.type === end.type && parsed.payload[end.idField] === callId)
          return 'recorded';
      }
      return undefined;
    },
    10_000,
  );
  if (answer === undefined)
    throw new Error(
      `thread ${threadId}'s rollout did not record ${end.type} for ${callId} within 10 s of its item/completed`,
    );
}

/** Bytes read at a time looking for the end of a rollout's first line. */
const FIRST_LINE_READ = 64 * 1024;

/** A file's first line (its text up to the first newline, or all of it), read a piece at a time: a rollout's meta, not its turns. */
function firstLineOf(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const pieces: Buffer[] = [];
    for (let at = 0; ;) {
      const b = Buffer.alloc(FIRST_LINE_READ);
      const n = readSync(fd, b, 0, b.length, at);
      const end = b.subarray(0, n).indexOf(0x0a);
      pieces.push(b.subarray(0, end < 0 ? n : end));
      if (end >= 0 || n === 0) return Buffer.concat(pieces).toString('utf8');
      at += n;
    }
  } finally {
    closeSync(fd);
  }
}

/** Every rollout file of a home, in path order, with what its `session_meta` says (revision files share their thread's id). */
export function discoverRollouts(codexHome: string): DiscoveredRollout[] {
  const describe = (path: string, archived: boolean): DiscoveredRollout => {
    const firstLine = firstLineOf(path);
    // Codex before 0.32 wrote the session's meta bare, with no `{timestamp,type,payload}` envelope.
    const meta = JSON.parse(firstLine) as { payload?: Record<string, unknown> } & Record<string, unknown>;
    const p = meta.payload ?? meta;
    const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
    return {
      path,
      // The file name's id: Codex finds a thread's file by it, and a meta id it refuses (`true`) or that
      // is not the file's is no thread id (fuzzer `--replay 20261151:9:0:1:2`: a legacy thread so keyed).
      threadId: parseRolloutFileName(basename(path))?.threadId ?? String(p.id),
      historyMode: str(p.history_mode),
      parentThreadId: str(p.parent_thread_id),
      forkedFromId: str(p.forked_from_id),
      source: p.source,
      archived,
    };
  };
  return [
    ...rolloutFiles(join(codexHome, 'sessions')).map((p) => describe(p, false)),
    ...rolloutFiles(join(codexHome, 'archived_sessions')).map((p) => describe(p, true)),
  ];
}

/**
 * Every thread of a home: the ones the scenario recorded, then any other thread id found on disk
 * (review sub-agent threads), labelled after their relation.
 */
export function allThreads(home: Pick<CompatHome, 'codexHome' | 'threads'>): ThreadRef[] {
  const threads = [...home.threads];
  const known = new Set(threads.map((t) => t.id));
  for (const rollout of discoverRollouts(home.codexHome)) {
    if (known.has(rollout.threadId)) continue;
    known.add(rollout.threadId);
    const label = rollout.parentThreadId !== null ? `sub-agent of ${rollout.parentThreadId}` : 'discovered';
    threads.push({ id: rollout.threadId, label });
  }
  return threads;
}
