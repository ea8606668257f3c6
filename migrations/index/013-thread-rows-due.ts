import type { IndexWrite } from '../../domain/index/rows.js';
import { markThreadRowsDue } from '../../projections/threadRowsDue.js';

/**
 * Schema 12: catch-ups mark thread rows due while they are behind their files (a process killed
 * in between left them stale for good before). An index of an older engine may hold such rows:
 * it starts with a mark no process owns, so its next catch-up re-derives every thread row once.
 * A later step whose change is to thread rows alone (their fields derived anew from the rollout
 * rows it keeps) takes the same mark, named for it, rather than a rebuild.
 */
export const markThreadRowsDueOnce = (step: string) => (): IndexWrite[] => [
  markThreadRowsDue(`${step}-migration`, null),
];
