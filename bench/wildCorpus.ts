/**
 * `npm run bench -- wild --corpus DIR [--out DIR] [--configs none,custom] [--limit N]`: rollouts real
 * users published, laid out as one Codex home, read cold by `rollout-engine serve` and by the real
 * `codex app-server` 0.169.0 (`compareHome`, the history API's comparison), once per config.toml:
 * `none` (Codex's default provider, `openai`) and `custom` (a provider of the user's own naming).
 *
 * The corpus is kept outside the repository (other people's sessions are not committed): `DIR`
 * holds `manifest.json` (one entry per rollout: repo, path, commit, bytes, cli_version, originator,
 * model_provider, cwd_platform) and `raw/<owner+repo>/<path>`, the files as committed. Each
 * rollout is laid out under its own file name (Codex's `rollout-<local time>-<id>.jsonl`; one
 * published under another name, under the one its meta gives, `codexNameOf`) in
 * `sessions/YYYY/MM/DD/` of that name's date, an archived one flat in `archived_sessions/`, with
 * its mtime at its last line's time, as its writer left it. A thread found twice is laid out once.
 *
 * Prints answers compared and equal per method, per Codex version (the meta's `cli_version`) and
 * per client (`originator`), and the difference classes (method + path) with counts and an example.
 */
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import * as t from 'io-ts';
import { isLeft } from 'fp-ts/lib/Either.js';
import { compareHome, type HomeComparison } from '../test/compat/historyComparison.js';
import type { HomeConfig } from '../test/compat/compatHomes.js';
import { formatRolloutFileName, parseRolloutFileName } from '../adapters/driven/jsonl/home/rolloutFileName.js';
import { upcastFormatOf } from '../migrations/upcast/lineDecoder.js';

const ManifestEntry = t.type({
  repo: t.string,
  path: t.string,
  commit: t.string,
  bytes: t.number,
  cli_version: t.union([t.string, t.null]),
  originator: t.union([t.string, t.null]),
  model_provider: t.union([t.string, t.null]),
  cwd_platform: t.string,
});
type ManifestEntry = t.TypeOf<typeof ManifestEntry>;
const Manifest = t.array(ManifestEntry);

/** The provider the `custom` config names: one real users' rollouts carry (a provider of their own, not a built-in one). */
export const CUSTOM_PROVIDER = 'codex';

/** The configurations the corpus is read under: config.toml's text given the mock's port, or none. */
export const WILD_CONFIGS: Readonly<Record<string, HomeConfig>> = {
  none: null,
  custom: (port) =>
    [
      `model_provider = "${CUSTOM_PROVIDER}"`,
      'check_for_update_on_startup = false',
      '',
      `[model_providers.${CUSTOM_PROVIDER}]`,
      'name = "A provider of the user\'s own"',
      `base_url = "http://127.0.0.1:${port}/v1"`,
      'wire_api = "responses"',
      'request_max_retries = 0',
      'stream_max_retries = 0',
      '',
      '[analytics]',
      'enabled = false',
      '',
    ].join('\n'),
};

interface LaidOut {
  readonly threadId: string;
  readonly entry: ManifestEntry;
  readonly cwd: string | null;
  /** Its meta is bare (before Codex 0.32): Codex 0.169.0 neither lists nor reads the thread (docs/compatibility.md). */
  readonly preEnvelope: boolean;
}

const readManifest = (corpus: string): ManifestEntry[] => {
  const decoded = Manifest.decode(JSON.parse(fs.readFileSync(nodePath.join(corpus, 'manifest.json'), 'utf8')));
  if (isLeft(decoded)) throw new Error(`${corpus}/manifest.json: not a wild corpus manifest`);
  return decoded.right;
};

/** The session meta's id, cwd and start time (bare before Codex 0.32, in an envelope's payload since). */
const metaOf = (firstLine: string): { id: string; cwd: string | null; startedAt: string | null } | undefined => {
  try {
    const line = JSON.parse(firstLine) as { payload?: Record<string, unknown> } & Record<string, unknown>;
    const p = line.payload ?? line;
    const at = [p['timestamp'], line['timestamp']].find((v): v is string => typeof v === 'string') ?? null;
    return typeof p['id'] === 'string'
      ? { id: p['id'], cwd: typeof p['cwd'] === 'string' ? p['cwd'] : null, startedAt: at }
      : undefined;
  } catch {
    return undefined;
  }
};

/**
 * The file name a rollout is laid out under: its own when it is Codex's (`parseRolloutFileName`),
 * else the one Codex gives a thread started at its meta's start (`formatRolloutFileName`): a
 * rollout a user published under a name of their own (a hackathon's `codex-session.jsonl`).
 */
