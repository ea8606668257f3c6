// A scripted stand-in for the OpenAI Responses API (`POST /v1/responses`, SSE), on loopback only.
// Codex is pointed at it through config.toml; every reply is deterministic so that two runs of a
// scenario write rollouts that differ only in Codex's own ids and timestamps.
//
// Replies are routed by conversation, never by arrival order: Codex 0.169.0 names the thread a
// request belongs to in its `thread-id` header (`session-id` names the root of a sub-agent tree,
// `x-codex-parent-thread-id` the thread that spawned a sub-agent; the same ids are in the body's
// `client_metadata`). A root thread's address is its thread id; a sub-agent's is
// `<parent's address>/sub-agent-<n>` (`subAgentAddress`), n its rank among the parent's
// sub-agents by their first request, so a scenario addresses a sub-agent before its id exists
// (it spawns them one at a time, or holds replies so that their first requests come in a known
// order). Counters (`Answer #n`, review numbers) and usage count per conversation. A `held` reply
// (`HeldReply`) answers only when the scenario releases it, so an interleaving is scripted.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface MockUsage {
  readonly inputTokens: number;
  readonly cachedTokens: number;
  readonly outputTokens: number;
  readonly reasoningTokens: number;
}

export type MockOutputItem =
  | { readonly type: 'reasoning'; readonly summary: string }
  /** `phase` as the Responses API marks assistant text (commentary, a partial answer, the final answer); none when absent. */
  | {
      readonly type: 'message';
      readonly text: string;
      readonly phase?: 'commentary' | 'partial_answer' | 'final_answer';
    }
  | { readonly type: 'functionCall'; readonly callId: string; readonly cmd: string; readonly yieldTimeMs?: number }
  /** Any function tool by name (view_image, an MCP tool `mcp__<server>__<tool>`, a dynamic tool, spawn_agent, …). */
  | {
      readonly type: 'toolCall';
      readonly callId: string;
      readonly name: string;
      /** The tool's namespace as Codex offers it (`mcp__compat`, `multi_agent_v1`). */
      readonly namespace?: string;
      readonly arguments: Readonly<Record<string, unknown>>;
    }
  /** A freeform (custom) tool call, e.g. `apply_patch` with the patch as its input. */
  | { readonly type: 'customToolCall'; readonly callId: string; readonly name: string; readonly input: string }
  /** The hosted web search: the model searched; Codex only records it. */
  | { readonly type: 'webSearch'; readonly query: string }
  /** The hosted image generation: the model made an image (`result`, base64); Codex saves and records it. */
  | { readonly type: 'imageGeneration'; readonly revisedPrompt: string; readonly resultBase64: string };

export type MockReply =
  | HeldReply
  | {
      readonly kind: 'stream';
      readonly output: readonly MockOutputItem[];
      readonly usage?: MockUsage;
      /** Tool calls (of `output`) whose end Codex must have reported before the stream goes on (`ToolCallsSettled`). */
      readonly settleFirst?: readonly string[];
    }
  /** Plain HTTP error response, no stream (Codex reports HTTP 500 as internalServerError). */
  | { readonly kind: 'httpError'; readonly status: number; readonly message?: string }
  /** Stream starts, then `response.failed`. */
  | { readonly kind: 'failed'; readonly message: string }
  /**
   * `response.created`, then nothing until the client goes away (used with turn/interrupt).
   * `silent`: not even the response's headers, so Codex has nothing of the response to record
   * before it is interrupted (with them, it writes a rate-limit `token_count` or not as the
   * interrupt falls: the failures home had 22 lines in one build and 23 in another).
   * `partialText`: after `response.created`, an assistant message starts and gets this one delta,
   * so the client's `item/agentMessage/delta` tells that Codex took the response's start
   * (`ScenarioContext.interruptedTurn`'s `mid-answer`).
   */
  | { readonly kind: 'stall'; readonly silent?: true; readonly partialText?: string };

