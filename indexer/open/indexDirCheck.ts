import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import type { EngineError } from '../../domain/errors.js';
import { invalidArgument } from '../../domain/errors.js';
import type { HomeIdentity } from './homeIdentity.js';
import { resolvedAsFarAsItExists, within } from '../../adapters/driven/fs/insideHome.js';

/**
 * File systems an index can never live on: the kernel's views of processes and devices
 * (`--index-dir /proc/self` spun at 100% CPU forever). statfs(2) `f_type` magic numbers.
 */
const PSEUDO_FILE_SYSTEMS: ReadonlyMap<number, string> = new Map([
  [0x9fa0, 'proc'],
  [0x62656572, 'sysfs'],
  [0x1cd1, 'devpts'],
  [0x27e0eb, 'cgroup'],
  [0x63677270, 'cgroup2'],
  [0x64626720, 'debugfs'],
  [0x73636673, 'securityfs'],
  [0x74726163, 'tracefs'],
  [0xcafe4a11, 'bpf'],
]);

/**
 * Why an index folder (`dir`, the LMDB environment of the index of `home`) is refused, or
 * undefined when it is fine: inside the home's rollout folders (`sessions/`, `archived_sessions/`:
 * the index would be among the files it describes, and Codex's), or on a pseudo file system. Real
 * paths, so a link to either is refused too. A few system calls, once per open.
 */
export const refusedIndexDir = (home: HomeIdentity, dir: string): EngineError | undefined => {
  const given = nodePath.resolve(dir);
  const { target, existing } = resolvedAsFarAsItExists(given);
  for (const sub of ['sessions', 'archived_sessions']) {
    const roots = [nodePath.join(home.root, sub), resolvedAsFarAsItExists(nodePath.join(home.realPath, sub)).target];
    if (roots.some((r) => within(r, target) || within(r, given)))
      return invalidArgument(
        '--index-dir',
        `${dir} is inside ${nodePath.join(home.root, sub)}: the index cannot live among the rollouts it describes`,
      );
  }
  let type: number;
  try {
    type = fs.statfsSync(existing).type;
  } catch {
    return undefined; // no statfs here: opening the folder says what is wrong with it
  }
  const named = PSEUDO_FILE_SYSTEMS.get(type);
  return named === undefined
    ? undefined
    : invalidArgument('--index-dir', `${dir} is on ${named}, not a file system that can hold an index`);
};
