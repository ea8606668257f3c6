/** Codex's page sizes: 25 when absent, at least 1 (a limit of 0 gives one), at most 100. */
export const DEFAULT_PAGE_SIZE = 25;
export const MAX_PAGE_SIZE = 100;

export const pageSizeOf = (limit: number | null | undefined): number =>
  limit === null || limit === undefined ? DEFAULT_PAGE_SIZE : Math.min(Math.max(Math.trunc(limit), 1), MAX_PAGE_SIZE);