export interface MockFunctionCallOutput {
  readonly callId: string;
  readonly output: string;
}

/** What the mock understood of one request; `body` is the raw parsed JSON for anything else. */
export interface MockRequest {
  /** 1-based, in arrival order (for waiting on a request; never for choosing a reply). */
  readonly index: number;
  /** The `thread-id` header: the Codex thread the request belongs to (null if absent). */
  readonly threadId: string | null;
  /** The conversation's address (see the top of this file): what replies, counters and usage are keyed by. */
  readonly conversation: string;
  /** 1-based, in the order of this conversation's requests. */
  readonly conversationIndex: number;
  readonly body: unknown;
  /** Text of the last `user` message in `input` (context messages included, so it may be `<environment_context>…`). */
  readonly lastUserText: string | null;
  /** Function call outputs that come after the last user message: this request answers a tool call. */
  readonly toolOutputs: readonly MockFunctionCallOutput[];
  readonly isCompaction: boolean;
  readonly isReview: boolean;
  /** `<cwd>` of the request's environment context, if any. */
  readonly cwd: string | null;
}

export type MockPolicy = (request: MockRequest, mock: MockResponses) => MockReply;

export const COMPACTION_PROMPT_PREFIX = 'You are performing a CONTEXT CHECKPOINT COMPACTION';
export const COMPACTION_SUMMARY = 'SUMMARY: the user asked for facts and got answers.';
export const REVIEW_REASONING = 'Reviewing the change.';

interface InputItem {
  readonly type?: unknown;
  readonly role?: unknown;
  readonly content?: unknown;
  readonly call_id?: unknown;
  readonly output?: unknown;
}

function textOfContent(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content.map((part: { text?: unknown }) => (typeof part?.text === 'string' ? part.text : '')).join('');
}

function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  return textOfContent(output);
}

/** Where a request belongs, from its headers: what `describeRequest` needs beyond the body. */
export interface MockRouting {
  readonly threadId: string | null;
  readonly conversation: string;
  readonly conversationIndex: number;
}

/** The address of the `n`th sub-agent (1-based, by first request) of the conversation at `parent`. */
export const subAgentAddress = (parent: string, n = 1): string => `${parent}/sub-agent-${n}`;

/** Requests without a `thread-id` header (not Codex's) share this address. */
export const UNADDRESSED = 'unaddressed';

export function describeRequest(index: number, body: unknown, routing: MockRouting): MockRequest {
  const record = (typeof body === 'object' && body !== null ? body : {}) as {
    input?: unknown;
  };
  const input: InputItem[] = Array.isArray(record.input) ? (record.input as InputItem[]) : [];
  let lastUserIndex = -1;
  let lastUserText: string | null = null;
  let cwd: string | null = null;
  for (const [i, item] of input.entries()) {
    if (item.type !== 'message' || item.role !== 'user') continue;
    const text = textOfContent(item.content);
    const cwdMatch = /<cwd>([^<]*)<\/cwd>/.exec(text);
    if (cwdMatch?.[1] !== undefined) cwd = cwdMatch[1];
    lastUserIndex = i;
    lastUserText = text;
  }
  const toolOutputs: MockFunctionCallOutput[] = input
    .slice(lastUserIndex + 1)
    .filter((item) => item.type === 'function_call_output' || item.type === 'custom_tool_call_output')
    .map((item) => ({ callId: String(item.call_id), output: outputText(item.output) }));
  // Base instructions may come as `instructions` or as a system/developer input message.
  const everything = JSON.stringify(body);
  return {
    index,
    ...routing,
    body,
    lastUserText,
    toolOutputs,
    isCompaction: lastUserText?.startsWith(COMPACTION_PROMPT_PREFIX) ?? false,
    // The review sub-agent runs with the review guidelines as its base instructions.
    isReview: everything.includes('# Review guidelines'),
    cwd,
  };
}

