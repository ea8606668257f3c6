import * as E from 'fp-ts/lib/Either.js';
import * as TE from 'fp-ts/lib/TaskEither.js';
import type { EngineError } from '../../domain/errors.js';
import type { HistoryEntry } from '../../domain/ports.js';
import type { SessionMetaPayload } from '../../domain/rollout/kinds/sessionMeta.js';
import { SessionMetaPayload as SessionMetaCodec } from '../../domain/rollout/kinds/sessionMeta.js';
import { decodeError } from '../../domain/errors.js';
import { renderDecodeErrors } from '../../domain/decodeErrors.js';
import { decodeRolloutLine } from '../../domain/rollout/line.js';
import { discoverRolloutFiles } from '../../adapters/driven/jsonl/home/discover.js';
import type { RolloutFile } from '../../adapters/driven/jsonl/home/discover.js';
import { acceptEveryLine, readLog } from '../../adapters/driven/jsonl/readers/reader.js';
import { firstEntry } from '../../adapters/driven/jsonl/lines/firstEntry.js';
import { detectRolloutFormat, upcastLegacyLine } from '../../migrations/upcast/envelopeLess.js';
import { readRolloutLines } from '../../adapters/driven/jsonl/readers/rolloutLines.js';
import type { RolloutLinesBelow } from '../../adapters/driven/jsonl/readers/rolloutLines.js';
import { readThreadNames } from '../../adapters/driven/jsonl/home/sessionIndex.js';
import { readConfiguredModelProvider } from '../../adapters/driven/fs/codexConfig.js';

/** The first line of a rollout, decoded as `session_meta`. */
export const readSessionMeta =
  (path: string): TE.TaskEither<EngineError, SessionMetaPayload> =>
  async () => {
    const first = await firstEntry(
      path,
      readLog(path, undefined, { knownComplete: true, classify: acceptEveryLine }),
      'empty rollout: no session_meta line',
    );
    if (E.isLeft(first)) return first;
    const text = first.right.text;
    const format = detectRolloutFormat(text);
    if (format === 'envelopeLess' || format === 'recordTyped') {
      // Early Codex: a bare session meta first line; upcast to the modern payload shape.
      const up = upcastLegacyLine(text, 0, 0, { path, baseTimestamp: '', firstIndex: 0 });
      if (E.isLeft(up)) return up;
      const legacy = SessionMetaCodec.decode(up.right.payload);
      if (E.isLeft(legacy)) return E.left(decodeError(path, 0, 0, `session meta: ${renderDecodeErrors(legacy.left)}`));
      return E.right({ ...legacy.right, history_mode: 'legacy', upcast_from: format } as SessionMetaPayload);
    }
    const line = decodeRolloutLine(text);
    if (E.isLeft(line)) return E.left(decodeError(path, 0, 0, line.left));
    if (line.right.type !== 'session_meta') {
      return E.left(decodeError(path, 0, 0, `first line is ${line.right.type}, not session_meta`));
    }
    const meta = SessionMetaCodec.decode(line.right.payload);
    if (E.isLeft(meta)) return E.left(decodeError(path, 0, 0, `session_meta: ${renderDecodeErrors(meta.left)}`));
    return E.right(meta.right);
  };

/**
 * Read access to a CODEX_HOME's rollouts for the whole-file fold, the oracle the index is tested
 * against: every file read directly, nothing from the index.
 */
export interface RolloutStore {
  readonly home: string;
  readonly listRolloutFiles: () => TE.TaskEither<EngineError, ReadonlyArray<RolloutFile>>;
  /** The decoded `session_meta` (first line) of a file. */
  readonly readSessionMeta: (path: string) => TE.TaskEither<EngineError, SessionMetaPayload>;
  /** Stream the files of a logical history in order, base first, each below its cut; `seq` runs across them. */
  readonly readHistory: (segments: ReadonlyArray<RolloutLinesBelow>) => AsyncIterable<HistoryEntry>;
  /** Thread names from `session_index.jsonl` (last entry per id wins). */
  readonly threadNames: () => TE.TaskEither<EngineError, ReadonlyMap<string, string>>;
  /** The provider the home's `config.toml` selects (Codex answers it for a thread whose meta names none). */
  readonly defaultModelProvider: () => TE.TaskEither<EngineError, string>;
}

async function* readHistory(segments: ReadonlyArray<RolloutLinesBelow>): AsyncGenerator<HistoryEntry> {
  let seq = 0;
  for (const seg of segments) {
    for await (const entry of readRolloutLines(seg)) {
      yield entry.kind === 'line' ? { ...entry, position: { ...entry.position, seq: seq++ } } : entry;
      if (entry.kind === 'failed') return;
    }
  }
}

/** The store over rollout files of a CODEX_HOME read directly. */
export const jsonlRolloutStore = (home: string): RolloutStore => ({
  home,
  listRolloutFiles: () => discoverRolloutFiles(home),
  readSessionMeta,
  readHistory,
  threadNames: () => readThreadNames(home),
  defaultModelProvider: () => () => readConfiguredModelProvider(home),
});