const codexNameOf = (name: string, meta: { id: string; startedAt: string | null }): string | undefined => {
  if (parseRolloutFileName(name) !== undefined) return name;
  const at = meta.startedAt === null ? NaN : Date.parse(meta.startedAt);
  return Number.isNaN(at) ? undefined : formatRolloutFileName(new Date(at), meta.id);
};

/** The time of the last line that has one, for the file's mtime. */
const lastLineTime = (text: string): Date | undefined => {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  for (let i = lines.length - 1; i >= 0; i -= 1) {
    const m = /"timestamp":"([^"]+)"/.exec(lines[i]!);
    const ms = m === null ? NaN : Date.parse(m[1]!);
    if (!Number.isNaN(ms)) return new Date(ms);
  }
  return undefined;
};

/** Lays the corpus out as one Codex home; the threads laid out. */
export const layOutWildHome = (corpus: string, entries: readonly ManifestEntry[], codexHome: string): LaidOut[] => {
  const laid: LaidOut[] = [];
  const seen = new Set<string>();
  for (const entry of entries) {
    const source = nodePath.join(corpus, 'raw', entry.repo.replace('/', '+'), entry.path);
    // Laid out byte for byte (a line that is not UTF-8 stays as it was committed).
    const bytes = fs.readFileSync(source);
    const text = bytes.toString('utf8');
    const firstLine = text.slice(0, text.indexOf('\n') >= 0 ? text.indexOf('\n') : undefined);
    const meta = metaOf(firstLine);
    const name = meta === undefined ? undefined : codexNameOf(nodePath.basename(entry.path), meta);
    const parsed = name === undefined ? undefined : parseRolloutFileName(name);
    if (meta === undefined || name === undefined || parsed === undefined || seen.has(meta.id)) continue;
    const date = parsed.fileTimestamp.slice(0, 10).split('-');
    seen.add(meta.id);
    const dir = entry.path.includes('archived_sessions/')
      ? nodePath.join(codexHome, 'archived_sessions')
      : nodePath.join(codexHome, 'sessions', date[0]!, date[1]!, date[2]!);
    fs.mkdirSync(dir, { recursive: true });
    const dest = nodePath.join(dir, name);
    fs.writeFileSync(dest, bytes);
    const at = lastLineTime(text);
    if (at !== undefined) fs.utimesSync(dest, at, at);
    laid.push({ threadId: meta.id, entry, cwd: meta.cwd, preEnvelope: upcastFormatOf(firstLine) !== null });
  }
  return laid;
};

interface Tally {
  compared: number;
  equal: number;
}
const add = (m: Map<string, Tally>, key: string, compared: number, equal: number): void => {
  const t0 = m.get(key) ?? { compared: 0, equal: 0 };
  m.set(key, { compared: t0.compared + compared, equal: t0.equal + equal });
};
const table = (m: ReadonlyMap<string, Tally>): Record<string, Tally & { threads?: number }> =>
  Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));

export interface WildConfigReport {
  readonly config: string;
  readonly compared: number;
  readonly equal: number;
  readonly byMethod: Record<string, Tally>;
  /** Thread-scoped answers per Codex version (the meta's cli_version) and per client (originator); the home's lists apart. */
  readonly byVersion: Record<string, Tally>;
  readonly byClient: Record<string, Tally>;
  readonly lists: Tally;
  /** `method path` → answers that differ there, and one thread (or list step) that shows it. */
  readonly classes: ReadonlyArray<{
    readonly method: string;
    readonly path: string;
    readonly answers: number;
    readonly threads: number;
    readonly example: string;
  }>;
  /** Answers that differ (their text in `<out>/<config>/problems.txt`). */
  readonly problems: number;
  readonly seconds: number;
}

