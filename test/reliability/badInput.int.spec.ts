// Issue 22, bad input generated with fast-check: rollout lines (truncated JSON, invalid UTF-8, a
// BOM, wrong field types, unknown kinds, garbage, empty), JSON-RPC messages (random method names
// and params, wrong field types, hostile thread ids, deep nesting, huge strings, broken JSON and
// ids), lines of 50 MB, zero-byte and garbage files, names without a uuid, folders named like
// rollouts, corrupt index files. Expected: typed errors and quarantine records — never a crash, a
// hang or a silently dropped line; the quarantined count equals the injected count and a read of
// an affected thread says so. Cheap inputs run in-process by the tens of thousands (the index's
// line path over real files, the JSON-RPC server over an in-memory connection); expensive ones few.
import { expect } from 'chai';
import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { spawnSync } from 'node:child_process';
import * as E from 'fp-ts/lib/Either.js';
import { openCodexHome } from '../../adapters/driving/composition/openCodexHome.js';
import type { OpenCodexHome } from '../../adapters/driving/composition/openCodexHome.js';
import { indexHome } from '../../indexer/indexHome.js';
import { ALL_METHODS } from '../../adapters/driving/rpc/methods/bound.js';
import { createRpcServer } from '../../adapters/driving/rpc/server.js';
import type { RpcConnection } from '../../adapters/driving/rpc/connection.js';
import type { InputLine } from '../../adapters/driving/rpc/boundedLines.js';
import { QUARANTINED_LINES_NOTIFICATION } from '../../adapters/driving/rpc/quarantineNotice.js';
import { MAX_MESSAGE_DEPTH } from '../../adapters/driving/rpc/messageBounds.js';
import { ENGINE_CLI_PATH } from '../compat/engineCli.js';
import { newThread, rolloutRelPath, threadLines } from '../projections/synth.js';
import { useTempDir } from '../fixtures/tempDir.js';
import { streamedText } from '../fixtures/streamedText.js';
import { reportArea } from './areaSummary.js';
import { DEFAULT_PRICING } from '../../domain/tokens/pricing.js';
import { stderrJson } from '../fixtures/stderrJson.js';

const SEED = 22;
const sample = <T>(arb: fc.Arbitrary<T>, numRuns: number, seed = SEED): T[] => fc.sample(arb, { numRuns, seed });

/** The JSON-RPC server over an in-memory connection: each message's own answers, a hang timed out. */
const converse = async (
  home: OpenCodexHome,
  messages: ReadonlyArray<string>,
  perMessageMs = 10_000,
): Promise<{ answers: Array<Array<Record<string, unknown>>>; hangs: number; crashes: string[] }> => {
  const answers: Array<Array<Record<string, unknown>>> = [];
  let current: Array<Record<string, unknown>> = [];
  let hangs = 0;
  let lastPull = Date.now();
  const server = createRpcServer({
    ctx: {
      codexHome: home.codexHome,
      ports: home.mutations,
      externalAgents: home.externalAgents,
      plugins: home.plugins,
      pricing: DEFAULT_PRICING,
    },
    methods: ALL_METHODS,
  });
  // The server answers requests concurrently: the next message is given once nothing runs or
  // waits and what was sent has left, so what it sent in between belongs to that message.
  const quiet = async (): Promise<void> => {
    do await new Promise((r) => setImmediate(r));
    while (server.load.inFlight() + server.load.queued() > 0);
    await new Promise((r) => setImmediate(r));
  };
  async function* feed(): AsyncGenerator<InputLine> {
    for (const text of messages) {
      current = [];
      answers.push(current);
      lastPull = Date.now();
      yield { kind: 'line', bytes: Buffer.from(text, 'utf8') };
      await quiet();
      if (Date.now() - lastPull > perMessageMs) hangs += 1;
    }
  }
  const connection: RpcConnection = {
    messages: feed(),
    maxMessageBytes: 64 << 20,
    send: async (message) => {
      // As the transport writes it: streamed answers drained, a message already serialized as its text.
      current.push(JSON.parse(await streamedText(message)) as Record<string, unknown>);
    },
  };
  // The server's loop failing is a crash: kept with what it said, and every caller requires none.
  const crashes: string[] = [];
  await server
    .serve(connection)
    .catch((err: unknown) => crashes.push(err instanceof Error ? (err.stack ?? err.message) : String(err)));
  await server.shutdown();
  return { answers, hangs, crashes };
};

