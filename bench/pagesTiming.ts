/**
 * The page bench's requests and their timing (bench/pages.ts, bench/pagesRealHome.ts): a request
 * asked of one side, or of several sides in turns.
 */
import { percentile } from './stats.js';
import type { StdioRpcClient } from '../test/fixtures/stdioRpcClient.js';

export type Ask = (method: string, params: unknown) => Promise<unknown>;

export interface Request {
  readonly name: string;
  readonly method: string;
  readonly params: Record<string, unknown>;
}

export const round = (x: number): number => Math.round(x * 1000) / 1000;

/** Time each request `reps` times after two warm-ups; p50 / p99 in milliseconds. */
export const timeRequests = async (
  ask: Ask,
  requests: ReadonlyArray<Request>,
  reps: number,
): Promise<Record<string, { p50: number; p99: number }>> => {
  const out: Record<string, { p50: number; p99: number }> = {};
  for (const r of requests) {
    for (let i = 0; i < 2; i++) await ask(r.method, r.params);
    const times: number[] = [];
    for (let i = 0; i < reps; i++) {
      const t0 = performance.now();
      const a = (await ask(r.method, r.params)) as { error?: unknown };
      times.push(performance.now() - t0);
      if (a.error !== undefined) throw new Error(`${r.name}: ${JSON.stringify(a.error)}`);
    }
    out[r.name] = { p50: round(percentile(times, 50)), p99: round(percentile(times, 99)) };
  }
  return out;
};

export const oursAsk =
  (client: StdioRpcClient): Ask =>
  (m, p) =>
    client.request(m, p);

export const initialize = async (ask: Ask, notify: (m: string) => void): Promise<void> => {
  await ask('initialize', { clientInfo: { name: 'bench', version: '0' }, capabilities: { experimentalApi: true } });
  notify('initialized');
};

/** One request on every side, `reps` times, the sides alternating call by call (after two warm-ups each): p50 / p99, or what refused it. */
export const timeSidesInTurn = async (
  sides: ReadonlyArray<[string, Ask]>,
  r: Request,
  reps: number,
): Promise<Record<string, Record<string, unknown>>> => {
  const refused = new Map<string, string>();
  const times = new Map<string, number[]>(sides.map(([name]) => [name, []]));
  for (const [name, ask] of sides)
    for (let i = 0; i < 2; i++) {
      const a = (await ask(r.method, r.params)) as { error?: unknown };
      if (a.error === undefined) continue;
      // Codex refuses some (thread/items/list of a legacy thread): said beside our time. Ours may not.
      if (name !== 'codex') throw new Error(`${r.name} (${name}): ${JSON.stringify(a.error)}`);
      refused.set(name, JSON.stringify(a.error));
    }
  for (let i = 0; i < reps; i++)
    for (const [name, ask] of sides) {
      if (refused.has(name)) continue;
      const t0 = performance.now();
      await ask(r.method, r.params);
      times.get(name)!.push(performance.now() - t0);
    }
  return Object.fromEntries(
    sides.map(([name]) => {
      const ts = times.get(name)!;
      return [
        name,
        {
          [r.name]: refused.has(name)
            ? { refused: refused.get(name) }
            : { p50: round(percentile(ts, 50)), p99: round(percentile(ts, 99)) },
        },
      ];
    }),
  );
};

export const mergeSides = (
  into: Record<string, Record<string, unknown>>,
  add: Record<string, Record<string, unknown>>,
): Record<string, Record<string, unknown>> =>
  Object.fromEntries(Object.keys(into).map((k) => [k, { ...into[k], ...add[k] }]));
