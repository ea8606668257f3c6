import * as nodePath from 'node:path';
import { writeFileAtomic } from '../fs/writeFileAtomic.js';
import { readTextNoFollow } from '../fs/heldRead.js';
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { corrupt } from '../../../domain/errors.js';
import { renderDecodeErrors } from '../../../domain/decodeErrors.js';
import type { CompletedSessionImport } from '../../../replay/ports.js';
import { errnoCode } from '../fs/fsError.js';
import { parseJson } from '../../../domain/jsonNesting.js';

/** Codex's ledger of imported sessions, in the Codex home. */
export const IMPORT_LEDGER_FILE = 'external_agent_session_imports.json';

// `source_modified_at` is in nanoseconds: beyond a double's exact integers, so it is kept as its digits.
const NANOS = /"source_modified_at"\s*:\s*(-?\d+)/g;
const NANOS_TEXT = /"source_modified_at"\s*:\s*"(@nanos:-?\d+)"/g;

const LedgerRecord = t.intersection([
  t.type({ source_path: t.string, content_sha256: t.string, imported_thread_id: t.string, imported_at: t.number }),
  t.partial({ source_modified_at: t.union([t.string, t.null]), connector_names: t.unknown, title: t.unknown }),
  t.UnknownRecord,
]);
export type LedgerRecord = t.TypeOf<typeof LedgerRecord> & Record<string, unknown>;
const Ledger = t.intersection([t.type({ records: t.array(LedgerRecord) }), t.UnknownRecord]);
export type Ledger = t.TypeOf<typeof Ledger>;

export const ledgerPathOf = (codexHome: string): string => nodePath.join(codexHome, IMPORT_LEDGER_FILE);

/** The ledger as stored (unknown fields kept, so a rewrite loses nothing Codex wrote); empty if absent. */
export const loadLedger = async (codexHome: string): Promise<Ledger> => {
  const path = ledgerPathOf(codexHome);
  let raw: string;
  try {
    // Never read through a link planted at its name (another user's home, read as root).
    raw = await readTextNoFollow(codexHome, path);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return { records: [] };
    throw err;
  }
  let parsed: unknown;
  try {
    parsed = parseJson(raw.replace(NANOS, '"source_modified_at":"@nanos:$1"'));
  } catch (err) {
    throw corrupt(path, 0, `invalid external agent session import ledger: ${(err as Error).message}`);
  }
  const decoded = Ledger.decode(parsed);
  if (E.isLeft(decoded))
    throw corrupt(path, 0, `invalid external agent session import ledger: ${renderDecodeErrors(decoded.left)}`);
  return decoded.right;
};

/** Nanoseconds as the ledger keeps them (digits), from a bigint stat. */
export const nanosText = (nanos: bigint): string => `@nanos:${nanos.toString()}`;

/** Written as Codex writes it (pretty JSON), to a temporary file, fsynced, then renamed over the old one. */
export const saveLedger = async (codexHome: string, ledger: Ledger): Promise<void> => {
  const path = ledgerPathOf(codexHome);
  const text = JSON.stringify(ledger, null, 2).replace(
    NANOS_TEXT,
    (_m, v: string) => `"source_modified_at": ${v.slice('@nanos:'.length)}`,
  );
  await writeFileAtomic(path, text, { mode: { keep: 0o600 } });
};

/** Does the ledger hold `sourcePath` with this content? */
export const holdsCurrent = (ledger: Ledger, sourcePath: string, contentSha256: string): boolean =>
  ledger.records.some((r) => r.source_path === sourcePath && r.content_sha256 === contentSha256);

/**
 * The ledger with the imports added as Codex adds them: a record of the same file and content is
 * moved to the end with the new thread and time, any other is appended.
 */
export const withImports = (
  ledger: Ledger,
  imports: ReadonlyArray<CompletedSessionImport & { readonly sourceModifiedAt: string | null }>,
  importedAt: number,
): Ledger => {
  const records = [...ledger.records];
  for (const i of imports) {
    const at = findLastIndex(records, (r) => r.source_path === i.sourcePath && r.content_sha256 === i.contentSha256);
    if (at >= 0) {
      const [old] = records.splice(at, 1);
      records.push({
        ...old!,
        imported_thread_id: i.threadId,
        imported_at: importedAt,
        source_modified_at: i.sourceModifiedAt ?? old!.source_modified_at ?? null,
        title: i.title,
      });
      continue;
    }
    records.push({
      source_path: i.sourcePath,
      content_sha256: i.contentSha256,
      imported_thread_id: i.threadId,
      imported_at: importedAt,
      source_modified_at: i.sourceModifiedAt,
      connector_names: [],
      title: i.title,
    });
  }
  return { ...ledger, records, detected_connector_records: ledger['detected_connector_records'] ?? [] };
};

const findLastIndex = <A>(xs: ReadonlyArray<A>, p: (x: A) => boolean): number => {
  for (let i = xs.length - 1; i >= 0; i--) if (p(xs[i]!)) return i;
  return -1;
};