const figures = {
  fuzzedInputs: 0,
  rolloutLines: 0,
  rpcMessages: 0,
  injectedBadLines: 0,
  quarantined: 0,
  unknownKindsKept: 0,
  crashes: 0,
  hangs: 0,
  silentDrops: 0,
  unanswered: 0,
  bigLinePeakRssMB: 0,
  refusedIds: 0,
  unsafeIdsRun: 0,
};

const AT = '2026-11-21T14:00:09.000Z';
/** Files of fuzzed lines, 500 injected lines each (and as many good ones). */
const FILES = 80;
/** Small threads the fuzzed requests name (reads and mutations of them stay cheap). */
const SMALL = [0, 1, 2, 3].map((i) => newThread(2000 + i, i % 2 === 0 ? 'paginated' : 'legacy'));
const KNOWN_TYPES = new Set([
  'session_meta',
  'turn_context',
  'world_state',
  'token_usage_record',
  'compacted',
  'response_item',
  'event_msg',
]);

/** A bad line made from a good one, and whether the index must quarantine it (unknown kinds are kept, as Codex skips them). */
type Injection = { readonly text: string | Buffer; readonly bad: boolean; readonly what: string };

/** `notUtf8`: lines that are not UTF-8 among them (Codex then cannot load the thread's history at all). */
const injection = (good: ReadonlyArray<string>, notUtf8: boolean): fc.Arbitrary<Injection> => {
  const aGood = fc.constantFrom(...good.slice(1));
  const nonObject = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.integer(),
    fc.constant(null),
    fc.array(fc.integer(), { maxLength: 3 }),
    fc.boolean(),
  );
  // Invalid UTF-8: a byte that never starts or continues a sequence.
  const invalidUtf8 = fc.tuple(aGood, fc.nat(), fc.constantFrom(0xff, 0xfe, 0xc0, 0xf8)).map(([l, at, b]) => {
    const bytes = Buffer.from(l, 'utf8');
    const i = at % bytes.length;
    return {
      text: Buffer.concat([bytes.subarray(0, i), Buffer.from([b]), bytes.subarray(i)]),
      bad: true,
      what: 'invalid UTF-8',
    };
  });
  return fc.oneof(
    // Truncated JSON: any proper prefix of a line (an object) is not JSON.
    fc
      .tuple(aGood, fc.double({ min: 0, max: 1, noNaN: true }))
      .map(([l, at]) => ({ text: l.slice(0, 1 + Math.floor(at * (l.length - 2))), bad: true, what: 'truncated' })),
    ...(notUtf8 ? [invalidUtf8] : []),
    aGood.map((l) => ({ text: `\ufeff${l}`, bad: true, what: 'BOM' })),
    // Wrong field types: the envelope's, or a payload that is not an object.
    fc
      .tuple(
        fc.constantFrom('timestamp', 'type'),
        fc.oneof(fc.integer(), fc.constant(null), fc.boolean(), fc.constant({})),
      )
      .map(([field, v]) => ({
        text: JSON.stringify({
          timestamp: AT,
          type: 'event_msg',
          payload: { type: 'user_message', message: 'm' },
          [field]: v,
        }),
        bad: true,
        what: 'envelope type',
      })),
    fc
      .tuple(fc.constantFrom('event_msg', 'response_item', 'compacted', 'turn_context', 'session_meta'), nonObject)
      .map(([type, payload]) => ({
        text: JSON.stringify({ timestamp: AT, type, payload }),
        bad: true,
        what: 'payload type',
      })),
    fc
      .tuple(
        fc.constantFrom('user_message', 'agent_message', 'task_started', 'item_completed'),
        fc.oneof(fc.integer(), fc.constant([1]), fc.constant(true)),
      )
      .map(([type, v]) => ({
        text: JSON.stringify({
          timestamp: AT,
          type: 'event_msg',
          payload: { type, message: v, turn_id: v, item: v, thread_id: 't' },
        }),
        bad: true,
        what: 'field type',
      })),
    // Garbage: whatever is not a rollout line (JSON or not), and the empty line.
    fc
      .string({ maxLength: 60, unit: 'grapheme' })
      .filter((s) => !s.includes('\n') && !isRolloutShaped(s))
      .map((s) => ({ text: s, bad: true, what: 'garbage' })),
    fc
      .jsonValue({ maxDepth: 3 })
      .map((v) => ({ text: JSON.stringify(v), bad: !isRolloutShaped(JSON.stringify(v)), what: 'json' })),
    // Unknown kinds: kept (Codex skips a kind it does not know; a later Codex may write one).
    fc
      .stringMatching(/^[a-z][a-z_]{2,15}$/)
      .filter((k) => !KNOWN_TYPES.has(k))
      .map((type) => ({
        text: JSON.stringify({ timestamp: AT, type, payload: { a: 1 } }),
        bad: false,
        what: 'unknown kind',
      })),
  );
};