/**
 * A reply that answers only once `release()` is called: the request waits (no byte of the
 * response is sent) until then. `reached` resolves with the request when it arrived, so a scenario
 * can order, e.g., a sub-agent's whole turn before or after its parent's next reply.
 */
export class HeldReply {
  readonly kind = 'held';
  readonly reached: Promise<MockRequest>;
  private arrivedWith: ((request: MockRequest) => void) | undefined;
  private opened: (() => void) | undefined;
  readonly released: Promise<void>;
  private isReleased = false;

  /** `reply` undefined: the policy answers, when released. */
  constructor(readonly reply?: Exclude<MockReply, HeldReply>) {
    this.reached = new Promise((resolve) => (this.arrivedWith = resolve));
    this.released = new Promise((resolve) => (this.opened = resolve));
  }

  get wasReleased(): boolean {
    return this.isReleased;
  }

  release(): void {
    this.isReleased = true;
    this.opened?.();
  }

  /** Called by the mock when the request this reply answers arrives. */
  arrive(request: MockRequest): void {
    this.arrivedWith?.(request);
  }
}

/** The review JSON the review sub-agent is expected to produce (same shape as the corpus mock's). */
export function reviewOutputText(cwd: string | null, reviewNumber: number): string {
  const file = `${cwd ?? '/tmp'}/README.txt`;
  return JSON.stringify({
    findings: [
      {
        title: '[P2] README wording',
        body: 'The README could be clearer.',
        confidence_score: 0.6,
        priority: 2,
        code_location: { absolute_file_path: file, line_range: { start: 1, end: 1 } },
      },
    ],
    overall_correctness: 'patch is correct',
    overall_explanation: `Looks fine (review #${reviewNumber}).`,
    overall_confidence_score: 0.8,
  });
}

/**
 * The answer when nothing was queued: compaction summary, review JSON, a closing message after
 * tool outputs, otherwise reasoning + `Answer #n to "<text>"`.
 */
export const defaultPolicy: MockPolicy = (request, mock) => {
  if (request.isCompaction) {
    return { kind: 'stream', output: [{ type: 'message', text: COMPACTION_SUMMARY }] };
  }
  if (request.isReview) {
    return {
      kind: 'stream',
      output: [
        { type: 'reasoning', summary: REVIEW_REASONING },
        { type: 'message', text: reviewOutputText(request.cwd, mock.nextCounter('review', request.conversation)) },
      ],
    };
  }
  const lastTool = request.toolOutputs[request.toolOutputs.length - 1];
  if (lastTool !== undefined) {
    return { kind: 'stream', output: [{ type: 'message', text: `The command finished (call ${lastTool.callId}).` }] };
  }
  const text = request.lastUserText ?? '';
  return {
    kind: 'stream',
    output: [
      { type: 'reasoning', summary: `Thinking about: ${text}` },
      {
        type: 'message',
        text: `Answer #${mock.nextCounter('answer', request.conversation)} to ${JSON.stringify(text)}`,
      },
    ],
  };
};

/** Deterministic usage from the request's number in its conversation and the shape of the reply. */
function usageFor(request: MockRequest, output: readonly MockOutputItem[]): MockUsage {
  const n = request.conversationIndex;
  const hasReasoning = output.some((item) => item.type === 'reasoning');
  return {
    inputTokens: 1000 + 100 * n,
    cachedTokens: n > 1 ? 100 * (n - 1) : 0,
    outputTokens: 10 + 5 * output.length,
    reasoningTokens: hasReasoning ? 5 : 0,
  };
}

function sse(res: ServerResponse, type: string, data: Record<string, unknown>): void {
  res.write(`event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`);
}

/** Split text in two deltas so that clients really have to concatenate. */
function deltas(text: string): string[] {
  if (text.length < 2) return [text];
  const cut = Math.ceil(text.length / 2);
  return [text.slice(0, cut), text.slice(cut)];
}

