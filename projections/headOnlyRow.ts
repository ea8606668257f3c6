import type { RolloutRow, ThreadRow } from '../domain/index/rows.js';
import type { SessionMetaPayload } from '../domain/rollout/kinds/sessionMeta.js';
import { gitInfoOf } from '../domain/thread/buildThread.js';

/**
 * The row of a thread whose file Codex cannot load (`RolloutRow.notUtf8`): its state DB holds none
 * (codex-rs rollout/src/metadata.rs `extract_metadata_from_rollout` fails), so Codex answers the
 * thread from the file's head alone (thread-store/src/local/read_thread.rs
 * `read_thread_from_rollout_path`): the first meta's fields, no model or effort. A head its scan
 * read (`stored_thread_from_rollout_item`) answers the session's start as `updatedAt` and
 * `recencyAt`, no thread source; one it could not (`stored_thread_from_meta_line`) no preview and
 * no name, the file's mtime, the meta's thread source. Measured on 0.169.0 and 0.171.0
 * (historyNotUtf8.compat: a file whose bad bytes follow the first user message, and one whose
 * bad bytes follow its meta).
 */
export const headOnlyRowOf = (row: ThreadRow, rollout: RolloutRow, meta: SessionMetaPayload): ThreadRow => {
  const notUtf8 = rollout.notUtf8!;
  const { stateDb: _db, fileScanFills: _fills, stateDbHistoryMode: _mode, ...own } = row;
  const head = { ...own, model: null, reasoningEffort: null, gitInfo: gitInfoOf(meta.git) };
  if (notUtf8.headRead) {
    // Its own file's preview, where the head holds it (a scan of 210 lines with none answers none).
    const inHead = rollout.previewByteOffset !== null && rollout.previewByteOffset < notUtf8.byteOffset;
    return {
      ...head,
      preview: rollout.imageFirst === true ? '[Image]' : inHead ? (rollout.preview ?? '') : '',
      updatedAt: row.createdAt,
      recencyAt: row.createdAt,
      threadSource: null,
      historyUnloadable: 'headRead',
    };
  }
  const mtime = row.fileMtimeMs === undefined ? row.createdAt : Math.floor(row.fileMtimeMs / 1000);
  return {
    ...head,
    preview: '',
    name: null,
    updatedAt: mtime,
    recencyAt: mtime,
    threadSource: meta.thread_source ?? null,
    historyUnloadable: 'headUnread',
  };
};
