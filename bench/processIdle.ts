import * as fs from 'node:fs';

/** CPU seconds a process has used (Linux /proc; 0 where it cannot be read). */
export const cpuSeconds = (pid: number): number => {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return 0;
  }
};

/**
 * Resolves once the processes used under 2% of a core over half a second (at most `maxMs`):
 * codex fills its state database from the home after it answers, and a request timed meanwhile
 * would share the cores with that work.
 */
export const whenIdle = async (pids: ReadonlyArray<number | undefined>, maxMs = 60_000): Promise<void> => {
  const known = pids.filter((p): p is number => p !== undefined);
  const used = (): number => known.reduce((n, p) => n + cpuSeconds(p), 0);
  const until = Date.now() + maxMs;
  for (let before = used(); Date.now() < until;) {
    await new Promise((r) => setTimeout(r, 500));
    const now = used();
    if (now - before < 0.01) return;
    before = now;
  }
};
