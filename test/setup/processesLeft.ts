// Mocha root hook (loaded by every test command's `--require`): the run fails if a process it
// started is still alive once every suite has ended. A process is the run's when it descends from
// the mocha process, or carries the run's mark in its environment: a grandchild whose parent was
// killed (flock's `sleep`, a detached server's worker) is re-parented to init and only the mark,
// inherited through every spawn that passes the environment on, still names it.
import { readdirSync, readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';

const MARK = 'ROLLOUT_ENGINE_TEST_RUN';
const mark = `${MARK}=${process.pid}-${randomUUID()}`;
process.env[MARK] = mark.slice(MARK.length + 1);

/** How long the processes a suite's last hook signalled are given to end (a hang bound, not a speed verdict). */
const GRACE_MS = 10_000;

interface ProcessSeen {
  readonly pid: number;
  readonly ppid: number;
  readonly marked: boolean;
  readonly command: string;
}

const readOr = (path: string): Buffer | null => {
  try {
    return readFileSync(path);
  } catch {
    return null; // ended meanwhile, or not ours to read
  }
};

/** Every process /proc shows (a zombie's environment reads empty: it has ended, its parent has not reaped it yet). */
const processes = (): ProcessSeen[] =>
  readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .flatMap((name): ProcessSeen[] => {
      const stat = readOr(`/proc/${name}/stat`)?.toString('utf8');
      // `pid (comm) state ppid …`; comm may hold spaces and parentheses: read after the last ')'.
      const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields === undefined || fields[0] === 'Z') return [];
      const environ = readOr(`/proc/${name}/environ`);
      const command = (readOr(`/proc/${name}/cmdline`)?.toString('utf8') ?? '').split('\0').join(' ').trim();
      return [{ pid: Number(name), ppid: Number(fields[1]), marked: environ?.includes(mark) === true, command }];
    });

/** The processes of this run other than mocha itself: its descendants and every marked one. */
export const processesLeft = (): ProcessSeen[] => {
  const seen = processes();
  const ours = new Set<number>([process.pid]);
  // Descendants: parents before children is not guaranteed by pid order, so repeat until stable.
  for (let grown = true; grown;) {
    grown = false;
    for (const p of seen)
      if (!ours.has(p.pid) && ours.has(p.ppid)) {
        ours.add(p.pid);
        grown = true;
      }
  }
  return seen.filter((p) => p.pid !== process.pid && (ours.has(p.pid) || p.marked));
};

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export const mochaHooks = {
  async afterAll(this: Mocha.Context): Promise<void> {
    if (process.platform !== 'linux') return; // /proc is Linux's; CI and the Node lines run there
    this.timeout(GRACE_MS + 5_000);
    let left = processesLeft();
    for (const deadline = Date.now() + GRACE_MS; left.length > 0 && Date.now() < deadline; left = processesLeft())
      await sleep(100);
    if (left.length > 0)
      throw new Error(
        `the suite left ${left.length} process(es) running:\n${left.map((p) => `  pid ${p.pid} (parent ${p.ppid}): ${p.command.slice(0, 200)}`).join('\n')}`,
      );
  },
};
