/**
 * Every `cold-*` golden of thread/list, thread/read, thread/turns/list and thread/items/list in
 * the codex-oracle corpus (developers' machines only), asked of `rollout-engine serve` on a byte
 * copy of that scenario's home. Normalised: the home path prefix; `readState(s)` (read receipts
 * live in Codex's SQLite, not in rollouts; see README); the ±1 s Codex's state DB clock can put on
 * createdAt; updatedAt / recencyAt (`allowClockSkew`). Prints JSON with every difference.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';
import { spawnRpcServer } from '../test/fixtures/stdioRpcClient.js';
import { firstDifference } from './jsonDiff.js';

/** The Codex the goldens were recorded with: ours answers as that version (not the newest it speaks). */
const GOLDENS_CODEX_VERSION = '0.169.0';
import type { ResultOf } from '../protocol/methods.js';

/**
 * The provider the scenarios ran with (the corpus's README, "The config.toml the scenarios ran
 * with"), which its homes do not hold: Codex's lists ask its threads' provider of the config.
 */
const SCENARIO_CONFIG_TOML = `model = "mock-model"
model_provider = "mock"

[model_providers.mock]
name = "Oracle mock Responses API"
base_url = "http://127.0.0.1:9/v1"
wire_api = "responses"
`;

const METHODS = new Set(['thread/list', 'thread/read', 'thread/turns/list', 'thread/items/list']);

interface Golden {
  readonly method: string;
  readonly params: unknown;
  readonly result?: unknown;
  readonly error?: unknown;
}

/**
 * Codex's thread timestamps come from its SQLite rows, whose clock readings are taken a few
 * milliseconds before or after the rollout line's: across a second boundary they differ by one.
 * `updatedAt` and `recencyAt` are not compared: the goldens were answered by a Codex whose state DB
 * ran the threads, which the corpus does not hold; on a copy without it, Codex (and ours, as it)
 * answers the times its backfill takes, the files' mtimes, which a copy of the corpus does not keep
 * (docs/compatibility.md, "Coherence with a running Codex"; the compat suites compare them with
 * the real binary on the same files).
 */
const allowClockSkew = (expected: unknown, actual: unknown): unknown => {
  if (Array.isArray(expected) && Array.isArray(actual)) return actual.map((a, i) => allowClockSkew(expected[i], a));
  if (typeof expected !== 'object' || expected === null || typeof actual !== 'object' || actual === null) return actual;
  const e = expected as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(actual as Record<string, unknown>)) {
    const ev = e[k];
    out[k] =
      typeof v === 'number' &&
      typeof ev === 'number' &&
      ((k === 'createdAt' && Math.abs(ev - v) === 1) || k === 'updatedAt' || k === 'recencyAt')
        ? ev
        : allowClockSkew(ev, v);
  }
  return out;
};

const withoutReadStates = (v: unknown): unknown => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return v;
  const { readState: _a, readStates: _b, ...rest } = v as Record<string, unknown>;
  return rest;
};

/** A thread/list cursor's timestamp (Codex's SQLite clock) may differ from ours by under a second. */
const listCursorClose = (expected: unknown, actual: unknown): boolean => {
  if (typeof expected !== 'string' || typeof actual !== 'string') return expected === actual;
  const [et, eid] = expected.split('|');
  const [at, aid] = actual.split('|');
  return eid === aid && Math.abs(Date.parse(et ?? '') - Date.parse(at ?? '')) < 1000;
};