/**
 * Resolves once Codex has reported the end of the tool calls (for the request's thread). A reply's
 * `settleFirst` calls are each followed by this wait before the stream goes on: Codex runs a tool
 * as soon as its call item is done, while the stream continues, and records the tool's end when it
 * returns, so without the barrier a fast tool (a patch, an MCP call) lands before or after the
 * next call item or the response's token usage line depending on timing. Parallel calls so named
 * run one after the other.
 */
export type ToolCallsSettled = (request: MockRequest, callIds: readonly string[]) => Promise<void>;

export interface MockResponsesOptions {
  readonly policy?: MockPolicy;
}

/** One conversation as the mock saw it. */
interface Conversation {
  readonly address: string;
  requests: number;
  subAgents: number;
}

function headerValue(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return typeof value === 'string' && value !== '' ? value : null;
}

export class MockResponses {
  readonly requests: MockRequest[] = [];
  /** Replies for one conversation each, by address. */
  private readonly queues = new Map<string, MockReply[]>();
  /** Conversations by thread id. */
  private readonly conversations = new Map<string, Conversation>();
  private readonly held = new Set<HeldReply>();
  private readonly sockets = new Set<Socket>();
  private readonly counters = new Map<string, number>();
  private readonly waiters: Array<{ predicate: (r: MockRequest) => boolean; resolve: (r: MockRequest) => void }> = [];
  private idCounter = 0;
  private policy: MockPolicy;
  private toolCallsSettled: ToolCallsSettled | undefined;

  private constructor(
    private readonly server: Server,
    readonly port: number,
    options: MockResponsesOptions,
  ) {
    this.policy = options.policy ?? defaultPolicy;
  }

