import type { Projection } from './projection.js';
import { threadsProjection } from './threads.js';
import { turnsProjection } from './turns.js';
import { itemsProjection } from './items.js';
import { auditProjection } from './audit.js';
import { tokenAuditProjection } from './tokenAudit.js';
import { settingsLinesProjection } from './settingsLines.js';
import { tokenCountsProjection } from './tokenCounts.js';
import { searchProjection } from './search.js';
import { toolItemsProjection } from './toolItems.js';

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
