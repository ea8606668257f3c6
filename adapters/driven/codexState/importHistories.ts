// Codex's record of completed external-agent imports (`externalAgentConfig/import/readHistories`):
// the `external_agent_config_imports` table of CODEX_HOME/state_5.sqlite, one row per import, its
// successes and failures as JSON arrays with snake_case fields. The engine reads it and adds its own
// imports to it, under Codex's locking rules, so each sees the other's; a home whose state DB Codex
// has not created yet keeps no history (Codex creates the table with the DB).
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import { PathReporter } from 'io-ts/lib/PathReporter.js';
import { snakeToCamel } from '../../../domain/thread/snakeToCamel.js';
import type { ImportHistory } from '../../../replay/ports.js';
import { stateDbOf } from './codexThreadState.js';
import { parseJson } from '../../../domain/jsonNesting.js';
import { openSqlite, type SqliteDb } from '../sqlite/sqliteDb.js';

const BUSY_TIMEOUT_MS = 5_000;

const HistoryRow = t.type({
  import_id: t.string,
  completed_at_ms: t.number,
  successes: t.string,
  failures: t.string,
  provider_id: t.union([t.string, t.null]),
});

const camelSnake = (s: string): string => s.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const renameKeys = (
  rows: ReadonlyArray<Record<string, unknown>>,
  rename: (k: string) => string,
): Array<Record<string, unknown>> =>
  rows.map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [rename(k), v])));

const parseArray = (text: string, what: string): Array<Record<string, unknown>> => {
  const v: unknown = parseJson(text);
  if (!Array.isArray(v)) throw new Error(`${what} is not a JSON array`);
  return v as Array<Record<string, unknown>>;
};

const withStateDb = async <A>(
  codexHome: string,
  readonly: boolean,
  use: (db: SqliteDb) => A,
): Promise<A | undefined> => {
  // A linked DB is refused (`LinkRefused`), never opened: no history is read from or written outside the home.
  const path = stateDbOf(codexHome);
  if (path === undefined) return undefined;
  const db = openSqlite(path, { timeoutMs: BUSY_TIMEOUT_MS, readonly });
  try {
    if (!readonly) db.pragma('synchronous = NORMAL');
    return use(db);
  } finally {
    db.close();
  }
};

/** Codex's histories, newest first (none without a state DB). Throws on a row that does not decode. */
export const readImportHistories = async (codexHome: string): Promise<ImportHistory[]> =>
  (await withStateDb(codexHome, true, (db) =>
    db
      .prepare(
        'SELECT import_id, completed_at_ms, successes, failures, provider_id FROM external_agent_config_imports ORDER BY completed_at_ms DESC, import_id DESC',
      )
      .all()
      .map((raw) => {
        const row = HistoryRow.decode(raw);
        if (E.isLeft(row)) throw new Error(`external_agent_config_imports: ${PathReporter.report(row).join('; ')}`);
        const r = row.right;
        return {
          importId: r.import_id,
          providerId: r.provider_id,
          completedAtMs: r.completed_at_ms,
          successes: renameKeys(parseArray(r.successes, 'successes'), snakeToCamel),
          failures: renameKeys(parseArray(r.failures, 'failures'), snakeToCamel),
        };
      }),
  )) ?? [];

/** Add a completed import to Codex's histories; false when the home has no state DB to hold it. */
export const recordImportHistory = async (codexHome: string, h: ImportHistory): Promise<boolean> =>
  (await withStateDb(codexHome, false, (db) => {
    db.prepare(
      'INSERT INTO external_agent_config_imports (import_id, completed_at_ms, successes, failures, provider_id) VALUES (?, ?, ?, ?, ?)',
    ).run(
      h.importId,
      h.completedAtMs,
      JSON.stringify(renameKeys(h.successes, camelSnake)),
      JSON.stringify(renameKeys(h.failures, camelSnake)),
      h.providerId,
    );
    return true;
  })) ?? false;