const isRolloutShaped = (s: string): boolean => {
  try {
    const v = JSON.parse(s) as unknown;
    return (
      v !== null &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      typeof (v as { timestamp?: unknown }).timestamp === 'string'
    );
  } catch {
    return false;
  }
};

describe('reliability · bad input (fast-check)', function () {
  this.timeout(240_000);
  const tmp = useTempDir('rel-input-');
  const injectedPerThread = new Map<string, number>();
  /** Threads whose file holds lines that are not UTF-8, by history mode. */
  const notUtf8Threads = new Map<string, string>();
  let home: OpenCodexHome;
  let homeDir: string;

  after(async () => {
    await home?.close();
    figures.fuzzedInputs = figures.rolloutLines + figures.rpcMessages;
    reportArea('bad input', figures);
  });

  it('≥ 80,000 fuzzed rollout lines over 80 files: every injected bad line quarantined (count equal), unknown kinds kept, nothing else lost', async () => {
    homeDir = nodePath.join(tmp(), 'home');
    const expectedBad = new Map<string, string>();
    let lines = 0;
    let bad = 0;
    for (let f = 0; f < FILES; f++) {
      const t = newThread(1000 + f, f % 2 === 0 ? 'paginated' : 'legacy');
      const good = threadLines(t, 3);
      // Half the files (of both modes) hold lines that are not UTF-8.
      if (f % 4 < 2) notUtf8Threads.set(t.threadId, t.mode);
      const injected = sample(injection(good, f % 4 < 2), 500, SEED + f);
      const body: Buffer[] = [Buffer.from(`${good[0]}\n`)];
      let mine = 0;
      for (let i = 0; i < injected.length; i++) {
        // Good lines between the bad ones: turns go on around them.
        body.push(Buffer.from(`${good[1 + (i % (good.length - 1))]}\n`));
        const inj = injected[i]!;
        body.push(Buffer.isBuffer(inj.text) ? inj.text : Buffer.from(inj.text, 'utf8'), Buffer.from('\n'));
        if (inj.bad) {
          mine += 1;
          expectedBad.set(`${t.threadId}:${3 + 2 * i}`, `${inj.what}: ${inj.text.toString().slice(0, 120)}`);
        } else figures.unknownKindsKept += 1;
      }
      const path = nodePath.join(homeDir, rolloutRelPath(t.threadId));
      fs.mkdirSync(nodePath.dirname(path), { recursive: true });
      fs.writeFileSync(path, Buffer.concat(body));
      lines += 1 + 2 * injected.length;
      bad += mine;
      injectedPerThread.set(t.threadId, mine);
    }
    for (const t of SMALL) {
      const path = nodePath.join(homeDir, rolloutRelPath(t.threadId));
      const small = threadLines(t, 3);
      fs.writeFileSync(path, `${small.join('\n')}\n`);
      lines += small.length;
    }
    figures.rolloutLines = lines;
    figures.injectedBadLines = bad;
    const indexDir = nodePath.join(homeDir, '.rollout-engine');
    const built = await indexHome({ codexHome: homeDir, indexDir, rebuild: false });
    if (E.isLeft(built)) throw new Error(JSON.stringify(built.left));
    figures.quarantined = built.right.quarantined;
    figures.silentDrops = Math.abs(bad - built.right.quarantined);
    const entries = fs
      .readFileSync(nodePath.join(indexDir, 'quarantine.jsonl'), 'utf8')
      .split('\n')
      .filter((l) => l !== '')
      .map((l) => JSON.parse(l) as { path: string; lineNumber: number });
    const found = new Set(entries.map((e) => `${/([0-9a-f-]{36})\.jsonl$/.exec(e.path)![1]}:${e.lineNumber}`));
    // Each one not quarantined, with what it was: the first few say what was dropped unsaid.
    expect([...expectedBad].filter(([k]) => !found.has(k)).slice(0, 5)).to.deep.equal([]);
    expect(built.right.lines).to.equal(lines);
    expect(built.right.unreadable).to.deep.equal([]);
    expect(built.right.quarantined).to.equal(bad);
    // The input's size as the title says (the test's own lines, not our output: that count is
    // built.right.lines, equal to it above).
    expect(lines).to.be.at.least(80_000);
    // Each quarantined line is in quarantine.jsonl once.
    expect(entries.length).to.equal(bad);
    // As serve opens it: the folders watched, so a list catches up only what changed.
    const opened = await openCodexHome(homeDir, indexDir, { watch: true });
    if (E.isLeft(opened)) throw new Error(JSON.stringify(opened.left));
    home = opened.right;
  });

  it('a read of each affected thread says how many of its lines were quarantined, or refuses as Codex one it cannot load', async () => {
    const ids = [...injectedPerThread.keys()];
    const messages = [
      JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { clientInfo: { name: 'fuzz', version: '0' } },
      }),
      ...ids.map((threadId, i) =>
        JSON.stringify({ jsonrpc: '2.0', id: i + 1, method: 'thread/read', params: { threadId, includeTurns: true } }),
      ),
    ];
    const { answers } = await converse(home, messages);
    ids.forEach((threadId, i) => {
      const said = answers[i + 1]!;
      const mode = notUtf8Threads.get(threadId);
      if (mode !== undefined) {
        // Codex cannot load a legacy history that is not all UTF-8 (-32603), nor page a paginated
        // one its state DB holds no row for (test/compat/historyNotUtf8.compat.spec.ts).
        const error = (said.at(-1) as { error?: { code: number; message: string } }).error;
        expect(error, threadId).to.deep.include(
          mode === 'legacy' ? { code: -32603 } : { code: -32601, message: 'list_turns is not supported yet' },
        );
        if (mode === 'legacy') expect(error?.message).to.match(/: stream did not contain valid UTF-8$/);
        return;
      }
      const notice = said.find((m) => m['method'] === QUARANTINED_LINES_NOTIFICATION) as
        { params: { threadId: string; quarantinedLines: number } } | undefined;
      expect(notice?.params, threadId).to.deep.include({ threadId, quarantinedLines: injectedPerThread.get(threadId) });
      expect(said.at(-1)).to.have.property('result');
    });
  });

  it('a fork, a rollback or a review (inline or detached) of a legacy thread Codex cannot load is refused as its reads are, and writes nothing', async () => {
    const legacy = [...notUtf8Threads].filter(([, mode]) => mode === 'legacy').map(([threadId]) => threadId);
    const sessions = nodePath.join(homeDir, 'sessions');
    const filesNow = (): Map<string, number> =>
      new Map(
        (fs.readdirSync(sessions, { recursive: true }) as string[])
          .filter((f) => f.endsWith('.jsonl'))
          .map((f) => [f, fs.statSync(nodePath.join(sessions, f)).size]),
      );
    const before = filesNow();
    const target = { type: 'custom', instructions: 'look' };
    const asks = legacy.flatMap((threadId) => [
      { method: 'thread/fork', params: { threadId } },
      { method: 'thread/rollback', params: { threadId, numTurns: 1 } },
      { method: 'review/start', params: { threadId, target } },
      { method: 'review/start', params: { threadId, target, delivery: 'detached' } },
    ]);
    const { answers } = await converse(home, [
      JSON.stringify({
        jsonrpc: '2.0',
        id: 0,
        method: 'initialize',
        params: { clientInfo: { name: 'fuzz', version: '0' } },
      }),
      ...asks.map((a, i) => JSON.stringify({ jsonrpc: '2.0', id: i + 1, ...a })),
    ]);
    expect(asks.length).to.be.at.least(4 * 10);
    asks.forEach((a, i) => {
      const error = (answers[i + 1]!.at(-1) as { error?: { code: number; message: string } }).error;
      expect(error?.code, `${a.method} ${JSON.stringify(a.params)}`).to.equal(-32603);
      expect(error?.message).to.match(/^failed to read thread: .*: stream did not contain valid UTF-8$/);
    });
    expect(filesNow()).to.deep.equal(before);
  });

  it('≥ 22,000 fuzzed JSON-RPC messages: each request answered once with its id, broken ones with id null, no crash, no hang', async () => {
    const threadIds = SMALL.map((t) => t.threadId);
    const names = ALL_METHODS.map((m) => m.name);
    // Real ids are rare: a mutation that succeeds writes and syncs a file, the rest is decoding.
    const hostileId = fc.oneof(
      { weight: 1, arbitrary: fc.constantFrom(...threadIds) },
      {
        weight: 4,
        arbitrary: fc.constantFrom(
          '../x',
          '/etc/passwd',
          '%2e%2e%2f',
          'sessions/../../x',
          `${threadIds[0]}/..`,
          '\u0000',
          '',
        ),
      },
      { weight: 8, arbitrary: fc.string({ maxLength: 40 }) },
      { weight: 4, arbitrary: fc.uuid() },
    );
    const shaped = fc.record(
      {
        threadId: hostileId,
        path: hostileId,
        cursor: fc.oneof(fc.string({ maxLength: 30 }), fc.constant(null), fc.integer()),
        limit: fc.oneof(fc.integer({ min: -5, max: 500 }), fc.string({ maxLength: 3 }), fc.double()),
        numTurns: fc.oneof(fc.integer({ min: -1, max: 5 }), fc.constant('1')),
        includeTurns: fc.oneof(fc.boolean(), fc.constant('yes')),
        itemsView: fc.constantFrom('notLoaded', 'summary', 'full', 'all', 5),
        sortDirection: fc.constantFrom('asc', 'desc', 'sideways'),
        turnId: fc.string({ maxLength: 10 }),
        target: fc.oneof(
          fc.record({
            type: fc.constantFrom('custom', 'uncommittedChanges', 'nope'),
            instructions: fc.string({ maxLength: 10 }),
          }),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        delivery: fc.constantFrom('inline', 'detached', 'elsewhere'),
      },
      { requiredKeys: [] },
    );
    const id = fc.oneof(fc.integer({ min: 1, max: 1e9 }), fc.string({ maxLength: 10 }));
    const request = fc
      .tuple(
        id,
        fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...names) }, fc.string({ maxLength: 20 })),
        fc.oneof({ weight: 3, arbitrary: shaped }, fc.jsonValue({ maxDepth: 4 })),
      )
      .map(([i, method, params]) => ({
        text: JSON.stringify({ jsonrpc: '2.0', id: i, method, params }),
        expects: { id: i } as Expect,
      }));
    // Nested `depth` levels inside the message's own two: deeper than MAX_MESSAGE_DEPTH in all is refused unparsed, with id null.
    const deep = fc
      .tuple(id, fc.constantFrom(...names), fc.integer({ min: 100, max: 20_000 }), fc.constantFrom('[', '{"a":'))
      .map(([i, method, depth, open]) => ({
        text: `{"jsonrpc":"2.0","id":${JSON.stringify(i)},"method":${JSON.stringify(method)},"params":{"threadId":${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}}}`,
        expects: (depth + 2 > MAX_MESSAGE_DEPTH ? { id: null } : { id: i }) as Expect,
      }));
    const huge = fc
      .tuple(
        id,
        fc.constantFrom('thread/read', 'thread/turns/list', 'thread/rollback', 'thread/fork'),
        fc.integer({ min: 100_000, max: 2_000_000 }),
      )
      .map(([i, method, n]) => ({
        text: JSON.stringify({
          jsonrpc: '2.0',
          id: i,
          method,
          params: { threadId: 'x'.repeat(n), path: 'y'.repeat(n), numTurns: 1 },
        }),
        expects: { id: i } as Expect,
      }));
    const broken = fc.oneof(
      request
        .map((r) => r.text)
        .chain((t) => fc.nat(t.length - 2).map((n) => ({ text: t.slice(0, n + 1), expects: { id: null } as Expect }))),
      fc
        .tuple(
          fc.oneof(
            fc.constant(null),
            fc.constant({ a: 1 }),
            fc.constant([1]),
            fc.boolean(),
            fc.double({ noInteger: true, noNaN: true, noDefaultInfinity: true }),
          ),
          fc.constantFrom(...names),
        )
        .map(([i, method]) => ({
          text: JSON.stringify({ jsonrpc: '2.0', id: i, method, params: {} }),
          expects: (Number.isSafeInteger(i) ? { id: i } : { id: null }) as Expect,
        })),
      fc.jsonValue({ maxDepth: 2 }).map((v) => ({ text: JSON.stringify(v), expects: expectationOf(v) })),
      fc.string({ maxLength: 50, unit: 'binary' }).map((s) => ({ text: s, expects: expectationOfText(s) })),
    );
    const all = [
      ...sample(request, 15_000),
      ...sample(broken, 6_000),
      ...sample(deep, 800),
      ...sample(huge, 40),
      ...sample(
        fc
          .string({ maxLength: 3 })
          .map((s) => ({ text: JSON.stringify({ jsonrpc: '2.0', method: `notify${s}` }), expects: 'none' as Expect })),
        200,
      ),
    ];
    const messages = [
      JSON.stringify({
        jsonrpc: '2.0',
        id: 'init',
        method: 'initialize',
        params: { clientInfo: { name: 'fuzz', version: '0' } },
      }),
      ...all.map((m) => m.text),
    ];
    const t0 = Date.now();
    const { answers, hangs, crashes } = await converse(home, messages);
    figures.rpcMessages = all.length;
    figures.hangs += hangs;
    figures.crashes += crashes.length;
    const wrong: string[] = [];
    all.forEach((m, i) => {
      const said = answers[i + 1]!.filter((a) => !('method' in a));
      if (m.expects === 'none' || m.expects === 'any') {
        if (m.expects === 'none' && said.length !== 0)
          wrong.push(`${m.text.slice(0, 80)} → ${JSON.stringify(said).slice(0, 200)}`);
        return;
      }
      const ok =
        said.length === 1 &&
        said[0]!['id'] === m.expects.id &&
        ('result' in said[0]! || typeof (said[0]!['error'] as { code?: unknown } | undefined)?.code === 'number');
      // -32603 is also the code of typed errors (Corrupt: a review after a quarantined last line); only an untyped failure is a crash.
      const internal =
        said.length === 1 &&
        String((said[0]!['error'] as { message?: unknown } | undefined)?.message).startsWith('Internal error');
      if (!ok || internal) wrong.push(`${m.text.slice(0, 80)} → ${JSON.stringify(said).slice(0, 200)}`);
    });
    figures.unanswered = wrong.length;
    expect(wrong.slice(0, 5)).to.deep.equal([]);
    expect(hangs).to.equal(0);
    expect(crashes).to.deep.equal([]);
    // The input's size as the area's summary says (the test's own messages; our output is held to
    // one answer for each above).
    expect(all.length).to.be.at.least(22_000);
    console.log(`      ${all.length} messages in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  });

  it('request ids a client could not match (1e400, fractions, beyond ±(2^53 - 1)): refused -32600 with id null and never run; safe ones echoed exactly', async () => {
    // A thread of its own: the fuzzed requests may have deleted or archived the small ones.
    const own = newThread(2100, 'paginated');
    const target = own.threadId;
    fs.mkdirSync(nodePath.dirname(nodePath.join(homeDir, rolloutRelPath(target))), { recursive: true });
    fs.writeFileSync(nodePath.join(homeDir, rolloutRelPath(target)), `${threadLines(own, 1).join('\n')}\n`);
    // As written on the wire: JSON.parse reads 1e400 as Infinity (written back as null) and 2^53 + 1 as 2^53.
    const unsafe = [
      '1e400',
      '-1e400',
      '1.5',
      '-0.5',
      '9007199254740992',
      '9007199254740993',
      '-9007199254740993',
      '18446744073709551615',
      '1e20',
    ];
    const safe = ['9007199254740991', '-9007199254740991', '-5', '0', '"s"'];
    const rename = (id: string): string =>
      `{"jsonrpc":"2.0","id":${id},"method":"thread/name/set","params":{"threadId":${JSON.stringify(target)},"name":"renamed by ${id}"}}`;
    const { answers, hangs, crashes } = await converse(home, [
      JSON.stringify({
        jsonrpc: '2.0',
        id: 'init',
        method: 'initialize',
        params: { clientInfo: { name: 'ids', version: '0' } },
      }),
      ...unsafe.map(rename),
      ...safe.map((id) => `{"jsonrpc":"2.0","id":${id},"method":"thread/list","params":{}}`),
      JSON.stringify({ jsonrpc: '2.0', id: 'read', method: 'thread/read', params: { threadId: target } }),
    ]);
    figures.hangs += hangs;
    figures.crashes += crashes.length;
    expect(crashes).to.deep.equal([]);
    expect(hangs).to.equal(0);
    unsafe.forEach((id, i) => {
      const said = answers[i + 1]!.filter((a) => !('method' in a));
      expect(said, id).to.have.length(1);
      expect(said[0], id).to.deep.include({ id: null });
      expect(said[0]!['error'], id).to.deep.include({ code: -32600 });
      expect((said[0]!['error'] as { message: string }).message, id).to.match(
        /id must be a string or an integer from -9007199254740991 to 9007199254740991/,
      );
      figures.refusedIds += 1;
    });
    safe.forEach((id, i) => {
      const said = answers[unsafe.length + i + 1]!.filter((a) => !('method' in a));
      expect(said, id).to.have.length(1);
      expect(said[0]!['id'], id).to.equal(JSON.parse(id));
      expect(said[0], id).to.have.property('result');
    });
    // None of the refused renames ran.
    const read = answers.at(-1)!.find((a) => a['id'] === 'read') as { result: { thread: { name?: string | null } } };
    expect(read, JSON.stringify(answers.at(-1))).to.have.property('result');
    figures.unsafeIdsRun += /renamed by/.test(String(read.result.thread.name)) ? 1 : 0;
    expect(figures.unsafeIdsRun, String(read.result.thread.name)).to.equal(0);
  });

  it('lines of 50 MB (one not JSON, one a real message): quarantined or read, in bounded memory', function () {
    this.timeout(120_000);
    const dir = nodePath.join(tmp(), 'big');
    const t = newThread(77, 'legacy');
    const good = threadLines(t, 2);
    const MB50 = 50 << 20;
    const path = nodePath.join(dir, rolloutRelPath(t.threadId));
    fs.mkdirSync(nodePath.dirname(path), { recursive: true });
    const fd = fs.openSync(path, 'w');
    fs.writeSync(fd, `${good.slice(0, 8).join('\n')}\n`);
    fs.writeSync(
      fd,
      `{"timestamp":"${AT}","type":"event_msg","payload":{"type":"agent_message","message":"${'y'.repeat(MB50)}\n`,
    );
    fs.writeSync(
      fd,
      `${JSON.stringify({ timestamp: AT, type: 'event_msg', payload: { type: 'agent_message', message: 'z'.repeat(MB50) } })}\n`,
    );
    fs.writeSync(fd, `${good.slice(8).join('\n')}\n`);
    fs.closeSync(fd);
    // The CLI in a child reporting its own peak RSS; the same on a small home is the baseline.
    const peak = (args: ReadonlyArray<string>): { rssMB: number; out: string } => {
      const script = `process.on('exit', () => process.stderr.write('\\nRSS ' + process.resourceUsage().maxRSS / 1024 + '\\n')); process.argv.splice(1, 1, ${JSON.stringify(ENGINE_CLI_PATH)}); await import(${JSON.stringify(ENGINE_CLI_PATH)});`;
      const r = spawnSync(process.execPath, ['--input-type=module', '-e', script, '_', ...args], {
        encoding: 'utf8',
        maxBuffer: 1 << 30,
      });
      if (r.status !== 0) figures.crashes += 1;
      expect(r.status, r.stderr).to.equal(0);
      return { rssMB: Number(/RSS ([\d.]+)/.exec(r.stderr)![1]), out: r.stdout };
    };
    const small = nodePath.join(tmp(), 'small');
    fs.mkdirSync(nodePath.dirname(nodePath.join(small, rolloutRelPath(t.threadId))), { recursive: true });
    fs.writeFileSync(nodePath.join(small, rolloutRelPath(t.threadId)), `${good.join('\n')}\n`);
    const baseline = peak(['index', '--codex-home', small, '--json']).rssMB;
    const indexed = peak(['index', '--codex-home', dir, '--json']);
    expect(JSON.parse(indexed.out)).to.deep.include({ quarantined: 1, lines: good.length + 2 });
    const read = peak(['read', t.threadId, '--codex-home', dir, '--json']);
    expect(read.out).to.include('z'.repeat(1000));
    const growth = Math.max(indexed.rssMB, read.rssMB) - baseline;
    figures.bigLinePeakRssMB = Math.round(Math.max(indexed.rssMB, read.rssMB));
    // Linear in the long lines' bytes (100 MB here; a 512 MB line once ended the process): under five times them.
    expect(growth).to.be.below(5 * 100);
  });

  it('zero-byte and garbage files, names without a uuid, folders named like rollouts, corrupt index files: reported or rebuilt, never a crash', async () => {
    const dir = nodePath.join(tmp(), 'odd-files');
    const t = newThread(88, 'paginated');
    const day = nodePath.join(dir, 'sessions', '2026', '11', '21');
    fs.mkdirSync(day, { recursive: true });
    fs.writeFileSync(nodePath.join(dir, rolloutRelPath(t.threadId)), `${threadLines(t, 2).join('\n')}\n`);
    fs.writeFileSync(nodePath.join(day, 'rollout-2026-11-21T14-00-00-01a1fe84-0000-7000-8000-0000000000a1.jsonl'), '');
    const garbage = sample(fc.uint8Array({ minLength: 1, maxLength: 5000 }), 20, SEED);
    garbage.forEach((bytes, i) =>
      fs.writeFileSync(
        nodePath.join(
          day,
          `rollout-2026-11-21T14-00-00-01a1fe84-0000-7000-8000-0000000001${String(i).padStart(2, '0')}.jsonl`,
        ),
        Buffer.concat([Buffer.from(bytes), Buffer.from('\n')]),
      ),
    );
    fs.writeFileSync(
      nodePath.join(day, 'rollout-2026-11-21T14-00-00-not-a-uuid.jsonl'),
      `${threadLines(newThread(89), 1).join('\n')}\n`,
    );
    fs.mkdirSync(nodePath.join(day, 'rollout-2026-11-21T14-00-00-01a1fe84-0000-7000-8000-0000000000a2.jsonl'));
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [ENGINE_CLI_PATH, ...args, '--codex-home', dir, '--json'], { encoding: 'utf8' });
    const first = cli('index');
    expect(first.status, first.stderr).to.equal(0);
    const summary = JSON.parse(first.stdout) as { unreadable: unknown[]; files: number };
    // Every garbage file whose first line is not UTF-8 is reported; one whose first line is (no
    // rollout line) is its name's thread, as Codex finds it, listed nowhere and every read refused
    // (adapters/driven/jsonl/readers/probe.ts `identityOf`). None takes the rest down.
    const notUtf8 = garbage.filter((bytes) => {
      const b = Buffer.from(bytes);
      const nl = b.indexOf(0x0a);
      return !isUtf8(nl < 0 ? b : b.subarray(0, nl));
    });
    expect(notUtf8.length, 'garbage files whose first line is not UTF-8').to.be.greaterThan(0);
    expect(summary.unreadable.length).to.equal(notUtf8.length);
    expect((JSON.parse(cli('threads').stdout) as { data: Array<{ id: string }> }).data.map((x) => x.id)).to.deep.equal([
      t.threadId,
    ]);
    // Corrupt index files: the quarantine file, verify's findings, then the LMDB data itself.
    const indexDir = nodePath.join(dir, '.rollout-engine');
    fs.writeFileSync(
      nodePath.join(indexDir, 'quarantine.jsonl'),
      Buffer.from(sample(fc.uint8Array({ maxLength: 2000 }), 1, SEED)[0]!),
    );
    expect(cli('index').status).to.equal(0);
    fs.writeFileSync(nodePath.join(indexDir, 'verify-findings.json'), '{"not": "findings"');
    const repaired = cli('repair');
    expect(repaired.signal).to.equal(null);
    expect(repaired.status, repaired.stderr).not.to.equal(1);
    const data = nodePath.join(indexDir, 'index', 'data.mdb');
    const size = fs.statSync(data).size;
    const fd = fs.openSync(data, 'r+');
    fs.writeSync(fd, Buffer.from(sample(fc.uint8Array({ minLength: 8192, maxLength: 8192 }), 1, SEED)[0]!), 0, 8192, 0);
    fs.closeSync(fd);
    expect(fs.statSync(data).size).to.equal(size);
    // LMDB trusts its file (damaged meta pages were a SIGSEGV): refused as Corrupt, and a rebuild mends it.
    const afterCorruption = cli('threads');
    expect(afterCorruption.signal).to.equal(null);
    expect(stderrJson(afterCorruption.stderr || afterCorruption.stdout)).to.have.nested.property(
      'error.tag',
      'Corrupt',
    );
    expect(cli('index', '--rebuild').status).to.equal(0);
    expect((JSON.parse(cli('threads').stdout) as { data: Array<{ id: string }> }).data.map((x) => x.id)).to.deep.equal([
      t.threadId,
    ]);
    figures.fuzzedInputs += garbage.length + 3;
  });
});

type Expect = { readonly id: string | number | null } | 'none' | 'any';

/** What a parsed non-request JSON value gets: a notification or a response nothing, anything else an error with id null. */
const expectationOf = (v: unknown): Expect => {
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if ('jsonrpc' in o && o['jsonrpc'] !== '2.0')
      return 'id' in o && ('result' in o || 'error' in o) ? 'none' : { id: null };
    if ('id' in o && 'method' in o)
      return typeof o['id'] === 'string' || Number.isSafeInteger(o['id'])
        ? typeof o['method'] === 'string'
          ? { id: o['id'] as string | number }
          : { id: null }
        : { id: null };
    if (typeof o['method'] === 'string') return 'none';
    if ('id' in o && ('result' in o || 'error' in o)) return 'none';
  }
  return { id: null };
};

const expectationOfText = (s: string): Expect => {
  if (s.trim() === '') return 'none';
  try {
    return expectationOf(JSON.parse(s));
  } catch {
    return { id: null };
  }
};