export const tallyWild = (
  config: string,
  laid: readonly LaidOut[],
  c: HomeComparison,
  seconds: number,
): WildConfigReport => {
  const byMethod = new Map<string, Tally>();
  for (const [method, compared] of c.comparedByMethod) add(byMethod, method, compared, c.byMethod.get(method) ?? 0);
  const byVersion = new Map<string, Tally>();
  const byClient = new Map<string, Tally>();
  let threadCompared = 0;
  let threadEqual = 0;
  for (const l of laid) {
    const tally = c.byThread.get(l.threadId) ?? { compared: 0, equal: 0 };
    add(byVersion, l.entry.cli_version ?? 'none', tally.compared, tally.equal);
    add(byClient, l.entry.originator ?? 'none', tally.compared, tally.equal);
    threadCompared += tally.compared;
    threadEqual += tally.equal;
  }
  const equal = [...c.byMethod.values()].reduce((a, b) => a + b, 0);
  const classes = new Map<
    string,
    { method: string; path: string; answers: number; threads: Set<string>; example: string }
  >();
  for (const d of c.differences)
    for (const path of new Set(d.paths)) {
      const key = `${d.method} ${path}`;
      const k = classes.get(key) ?? {
        method: d.method,
        path,
        answers: 0,
        threads: new Set<string>(),
        example: `${d.threadId ?? '(list)'}: ${d.label}`,
      };
      k.answers += 1;
      k.threads.add(d.threadId ?? d.label);
      classes.set(key, k);
    }
  return {
    config,
    compared: c.compared,
    equal,
    byMethod: table(byMethod),
    byVersion: table(byVersion),
    byClient: table(byClient),
    lists: { compared: c.compared - threadCompared, equal: equal - threadEqual },
    classes: [...classes.values()]
      .sort((a, b) => b.answers - a.answers)
      .map((k) => ({ ...k, threads: k.threads.size })),
    problems: c.problems.length,
    seconds,
  };
};

export interface WildReport {
  readonly rollouts: number;
  readonly repositories: number;
  readonly versions: Record<string, number>;
  readonly clients: Record<string, number>;
  readonly platforms: Record<string, number>;
  readonly providers: Record<string, number>;
  /** Pre-envelope threads: not compared (Codex refuses their reads), and left out of our list pages. */
  readonly preEnvelope: number;
  readonly configs: readonly WildConfigReport[];
}

const countBy = (laid: readonly LaidOut[], key: (l: LaidOut) => string): Record<string, number> => {
  const m = new Map<string, number>();
  for (const l of laid) m.set(key(l), (m.get(key(l)) ?? 0) + 1);
  return Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)));
};

/** The folder most of the corpus's threads ran in: the `cwd` list steps ask for it. */
const commonCwd = (laid: readonly LaidOut[]): string | undefined => {
  const counts = countBy(
    laid.filter((l) => l.cwd !== null),
    (l) => l.cwd!,
  );
  return Object.entries(counts).sort(([, a], [, b]) => b - a)[0]?.[0];
};

export const runWildCorpus = async (options: {
  corpus: string;
  out: string;
  configs: readonly string[];
  limit?: number;
}): Promise<WildReport> => {
  const entries = readManifest(options.corpus).slice(0, options.limit);
  const reports: WildConfigReport[] = [];
  let laid: LaidOut[] = [];
  for (const config of options.configs) {
    const toml = WILD_CONFIGS[config];
    if (toml === undefined)
      throw new Error(`unknown config ${config} (known: ${Object.keys(WILD_CONFIGS).join(', ')})`);
    // A fresh home per config: Codex's state DB is built from the files by the cold server that reads them.
    const root = nodePath.join(options.out, config);
    fs.rmSync(root, { recursive: true, force: true });
    const codexHome = nodePath.join(root, 'home');
    const workDir = nodePath.join(root, 'work');
    fs.mkdirSync(workDir, { recursive: true });
    laid = layOutWildHome(options.corpus, entries, codexHome);
    const started = Date.now();
    const listCwd = commonCwd(laid);
    const comparison = await compareHome(
      {
        key: `wild-${config}`,
        codexHome,
        workDir,
        threads: laid.map((l) => ({
          id: l.threadId,
          label: `${l.entry.repo} ${l.entry.cli_version ?? '?'} ${l.entry.originator ?? '?'}`,
        })),
      },
      {
        config: toml,
        ...(listCwd === undefined ? {} : { listCwd }),
        // We read and list them (source "unknown"), Codex 0.169.0 does neither: a deliberate difference.
        unreadableByCodex: new Set(laid.filter((l) => l.preEnvelope).map((l) => l.threadId)),
      },
    );
    const report = tallyWild(config, laid, comparison, (Date.now() - started) / 1000);
    fs.writeFileSync(nodePath.join(root, 'problems.txt'), comparison.problems.join('\n\n'));
    process.stderr.write(
      `wild ${config}: ${report.equal}/${report.compared} answers equal in ${report.seconds.toFixed(0)} s (differences in ${root}/problems.txt)\n`,
    );
    reports.push(report);
  }
  return {
    rollouts: laid.length,
    repositories: new Set(laid.map((l) => l.entry.repo)).size,
    versions: countBy(laid, (l) => l.entry.cli_version ?? 'none'),
    clients: countBy(laid, (l) => l.entry.originator ?? 'none'),
    platforms: countBy(laid, (l) => l.entry.cwd_platform),
    providers: countBy(laid, (l) => l.entry.model_provider ?? 'none'),
    preEnvelope: laid.filter((l) => l.preEnvelope).length,
    configs: reports,
  };
};
