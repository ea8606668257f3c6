// The homes every compat suite compares against, built once per mocha run and removed at its end.
// Suites call `sharedCompatHomes()` in a `before` hook; the first call builds, later calls reuse.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppServer, codexConfigToml, stopAllAppServers } from './appServer.js';
import { MockResponses } from './mockResponses.js';
import { buildCompatHomes, type BuildCompatHomesOptions, type CompatHome } from './scenarios.js';

/**
 * Set to a directory to keep the generated homes (for debugging): they are then built inside it,
 * in `<dir>/run-XXXXXX/<scenario>-<mode>/`, and not removed. Built in place rather than copied
 * because Codex's state_5.sqlite stores absolute rollout paths: a copied paginated home makes
 * Codex answer `-32600 invalid paginated history lineage for <id>: missing source rollout`.
 */
export const KEEP_HOMES_ENV = 'ROLLOUT_ENGINE_KEEP_COMPAT_HOMES';
/** Time a `before` hook should allow for `sharedCompatHomes()` (about 15 s on 2 cores). */
export const BUILD_TIMEOUT_MS = 180_000;

export interface CompatFixture {
  readonly rootDir: string;
  readonly homes: readonly CompatHome[];
}

let shared: Promise<CompatFixture> | undefined;
let sharedRoot: { readonly dir: string; readonly keep: boolean } | undefined;

function compatRootDir(): { dir: string; keep: boolean } {
  const keep = process.env[KEEP_HOMES_ENV];
  if (keep !== undefined && keep !== '') {
    mkdirSync(keep, { recursive: true });
    return { dir: mkdtempSync(join(keep, 'run-')), keep: true };
  }
  return { dir: mkdtempSync(join(tmpdir(), 'rollout-engine-compat-')), keep: false };
}

/** All homes, built on the first call of the process; later calls get the same promise. */
export function sharedCompatHomes(options: BuildCompatHomesOptions = {}): Promise<CompatFixture> {
  if (shared === undefined) {
    const root = compatRootDir();
    sharedRoot = root;
    shared = buildCompatHomes(root.dir, options).then((homes) => ({ rootDir: root.dir, homes }));
  }
  return shared;
}

export function compatHome(fixture: CompatFixture, key: string): CompatHome {
  const home = fixture.homes.find((h) => h.key === key);
  if (home === undefined) throw new Error(`no compat home ${key}`);
  return home;
}

export async function disposeSharedCompatHomes(): Promise<void> {
  const root = sharedRoot;
  const pending = shared;
  shared = undefined;
  sharedRoot = undefined;
  await pending?.catch(() => undefined);
  await stopAllAppServers();
  if (root === undefined) return;
  if (root.keep) {
    process.stderr.write(`compat homes kept in ${root.dir}\n`);
    return;
  }
  rmSync(root.dir, { recursive: true, force: true });
}

// Root-level hook (this module is first imported while mocha loads spec files): runs once after
// every suite, so homes survive across spec files and no app-server outlives the run.
if (typeof after === 'function') {
  after(async function () {
    this.timeout(120_000);
    await disposeSharedCompatHomes();
  });
}

/** A home's `config.toml` as Codex is started on it: its text given the mock's port, or none at all (Codex's defaults: provider `openai`). */
export type HomeConfig = ((mockPort: number) => string) | null;

export interface ColdCodex {
  readonly server: AppServer;
  stop(): Promise<void>;
}

/**
 * A fresh `codex app-server` on a built home, after the writer stopped: threads are not loaded,
 * as in the corpus's "cold" goldens. It gets a new mock (the builder's is gone), in case a call
 * reaches the model.
 */
export async function openColdCodex(
  home: Pick<CompatHome, 'codexHome' | 'workDir'>,
  config: HomeConfig = codexConfigToml,
  /** How long its `initialize` may take (AppServer's default otherwise): Codex walks a large home first. */
  initializeTimeoutMs?: number,
): Promise<ColdCodex> {
  const mock = await MockResponses.start();
  if (config === null) rmSync(join(home.codexHome, 'config.toml'), { force: true });
  else {
    mkdirSync(home.codexHome, { recursive: true });
    writeFileSync(join(home.codexHome, 'config.toml'), config(mock.port));
  }
  let server: AppServer;
  try {
    server = await AppServer.start({
      codexHome: home.codexHome,
      userHome: join(home.codexHome, '..', 'user-home'),
      cwd: home.workDir,
      ...(initializeTimeoutMs === undefined ? {} : { initializeTimeoutMs }),
    });
  } catch (error) {
    await mock.stop();
    throw error;
  }
  return {
    server,
    stop: async () => {
      await server.stop();
      await mock.stop();
    },
  };
}
