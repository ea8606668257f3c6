// Older `@openai/codex` versions as test tools: installed from the registry into a cache folder of
// this machine (never as dependencies of the repo), once per version, and found by their binary.
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Where the tools are kept: `ROLLOUT_ENGINE_CI_CACHE` (as `.ci/node-lines`), else `~/.cache/rollout-engine-ci`. */
export const toolCacheDir = (): string =>
  process.env.ROLLOUT_ENGINE_CI_CACHE ??
  join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'rollout-engine-ci');

/** The platforms a Codex package ships binaries for, by the triple in their paths. */
const TRIPLES = [
  'x86_64-unknown-linux-musl',
  'aarch64-unknown-linux-musl',
  'x86_64-apple-darwin',
  'aarch64-apple-darwin',
  'x86_64-pc-windows-msvc',
  'aarch64-pc-windows-msvc',
] as const;

const tripleOfThisMachine = (): string => {
  const triples: Readonly<Record<string, string>> = {
    'linux-x64': TRIPLES[0],
    'linux-arm64': TRIPLES[1],
    'darwin-x64': TRIPLES[2],
    'darwin-arm64': TRIPLES[3],
  };
  const triple = triples[`${process.platform}-${process.arch}`];
  if (triple === undefined) throw new Error(`no Codex binary is published for ${process.platform}-${process.arch}`);
  return triple;
};

/** Every file below `dir` (the package trees are small once other platforms are gone). */
const filesBelow = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = join(dir, e.name);
    if (e.isDirectory()) return filesBelow(full);
    return e.isFile() ? [full] : [];
  });

/** Drop what other platforms need: the early packages carry every platform's binary (up to 340 MB a version). */
const pruneOtherPlatforms = (dir: string, keep: string): void => {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const full = join(dir, e.name);
    if (TRIPLES.some((t) => t !== keep && e.name.includes(t))) rmSync(full, { recursive: true, force: true });
    else if (e.isDirectory()) pruneOtherPlatforms(full, keep);
  }
};

/**
 * The native binary of a version's install: its path changed over the versions
 * (`bin/codex-<triple>` ≤0.49, `vendor/<triple>/codex/codex` 0.50–0.1xx, `vendor/<triple>/bin/codex`
 * later), always below a folder named for the platform.
 */
const binaryIn = (installDir: string, triple: string): string => {
  const openai = join(installDir, 'node_modules', '@openai');
  const candidates = filesBelow(openai).filter(
    (f) => f.includes(triple) && /(?:^|\/)codex(?:-[a-z0-9_-]+)?$/.test(f) && (statSync(f).mode & 0o111) !== 0,
  );
  const binary = candidates.find((f) => f.endsWith(`/codex-${triple}`)) ?? candidates.find((f) => f.endsWith('/codex'));
  if (binary === undefined) throw new Error(`no codex binary for ${triple} under ${openai}`);
  return binary;
};

/**
 * The binary of `@openai/codex@version`, installed into the tool cache if it is not there yet
 * (into a folder of its own, renamed into place when complete: a second process racing it uses
 * whichever install landed first).
 */
export const olderCodexBinary = async (version: string): Promise<string> => {
  const triple = tripleOfThisMachine();
  const cache = toolCacheDir();
  const dir = join(cache, `codex-${version}`);
  if (!existsSync(dir)) {
    mkdirSync(cache, { recursive: true });
    const partial = `${dir}.partial-${process.pid}`;
    rmSync(partial, { recursive: true, force: true });
    mkdirSync(partial);
    try {
      await run(
        'npm',
        [
          'install',
          '--prefix',
          partial,
          '--no-save',
          '--no-package-lock',
          '--no-audit',
          '--no-fund',
          '--loglevel=error',
          `@openai/codex@${version}`,
        ],
        {
          timeout: 300_000,
          maxBuffer: 16 << 20,
        },
      );
      pruneOtherPlatforms(join(partial, 'node_modules'), triple);
      binaryIn(partial, triple);
      try {
        renameSync(partial, dir);
      } catch (err) {
        // Another process installed it meanwhile: use theirs.
        if (!existsSync(dir)) throw err;
      }
    } finally {
      rmSync(partial, { recursive: true, force: true });
    }
  }
  return binaryIn(dir, triple);
};
