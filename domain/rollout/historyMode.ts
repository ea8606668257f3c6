/**
 * How a rollout records its history (`session_meta.history_mode`): `legacy` files hold every
 * line of the thread; `paginated` files number their lines (`ordinal`) and may continue a base
 * file through `history_base` (forks, revisions).
 */
export type HistoryMode = 'legacy' | 'paginated';
