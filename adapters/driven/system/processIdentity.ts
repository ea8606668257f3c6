import * as fs from 'node:fs';
import * as os from 'node:os';

/**
 * What names a process beyond its pid, so that a record left by a dead process (a lock, a
 * temporary file) is not taken for a live one whose pid happens to be the same: the host, the
 * kernel's boot id (a reboot ends every process) and the process's start time in clock ticks
 * since boot (`/proc/PID/stat` field 22; a reused pid starts later). Boot id and start time are
 * Linux's; elsewhere they are absent and only the pid is checked.
 */
export interface ProcessMark {
  readonly pid: number;
  readonly host: string;
  readonly bootId?: string | undefined;
  readonly startTicks?: number | undefined;
}

/** Where a marked process is: running here, gone (dead, or its pid reused, or the machine rebooted), or on another host (unknowable from here). */
export type Whereabouts = 'alive' | 'gone' | 'elsewhere';

/** /proc reports times in USER_HZ, which Linux fixes at 100 for user space. */
const TICKS_PER_SECOND = 100;

const readText = (path: string): string | undefined => {
  try {
    return fs.readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
};

const bootId = (() => {
  let cached: string | undefined | null = null;
  return (): string | undefined =>
    cached === null ? (cached = readText('/proc/sys/kernel/random/boot_id')?.trim()) : cached;
})();

/** Field 22 (starttime); the command name (field 2) may hold spaces and parentheses, so fields are counted after its last ')'. */
export const startTicksOf = (pid: number): number | undefined => {
  const stat = readText(`/proc/${pid}/stat`);
  if (stat === undefined) return undefined;
  const ticks = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]);
  return Number.isSafeInteger(ticks) ? ticks : undefined;
};

const bootTimeMs = (() => {
  let cached: number | undefined | null = null;
  return (): number | undefined => {
    if (cached !== null) return cached;
    const line = readText('/proc/stat')
      ?.split('\n')
      .find((l) => l.startsWith('btime '));
    cached = line === undefined ? undefined : Number(line.slice(6)) * 1000;
    return cached;
  };
})();

let self: ProcessMark | undefined;

/** This process's mark. */
export const thisProcess = (): ProcessMark =>
  (self ??= { pid: process.pid, host: os.hostname(), bootId: bootId(), startTicks: startTicksOf(process.pid) });

/** Signal 0 probes existence: ESRCH = gone; EPERM = exists under another user. */
const pidExists = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/**
 * Where the process a mark names is now. `recordedAtMs` (when the mark was written, e.g. the
 * file's mtime) judges a mark without a start time: a process that started more than a second
 * (the boot time's precision) after its record was written cannot have written it.
 */
export const whereabouts = (mark: ProcessMark, recordedAtMs?: number): Whereabouts => {
  const me = thisProcess();
  if (mark.host !== me.host) return 'elsewhere';
  if (mark.bootId !== undefined && me.bootId !== undefined && mark.bootId !== me.bootId) return 'gone';
  if (!Number.isSafeInteger(mark.pid) || mark.pid <= 0 || !pidExists(mark.pid)) return 'gone';
  const ticks = startTicksOf(mark.pid);
  if (ticks === undefined) return 'alive';
  if (mark.startTicks !== undefined) return mark.startTicks === ticks ? 'alive' : 'gone';
  const boot = bootTimeMs();
  if (
    recordedAtMs !== undefined &&
    boot !== undefined &&
    boot + (ticks * 1000) / TICKS_PER_SECOND > recordedAtMs + 1000
  )
    return 'gone';
  return 'alive';
};