  static async start(options: MockResponsesOptions = {}): Promise<MockResponses> {
    let mock: MockResponses | undefined;
    const server = createServer((req, res) => {
      if (mock === undefined) {
        res.statusCode = 503;
        res.end();
        return;
      }
      mock.handle(req, res);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('mock: no TCP address');
    mock = new MockResponses(server, address.port, options);
    const created = mock;
    server.on('connection', (socket: Socket) => {
      created.sockets.add(socket);
      socket.once('close', () => created.sockets.delete(socket));
    });
    return mock;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.port}/v1`;
  }

  /** Replies consumed in order by the next requests of the conversation at `address`; when none is left the policy answers. */
  replyTo(address: string, ...replies: MockReply[]): void {
    const queue = this.queues.get(address) ?? [];
    queue.push(...replies);
    this.queues.set(address, queue);
  }

  get queuedReplies(): number {
    let n = 0;
    for (const queue of this.queues.values()) n += queue.length;
    return n;
  }

  /** Held replies whose request arrived (or not) and that were never released. */
  get unreleasedHolds(): number {
    return [...this.held].filter((h) => !h.wasReleased).length;
  }

  setPolicy(policy: MockPolicy): void {
    this.policy = policy;
  }

  /** How the mock learns that a reply's `settleFirst` tool calls ended (see `ToolCallsSettled`). */
  completeAfterToolCalls(settled: ToolCallsSettled): void {
    this.toolCallsSettled = settled;
  }

  /** Per-name counters used by policies (e.g. `Answer #n`), one per conversation. */
  nextCounter(name: string, conversation: string): number {
    const key = `${conversation}\u0000${name}`;
    const next = (this.counters.get(key) ?? 0) + 1;
    this.counters.set(key, next);
    return next;
  }

  /** Resolves with the first request (already received or future) matching the predicate. */
  waitForRequest(predicate: (r: MockRequest) => boolean, timeoutMs = 10_000): Promise<MockRequest> {
    const seen = this.requests.find(predicate);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const waiter = {
        predicate,
        resolve: (r: MockRequest) => {
          clearTimeout(timer);
          resolve(r);
        },
      };
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`mock: no matching request within ${timeoutMs} ms (saw ${this.requests.length})`));
      }, timeoutMs);
      this.waiters.push(waiter);
    });
  }

  async stop(): Promise<void> {
    // A request still held would keep its connection open: answer it (the client is going away).
    for (const h of this.held) h.release();
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    // Stalled streams and keep-alive connections would keep close() waiting forever.
    for (const socket of this.sockets) socket.destroy();
    this.server.closeAllConnections();
    await closed;
  }

  private nextId(prefix: string): string {
    this.idCounter += 1;
    return `${prefix}_${String(this.idCounter).padStart(4, '0')}`;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      if (req.method !== 'POST' || !(req.url ?? '').startsWith('/v1/responses')) {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `mock: unexpected ${req.method} ${req.url}` } }));
        return;
      }
      let body: unknown;
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      } catch {
        res.writeHead(400);
        res.end();
        return;
      }
      const request = describeRequest(this.requests.length + 1, body, this.route(req));
      this.requests.push(request);
      const reply = this.queues.get(request.conversation)?.shift() ?? this.policyReply(request);
      if (reply.kind === 'held') {
        this.held.add(reply);
        reply.arrive(request);
        void reply.released.then(() => this.reply(request, reply.reply ?? this.policyReply(request), res));
      } else this.reply(request, reply, res);
      for (const waiter of [...this.waiters]) {
        if (waiter.predicate(request)) {
          this.waiters.splice(this.waiters.indexOf(waiter), 1);
          waiter.resolve(request);
        }
      }
    });
  }

  private policyReply(request: MockRequest): Exclude<MockReply, HeldReply> {
    const reply = this.policy(request, this);
    if (reply.kind === 'held') throw new Error('mock: a policy answers, it does not hold');
    return reply;
  }

  /** The conversation of a request, from Codex's `thread-id` and `x-codex-parent-thread-id` headers. */
  private route(req: IncomingMessage): MockRouting {
    const threadId = headerValue(req, 'thread-id');
    if (threadId === null) {
      const conversation = this.conversationOf(UNADDRESSED, null);
      conversation.requests += 1;
      return { threadId, conversation: conversation.address, conversationIndex: conversation.requests };
    }
    const conversation = this.conversationOf(threadId, headerValue(req, 'x-codex-parent-thread-id'));
    conversation.requests += 1;
    return { threadId, conversation: conversation.address, conversationIndex: conversation.requests };
  }

  private conversationOf(threadId: string, parentThreadId: string | null): Conversation {
    const known = this.conversations.get(threadId);
    if (known !== undefined) return known;
    let address = threadId;
    if (parentThreadId !== null) {
      // A parent whose own first request has not come yet (it spawned before asking) is a root.
      const parent = this.conversationOf(parentThreadId, null);
      parent.subAgents += 1;
      address = subAgentAddress(parent.address, parent.subAgents);
    }
    const conversation: Conversation = { address, requests: 0, subAgents: 0 };
    this.conversations.set(threadId, conversation);
    return conversation;
  }

  private reply(request: MockRequest, reply: Exclude<MockReply, HeldReply>, res: ServerResponse): void {
    if (reply.kind === 'httpError') {
      res.writeHead(reply.status, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          error: { message: reply.message ?? 'compat mock: server error', type: 'server_error', code: null },
        }),
      );
      return;
    }
    if (reply.kind === 'stall' && reply.silent === true) return; // held open, unanswered, until the client disconnects or stop()
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const responseId = this.nextId('resp');
    sse(res, 'response.created', {
      response: { id: responseId, object: 'response', status: 'in_progress', output: [] },
    });
    if (reply.kind === 'stall') {
      if (reply.partialText !== undefined) {
        const id = this.nextId('msg'); // the message never ends: Codex records none of it
        sse(res, 'response.output_item.added', {
          output_index: 0,
          item: { type: 'message', id, role: 'assistant', status: 'in_progress', content: [] },
        });
        sse(res, 'response.content_part.added', {
          item_id: id,
          output_index: 0,
          content_index: 0,
          part: { type: 'output_text', text: '', annotations: [] },
        });
        sse(res, 'response.output_text.delta', {
          item_id: id,
          output_index: 0,
          content_index: 0,
          delta: reply.partialText,
        });
      }
      return; // held open until the client disconnects or stop()
    }
    if (reply.kind === 'failed') {
      sse(res, 'response.failed', {
        response: {
          id: responseId,
          object: 'response',
          status: 'failed',
          error: { code: 'server_error', message: reply.message },
        },
      });
      res.end();
      return;
    }
    void this.stream(request, reply, responseId, res);
  }

  /** Writes a stream's items, each `settleFirst` tool call followed by a wait for its end, then completes it. */
  private async stream(
    request: MockRequest,
    reply: Extract<MockReply, { kind: 'stream' }>,
    responseId: string,
    res: ServerResponse,
  ): Promise<void> {
    const settleFirst = new Set(reply.settleFirst ?? []);
    try {
      for (const [outputIndex, item] of reply.output.entries()) {
        this.writeItem(res, item, outputIndex);
        if (!('callId' in item) || !settleFirst.has(item.callId)) continue;
        if (this.toolCallsSettled === undefined)
          throw new Error('a reply waits for a tool call, but nothing tells when it ends');
        await this.toolCallsSettled(request, [item.callId]);
      }
    } catch (error) {
      // The stream fails visibly: the scenario's turn ends failed and says why.
      sse(res, 'response.failed', {
        response: {
          id: responseId,
          object: 'response',
          status: 'failed',
          error: { code: 'server_error', message: `mock: ${String(error)}` },
        },
      });
      res.end();
      return;
    }
    this.complete(request, reply.output, reply.usage, responseId, res);
  }

  private complete(
    request: MockRequest,
    output: readonly MockOutputItem[],
    given: MockUsage | undefined,
    responseId: string,
    res: ServerResponse,
  ): void {
    const usage = given ?? usageFor(request, output);
    sse(res, 'response.completed', {
      response: {
        id: responseId,
        object: 'response',
        status: 'completed',
        usage: {
          input_tokens: usage.inputTokens,
          input_tokens_details: { cached_tokens: usage.cachedTokens },
          output_tokens: usage.outputTokens,
          output_tokens_details: { reasoning_tokens: usage.reasoningTokens },
          total_tokens: usage.inputTokens + usage.outputTokens,
        },
      },
    });
    res.end();
  }

  private writeFunctionCall(
    res: ServerResponse,
    outputIndex: number,
    callId: string,
    name: string,
    namespace: string | undefined,
    argsObject: Readonly<Record<string, unknown>>,
  ): void {
    const id = this.nextId('fc');
    const args = JSON.stringify(argsObject);
    const ns = namespace === undefined ? {} : { namespace };
    sse(res, 'response.output_item.added', {
      output_index: outputIndex,
      item: { type: 'function_call', id, call_id: callId, name, ...ns, arguments: '', status: 'in_progress' },
    });
    sse(res, 'response.function_call_arguments.delta', { item_id: id, output_index: outputIndex, delta: args });
    sse(res, 'response.output_item.done', {
      output_index: outputIndex,
      item: { type: 'function_call', id, call_id: callId, name, ...ns, arguments: args, status: 'completed' },
    });
  }

  private writeItem(res: ServerResponse, item: MockOutputItem, outputIndex: number): void {
    switch (item.type) {
      case 'reasoning': {
        const id = this.nextId('rs');
        sse(res, 'response.output_item.added', {
          output_index: outputIndex,
          item: { type: 'reasoning', id, summary: [] },
        });
        sse(res, 'response.reasoning_summary_part.added', {
          item_id: id,
          output_index: outputIndex,
          summary_index: 0,
          part: { type: 'summary_text', text: '' },
        });
        for (const delta of deltas(item.summary)) {
          sse(res, 'response.reasoning_summary_text.delta', {
            item_id: id,
            output_index: outputIndex,
            summary_index: 0,
            delta,
          });
        }
        sse(res, 'response.reasoning_summary_text.done', {
          item_id: id,
          output_index: outputIndex,
          summary_index: 0,
          text: item.summary,
        });
        sse(res, 'response.output_item.done', {
          output_index: outputIndex,
          item: {
            type: 'reasoning',
            id,
            summary: [{ type: 'summary_text', text: item.summary }],
            encrypted_content: `enc:${id}`,
          },
        });
        return;
      }
      case 'message': {
        const id = this.nextId('msg');
        sse(res, 'response.output_item.added', {
          output_index: outputIndex,
          item: {
            type: 'message',
            id,
            role: 'assistant',
            status: 'in_progress',
            content: [],
            ...(item.phase === undefined ? {} : { phase: item.phase }),
          },
        });
        sse(res, 'response.content_part.added', {
          item_id: id,
          output_index: outputIndex,
          content_index: 0,
          part: { type: 'output_text', text: '', annotations: [] },
        });
        for (const delta of deltas(item.text)) {
          sse(res, 'response.output_text.delta', { item_id: id, output_index: outputIndex, content_index: 0, delta });
        }
        sse(res, 'response.output_text.done', {
          item_id: id,
          output_index: outputIndex,
          content_index: 0,
          text: item.text,
        });
        sse(res, 'response.output_item.done', {
          output_index: outputIndex,
          item: {
            type: 'message',
            id,
            role: 'assistant',
            status: 'completed',
            content: [{ type: 'output_text', text: item.text, annotations: [] }],
            ...(item.phase === undefined ? {} : { phase: item.phase }),
          },
        });
        return;
      }
      case 'functionCall':
        this.writeFunctionCall(res, outputIndex, item.callId, 'exec_command', undefined, {
          cmd: item.cmd,
          yield_time_ms: item.yieldTimeMs ?? 5000,
        });
        return;
      case 'toolCall':
        this.writeFunctionCall(res, outputIndex, item.callId, item.name, item.namespace, item.arguments);
        return;
      case 'customToolCall': {
        const id = this.nextId('ctc');
        sse(res, 'response.output_item.added', {
          output_index: outputIndex,
          item: {
            type: 'custom_tool_call',
            id,
            call_id: item.callId,
            name: item.name,
            input: '',
            status: 'in_progress',
          },
        });
        sse(res, 'response.custom_tool_call_input.delta', {
          item_id: id,
          output_index: outputIndex,
          delta: item.input,
        });
        sse(res, 'response.output_item.done', {
          output_index: outputIndex,
          item: {
            type: 'custom_tool_call',
            id,
            call_id: item.callId,
            name: item.name,
            input: item.input,
            status: 'completed',
          },
        });
        return;
      }
      case 'webSearch': {
        const id = this.nextId('ws');
        sse(res, 'response.output_item.added', {
          output_index: outputIndex,
          item: { type: 'web_search_call', id, status: 'in_progress' },
        });
        sse(res, 'response.output_item.done', {
          output_index: outputIndex,
          item: { type: 'web_search_call', id, status: 'completed', action: { type: 'search', query: item.query } },
        });
        return;
      }
      case 'imageGeneration': {
        const id = this.nextId('ig');
        sse(res, 'response.output_item.added', {
          output_index: outputIndex,
          item: { type: 'image_generation_call', id, status: 'in_progress' },
        });
        sse(res, 'response.output_item.done', {
          output_index: outputIndex,
          item: {
            type: 'image_generation_call',
            id,
            status: 'completed',
            revised_prompt: item.revisedPrompt,
            result: item.resultBase64,
          },
        });
        return;
      }
    }
  }
}
