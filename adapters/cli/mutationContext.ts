import * as E from 'fp-ts/lib/Either.js';
import type * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { MutationPorts } from '../../replay/mutationPorts.js';
import { mutationPortsOf } from '../history/mutationPorts.js';
import { fileQuarantineSink } from '../jsonl/quarantine.js';
import { openIndex } from '../indexer/openIndex.js';
import { lmdbDirOf } from './indexDir.js';

/**
 * The mutation use cases wired to one CODEX_HOME: rollout files, the LMDB index (opened, migrated,
 * caught up on demand), the system clock and UUIDv7 ids. `run` closes the index afterwards.
 */
export const withMutationPorts = async <A>(
  codexHome: string,
  indexDir: string,
  use: (ports: MutationPorts) => TE.TaskEither<EngineError, A>,
): Promise<E.Either<EngineError, A>> => {
  const quarantine = fileQuarantineSink(indexDir);
  const opened = await openIndex(lmdbDirOf(indexDir), codexHome, { quarantine })();
  if (E.isLeft(opened)) return opened;
  const store = opened.right.store;
  const ports = mutationPortsOf(store, codexHome, { quarantine });
  try {
    return await use(ports)();
  } finally {
    await store.close()();
  }
};
