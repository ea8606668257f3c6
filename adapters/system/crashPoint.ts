// Named crash points for the crash trials: `ROLLOUT_ENGINE_CRASH_AT=<point>[:<n>]` makes the
// process SIGKILL itself the n-th time (default the first) it reaches that point, after saying so
// on stderr. Unset (always, outside the tests), a crash point does nothing. A trial thus kills at a
// named step, not at a random moment.

export const CRASH_AT_ENV = 'ROLLOUT_ENGINE_CRASH_AT';

/** What a crash point prints on stderr just before the kill, so a trial can tell it from any other death. */
export const crashedAtLine = (point: string, hit: number): string => `rollout-engine: crash point ${point} (hit ${hit})`;

const wanted = ((): { readonly point: string; readonly hit: number } | null => {
  const value = process.env[CRASH_AT_ENV];
  if (value === undefined || value === '') return null;
  const [point, hit] = value.split(':');
  const n = hit === undefined ? 1 : Number(hit);
  if (point === undefined || point === '' || !Number.isInteger(n) || n < 1) throw new Error(`${CRASH_AT_ENV}=${value}: expected <point>[:<n>], n ≥ 1`);
  return { point, hit: n };
})();

let reached = 0;

/** The step `point` is reached: SIGKILL here if the environment names it (and this is the hit it names). */
export const crashPoint = (point: string): void => {
  if (wanted === null || wanted.point !== point) return;
  reached += 1;
  if (reached !== wanted.hit) return;
  process.stderr.write(`${crashedAtLine(point, reached)}\n`);
  process.kill(process.pid, 'SIGKILL');
};
