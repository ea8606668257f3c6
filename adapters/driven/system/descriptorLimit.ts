import { openAs } from '../fs/noFollow.js';

/** What is assumed where the OS does not say (no `/proc`): Linux's usual soft limit. */
const ASSUMED_NOFILE = 1024;

/**
 * The process's soft RLIMIT_NOFILE (`Max open files` of `/proc/self/limits`): a listener keeps its
 * connections well below it, so a flood of sockets never takes the descriptors the home, the index
 * and an authenticated client's next connection need (at the limit, libuv accepts and closes at
 * once: the token holder's connection was dropped, issue 68 finding 5). `unlimited` or unreadable:
 * the usual 1024.
 */
export const descriptorLimit = async (): Promise<number> => {
  try {
    const { fh } = await openAs('/proc/self/limits', 'read', 0);
    try {
      const line = (await fh.readFile('utf8')).split('\n').find((l) => l.startsWith('Max open files'));
      const soft = Number(line?.slice('Max open files'.length).trim().split(/\s+/)[0]);
      return Number.isSafeInteger(soft) && soft > 0 ? soft : ASSUMED_NOFILE;
    } finally {
      await fh.close();
    }
  } catch {
    return ASSUMED_NOFILE;
  }
};
