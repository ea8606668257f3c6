import * as nodePath from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { EngineError } from '../../../domain/errors.js';
import { corrupt } from '../../../domain/errors.js';
import { decodeShape } from '../../../domain/decodeShape.js';
import { parseJson } from '../../../domain/jsonNesting.js';
import { writeFileAtomic } from '../fs/writeFileAtomic.js';
import { mkdirNoFollow } from '../fs/noFollow.js';
import { readTextNoFollow } from '../fs/heldRead.js';
import { errnoCode, toEngineError } from '../fs/fsError.js';

/**
 * The replica's saved state (homeReplica.ts): the `$all` position applied and the stream → file map,
 * written after the lines they cover.
 */
export const REPLICA_STATE_FILE = nodePath.join('.rollout-engine', 'eventstore-replica.json');

export const ReplicaState = t.type({
  position: t.union([t.null, t.type({ commit: t.string, prepare: t.string })]),
  files: t.record(t.string, t.string),
});
export type ReplicaState = t.TypeOf<typeof ReplicaState>;

export const readState = async (home: string): Promise<E.Either<EngineError, ReplicaState>> => {
  const file = nodePath.join(home, REPLICA_STATE_FILE);
  let text: string;
  try {
    text = await readTextNoFollow(home, file);
  } catch (err) {
    return errnoCode(err) === 'ENOENT'
      ? E.right({ position: null, files: {} })
      : E.left(toEngineError(file, 'read')(err));
  }
  let json: unknown;
  try {
    json = parseJson(text);
  } catch {
    json = undefined;
  }
  const decoded = decodeShape(ReplicaState, json);
  return E.isRight(decoded) ? E.right(decoded.right) : E.left(corrupt(file, 0, 'not a replica state'));
};

export const writeState = async (home: string, state: ReplicaState): Promise<void> => {
  const file = nodePath.join(home, REPLICA_STATE_FILE);
  await mkdirNoFollow(home, nodePath.dirname(file), 0o700);
  await writeFileAtomic(file, JSON.stringify(state), { mode: 0o600, root: home });
};
