import type { Projection } from './projection.js';
import type { TableName } from '../domain/index/rows.js';
import { ROLLOUT_TABLES, TOKEN_ROLLOUT_TABLES } from '../domain/index/rows.js';
import { threadsProjection } from './threads.js';
import { turnsProjection } from './turns.js';
import { itemsProjection } from './items.js';
import { auditProjection } from './audit.js';
import { tokenAuditProjection } from './tokenAudit.js';
import { settingsLinesProjection } from './settingsLines.js';
import { tokenCountsProjection } from './tokenCounts.js';
import { searchProjection } from './search.js';
import { toolItemsProjection } from './toolItems.js';

/**
 * What a catch-up folds: every projection, or the token projection alone (a `tokens` report on a
 * fresh or stale home), each with the table of its checkpoints and the tables a re-index of a
 * file clears. The token projection caught up alone keeps `tokenFiles` checkpoints; a full
 * catch-up folds it only past them (`RolloutContext.tokensFrom`) and drops them once passed.
 */
export interface ProjectionSubset {
  readonly name: 'all' | 'tokens';
  readonly projections: ReadonlyArray<Projection>;
  readonly checkpoints: 'files' | 'tokenFiles';
  readonly tables: ReadonlyArray<TableName>;
}

/** The projections the runner applies, in order (turns before items: items attach to turns). */
export const ALL_PROJECTIONS: ReadonlyArray<Projection> = [
  threadsProjection,
  turnsProjection,
  itemsProjection,
  auditProjection,
  tokenAuditProjection,
  settingsLinesProjection,
  tokenCountsProjection,
  searchProjection,
  toolItemsProjection,
];

export const ALL_PROJECTIONS_SUBSET: ProjectionSubset = {
  name: 'all',
  projections: ALL_PROJECTIONS,
  checkpoints: 'files',
  tables: ROLLOUT_TABLES,
};
export const TOKEN_PROJECTION_SUBSET: ProjectionSubset = {
  name: 'tokens',
  projections: [tokenAuditProjection],
  checkpoints: 'tokenFiles',
  tables: TOKEN_ROLLOUT_TABLES,
};