/** When each golden was asked: golden N is the N-th client request of the scenario's transcript. */
const requestTimes = (scenarioDir: string): string[] =>
  fs
    .readFileSync(nodePath.join(scenarioDir, 'transcript.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as { t: string; dir: string; msg: { id?: unknown; method?: string } })
    .filter((r) => r.dir === 'c->s' && r.msg.id !== undefined && r.msg.method !== undefined)
    .map((r) => r.t);

/** Rollout files with the time their thread was created (first line). */
const rolloutStarts = (home: string): Array<{ path: string; created: string }> => {
  const out: Array<{ path: string; created: string }> = [];
  const walk = (dir: string): void => {
    if (!fs.existsSync(dir)) return;
    for (const d of fs.readdirSync(dir, { withFileTypes: true })) {
      const p = nodePath.join(dir, d.name);
      if (d.isDirectory()) walk(p);
      else if (/^rollout-.*\.jsonl$/.test(d.name)) {
        const first = fs.readFileSync(p, 'utf8').split('\n', 1)[0] ?? '';
        out.push({ path: nodePath.relative(home, p), created: (JSON.parse(first) as { timestamp: string }).timestamp });
      }
    }
  };
  walk(home);
  return out;
};

// long: a bench's run (or its generated data), read top to bottom in the order it runs
export const runGoldens = async (corpusDir: string, engineMain: string): Promise<Record<string, unknown>> => {
  const scenarios = fs
    .readdirSync(corpusDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && fs.existsSync(nodePath.join(corpusDir, d.name, 'home')))
    .map((d) => d.name)
    .sort();
  const results: Array<{
    scenario: string;
    golden: string;
    method: string;
    equal: boolean;
    deliberate?: string;
    diff?: string;
  }> = [];
  for (const scenario of scenarios) {
    const scenarioDir = nodePath.join(corpusDir, scenario);
    const goldenDir = nodePath.join(scenarioDir, 'golden');
    const times = requestTimes(scenarioDir);
    const goldens = fs
      .readdirSync(goldenDir)
      .sort()
      .map((g) => ({
        name: g,
        index: Number.parseInt(g, 10) - 1,
        golden: JSON.parse(fs.readFileSync(nodePath.join(goldenDir, g), 'utf8')) as Golden,
      }))
      .filter((g) => g.name.includes('cold') && !Array.isArray(g.golden) && METHODS.has(g.golden.method));
    if (goldens.length === 0) continue;
    const source = nodePath.join(scenarioDir, 'home');
    const starts = rolloutStarts(source);
    // `home/` may also hold threads made after the cold goldens were asked: each golden is asked
    // of a copy holding only the threads that existed at that moment.
    const groups = new Map<string, typeof goldens>();
    for (const g of goldens) {
      const at = times[g.index] ?? '9999';
      const later = starts
        .filter((f) => f.created > at)
        .map((f) => f.path)
        .sort();
      const key = JSON.stringify(later);
      groups.set(key, [...(groups.get(key) ?? []), g]);
    }
    const prefix = `/srv/codex-oracle/${scenario}/home`;
    const ourCursors = new Map<string, string>();
    // Threads whose listed preview changes between Codex's own answers in one process (its
    // background repair rewrites the row meanwhile): no single answer is Codex's, so not compared.
    const previews = new Map<string, Set<string>>();
    for (const { golden } of goldens)
      if (golden.method === 'thread/list')
        for (const d of (golden.result as Partial<ResultOf<'thread/list'>> | undefined)?.data ?? [])
          previews.set(d.id, (previews.get(d.id) ?? new Set()).add(d.preview));
    const unstablePreview = new Set([...previews].filter(([, v]) => v.size > 1).map(([id]) => id));
    for (const [laterJson, group] of groups) {
      const tmp = fs.mkdtempSync(nodePath.join(os.tmpdir(), `goldens-${scenario}-`));
      const home = nodePath.join(tmp, 'home');
      fs.cpSync(source, home, { recursive: true, preserveTimestamps: true });
      for (const later of JSON.parse(laterJson) as string[]) fs.rmSync(nodePath.join(home, later));
      fs.writeFileSync(nodePath.join(home, 'config.toml'), SCENARIO_CONFIG_TOML);
      const client = spawnRpcServer(process.execPath, [
        engineMain,
        'serve',
        '--codex-home',
        home,
        '--index-dir',
        nodePath.join(tmp, 'index'),
        '--codex-version',
        GOLDENS_CODEX_VERSION,
      ]);
      await client.request('initialize', { clientInfo: { name: 'goldens', version: '0' } });
      client.notify('initialized');
      for (const { name, golden } of group) {
        const p = JSON.parse(
          JSON.stringify(golden.params ?? {})
            .split(prefix)
            .join(home),
        ) as Record<string, unknown>;
        // A thread/list cursor holds Codex's clock reading: page on with the cursor we gave instead.
        if (golden.method === 'thread/list' && typeof p['cursor'] === 'string')
          p['cursor'] = ourCursors.get(p['cursor']) ?? p['cursor'];
        const answer = await client.request(golden.method, p);
        const ours = JSON.parse(JSON.stringify(answer).split(home).join(prefix)) as Record<string, unknown>;
        const expectedResult = withoutReadStates(golden.result) as Record<string, unknown> | undefined;
        let actualResult =
          'error' in ours
            ? undefined
            : (allowClockSkew(expectedResult, withoutReadStates(ours['result'])) as Record<string, unknown>);
        if (golden.method === 'thread/list' && expectedResult && actualResult) {
          const expectedData = (expectedResult['data'] ?? []) as Array<{ id: string; preview: string }>;
          actualResult = {
            ...actualResult,
            data: ((actualResult['data'] ?? []) as Array<{ id: string; preview: string }>).map((d, i) =>
              unstablePreview.has(d.id) && expectedData[i]?.id === d.id
                ? { ...d, preview: expectedData[i]!.preview }
                : d,
            ),
          };
          for (const k of ['nextCursor', 'backwardsCursor'] as const) {
            if (typeof expectedResult[k] === 'string' && typeof actualResult[k] === 'string')
              ourCursors.set(expectedResult[k] as string, actualResult[k] as string);
            if (listCursorClose(expectedResult[k], actualResult[k]))
              actualResult = { ...actualResult, [k]: expectedResult[k] };
          }
        }
        // A read after thread/resume describes a loaded thread (environments, direct input).
        if (/after-resume/.test(name) && actualResult && expectedResult) {
          const et = expectedResult['thread'] as Record<string, unknown>;
          actualResult = {
            ...actualResult,
            thread: {
              ...(actualResult['thread'] as object),
              environments: et['environments'],
              canAcceptDirectInput: et['canAcceptDirectInput'],
              status: et['status'],
            },
          };
        }
        const expected = golden.error !== undefined ? { error: golden.error } : { result: expectedResult };
        const actual = 'error' in ours ? { error: ours['error'] } : { result: actualResult };
        const diff = firstDifference(expected, actual);
        const listedIds = ((expectedResult?.['data'] ?? []) as Array<{ id?: string }>).map((d) => d.id);
        const deliberate =
          golden.method === 'thread/items/list' && (golden.error as { code?: number } | undefined)?.code === -32601
            ? 'legacy thread/items/list: Codex refuses, we serve item-N pages (README, compatibility)'
            : golden.method === 'thread/list' && new Set(listedIds).size < listedIds.length
              ? "Codex's file-scanning list repeats a reverted thread once per file; we list each thread once, as its useStateDbOnly list does (README)"
              : golden.method === 'thread/list' &&
                  typeof (golden.params as { searchTerm?: unknown } | null)?.searchTerm === 'string' &&
                  unstablePreview.size > 0
                ? "Codex matched the search against a fork preview its background repair had just rewritten (the same thread's preview differs between its answers)"
                : undefined;
        results.push(
          diff === undefined
            ? { scenario, golden: name, method: golden.method, equal: true }
            : {
                scenario,
                golden: name,
                method: golden.method,
                equal: false,
                ...(deliberate ? { deliberate } : {}),
                diff,
              },
        );
      }
      await client.close();
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }
  const byMethod: Record<string, { compared: number; equal: number; deliberate: number }> = {};
  for (const r of results) {
    const m = (byMethod[r.method] ??= { compared: 0, equal: 0, deliberate: 0 });
    m.compared += 1;
    if (r.equal) m.equal += 1;
    if (r.deliberate) m.deliberate += 1;
  }
  return {
    corpus: corpusDir,
    compared: results.length,
    equal: results.filter((r) => r.equal).length,
    deliberate: results.filter((r) => r.deliberate).length,
    byMethod,
    differences: results.filter((r) => !r.equal),
  };
};
