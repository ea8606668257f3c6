import type { PluginFileState } from '../plugins/rolloutObservations.js';
import type { TokenFileState } from '../tokens/responseFold.js';

// Per rollout file, the audits' fold state carried across batches (tables `auditState`, `tokenState`: rows.ts `IndexTables`).

/** Per rollout file: fold state of its plugin observations (carried across batches). */
export interface AuditStateRow {
  readonly plugins: PluginFileState;
}

/** Per rollout file: fold state of the token audit (carried across batches), and what a report needs of the file besides its sums. */
export interface TokenStateRow {
  readonly tokens: TokenFileState;
  /** Its session_meta's originator ('' when absent) and API source (`apiSourceOfMeta`, as its thread row has it): its thread's client. */
  readonly originator: string;
  readonly source: unknown;
  /** A record with a response id the file already recorded: its responses are read as rows. */
  readonly repeatedRecords: boolean;
}
