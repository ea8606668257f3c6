/**
 * The bench's cache of what the real codex writes once per machine (the real-shaped template, the
 * large-outputs thread): `$ROLLOUT_ENGINE_BENCH_CACHE`, default `~/.cache/rollout-engine-bench/`,
 * an entry per template and version.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as nodePath from 'node:path';

/** The codex version the templates are written with (the pinned devDependency). */
export const CODEX_VERSION = '0.169.0';

const cacheRoot = (): string =>
  process.env.ROLLOUT_ENGINE_BENCH_CACHE ?? nodePath.join(os.homedir(), '.cache', 'rollout-engine-bench');

/**
 * A template the real codex writes once per machine: read from its cache entry's manifest, else
 * written by `write` in place (rollouts name their work dir by absolute path), the manifest
 * written last to mark it complete.
 */
export const cachedTemplate = async <T>(
  entry: string,
  what: string,
  log: (line: string) => void = (l) => process.stderr.write(`${l}\n`),
  write: (dir: string) => Promise<T>,
): Promise<T> => {
  const dir = nodePath.join(cacheRoot(), entry);
  const manifest = nodePath.join(dir, 'template.json');
  if (fs.existsSync(manifest)) return JSON.parse(fs.readFileSync(manifest, 'utf8')) as T;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  log(`writing ${what} with codex ${CODEX_VERSION} into ${dir} (once per machine)…`);
  const started = Date.now();
  const template = await write(dir);
  log(`${what} written in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  fs.writeFileSync(manifest, `${JSON.stringify(template, null, 2)}\n`);
  return template;
};
