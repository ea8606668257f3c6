// Issue 68: every path the engine opens goes through the one no-follow opener in adapters/driven/fs/
// (noFollow.ts, heldFolder.ts, heldRead.ts, …). This spec walks every non-test source outside
// adapters/driven/fs/ for the calls that open, create, list, move or remove a path by name (fileOpeners.ts:
// fs's openers however imported, `new` of better-sqlite3, lmdb's `open`) and fails on any call site
// not on the allow-list below with its exact count: a new one must go through adapters/driven/fs/, or be
// added here with the reason it may open by name.
import { expect } from 'chai';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openerSites } from './fileOpeners.js';

/** The repo root: the nearest folder above this file (which runs from dist/test/lint/) holding package.json and eslint.config.js. */
const findRoot = (): string => {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!(existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'eslint.config.js')))) {
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`no package.json with eslint.config.js above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
};
const root = findRoot();

/** The engine's sources; test/, bench/ (their own temp corpora), viewer/ (a browser bundle, no fs) and scripts/ are not the engine. */
const SOURCE_DIRS = ['adapters', 'indexer', 'replay', 'migrations', 'domain', 'projections', 'protocol'];
/** The opener itself: the only place that may open by name without a reason here. */
const OPENER_DIR = 'adapters/driven/fs/';

// Why a call site may open by name. Grouped: each is a kind of path the engine does not take from a home's owner.
const USER_CHOICE =
  "a path the user names (an option, a flag's file, CODEX_HOME itself made as `mkdir -p`): the user's own choice, links and all";
const OWN_TEMP = 'a folder this process made itself (mkdtemp) or its parent it made, and what it stages inside it';
const PROC = "the kernel's own files (/proc), not a home's";
const INDEX_DIR =
  'the index folder (LMDB): checked by refuseLinkSync / opened O_NOFOLLOW before lmdb-js opens it by name (it takes no descriptor); its own files made O_EXCL | O_NOFOLLOW';
const ROLLOUT_WRITE =
  "a rollout's own writer: opened O_NOFOLLOW under the file's lock in a folder held by rolloutFolder.ts (holdFolder), or a name it created itself";
const LISTING =
  'lists a folder (readdir/opendir/watch open no file): each entry then opened through adapters/driven/fs, or lstat-checked before use';
const REMOVE =
  'removes, renames or touches a name the engine itself created (temp files, marks, leftovers, stage folders), never read through';
const STATE_DB =
  "SQLite (node:sqlite or better-sqlite3, through adapters/driven/sqlite/) opens Codex's state DB by name (it takes no descriptor): stateDbOf() refuses a link or special file at it and its -wal/-shm/-journal first";
const PLUGIN_CACHE =
  'the plugin cache under CODEX_HOME/plugins/cache: staged in a mkdtemp folder and swapped in by rename (links in a bundle refused at unpack: pluginBundles.int.spec)';
const AGENT_OPENER =
  "another agent's files: opened O_NOFOLLOW | O_NONBLOCK and fstat-ed regular (agentFiles.ts), inside the agent's home (realPathInside)";

const ALLOWED: Readonly<Record<string, { readonly calls: number; readonly why: string }>> = {
  'adapters/driven/analytics/captureSink.ts': { calls: 1, why: USER_CHOICE },
  'adapters/driving/cli/pricingFile.ts': { calls: 1, why: USER_CHOICE },
  'adapters/driving/cli/serveProcess.ts': { calls: 1, why: USER_CHOICE },
  'adapters/driven/codexState/codexThreadState.ts': { calls: 4, why: `${PROC}; ${STATE_DB}; ${REMOVE}` },
  'adapters/driven/codexState/importHistories.ts': { calls: 1, why: STATE_DB },
  'adapters/driven/sqlite/sqliteDb.ts': {
    calls: 2,
    why: `${STATE_DB} (node:sqlite's DatabaseSync, and its ':memory:' one that takes a DB's bytes; better-sqlite3's constructor, loaded by createRequire, opens the same paths or the bytes)`,
  },
  'adapters/driving/composition/codexHomeCheck.ts': { calls: 3, why: `${USER_CHOICE}; ${LISTING}` },
  'adapters/driving/composition/openEventStoreHome.ts': { calls: 1, why: USER_CHOICE },
  'adapters/driven/eventstore/replicaEvents.ts': { calls: 1, why: USER_CHOICE },
  'adapters/driven/externalAgents/agentFiles.ts': { calls: 1, why: AGENT_OPENER },
  'adapters/driven/externalAgents/sessionLayouts.ts': { calls: 1, why: `${LISTING}; ${AGENT_OPENER}` },
  'adapters/driven/jsonl/home/discover.ts': { calls: 2, why: LISTING },
  'adapters/driven/jsonl/home/revisionFiles.ts': { calls: 2, why: LISTING },
  'adapters/driven/jsonl/writers/homeFacts.ts': { calls: 2, why: REMOVE },
  'adapters/driven/jsonl/home/homeWatch.ts': { calls: 3, why: LISTING },
  'adapters/driven/jsonl/home/leftovers.ts': { calls: 4, why: `${LISTING}; ${REMOVE}` },
  'adapters/driven/jsonl/writers/lockedRolloutFile.ts': { calls: 3, why: ROLLOUT_WRITE },
  'adapters/driven/jsonl/writers/rolloutFiles.ts': { calls: 3, why: ROLLOUT_WRITE },
  'adapters/driven/jsonl/home/supersededMark.ts': { calls: 1, why: REMOVE },
  'adapters/driven/jsonl/writers/threadHomeFiles.ts': {
    calls: 4,
    why: `${REMOVE} (archive/unarchive move a rollout between held folders)`,
  },
  'adapters/driven/lmdb/environmentLock.ts': {
    calls: 1,
    why: `${INDEX_DIR}; SQLite opens the environment's lock by name (it takes no descriptor): a link at it is refused first`,
  },
  'adapters/driven/lmdb/indexFolder.ts': { calls: 11, why: INDEX_DIR },
  'adapters/driven/lmdb/indexStore.ts': { calls: 1, why: INDEX_DIR },
  'adapters/driven/lmdb/metaPages.ts': { calls: 1, why: INDEX_DIR },
  'adapters/driven/plugins/pluginBundle.ts': {
    calls: 1,
    why: 'a bundle file read O_NONBLOCK and fstat-ed regular (a FIFO is skipped, never waited on); links followed as Codex follows them in a bundle',
  },
  'adapters/driven/plugins/pluginCache.ts': { calls: 14, why: PLUGIN_CACHE },
  'adapters/driven/plugins/pluginCatalog.ts': { calls: 1, why: LISTING },
  'adapters/driven/plugins/remoteBundleFetcher.ts': { calls: 6, why: OWN_TEMP },
  'adapters/driving/rpc/spawnedUpstream.ts': { calls: 2, why: OWN_TEMP },
  'adapters/driving/rpc/upstream.ts': { calls: 1, why: USER_CHOICE },
  'adapters/driving/rpc/viewerFiles.ts': { calls: 1, why: "the engine's own installed viewer bundle (package files)" },
  'adapters/driving/rpc/webSocketAuth.ts': { calls: 1, why: USER_CHOICE },
  'adapters/driven/system/holdPoint.ts': {
    calls: 1,
    why: "a test seam's file (ROLLOUT_ENGINE_HOLD_AT), created O_EXCL ('wx')",
  },
  'adapters/driven/system/packageRoot.ts': { calls: 1, why: "the engine's own package.json" },
  'adapters/driven/system/processIdentity.ts': { calls: 1, why: PROC },
  'indexer/open/openIndex.ts': { calls: 2, why: INDEX_DIR },
  'indexer/open/rebuildLeftovers.ts': { calls: 1, why: `${LISTING} (the index folder's parent)` },
  'indexer/verify/verifyFindings.ts': { calls: 1, why: REMOVE },
};

const sourceFiles = (): string[] => {
  const out: string[] = [];
  const walk = (rel: string): void => {
    for (const e of readdirSync(path.join(root, rel), { withFileTypes: true })) {
      const child = `${rel}/${e.name}`;
      if (e.isDirectory()) walk(child);
      else if (e.isFile() && child.endsWith('.ts') && !child.endsWith('.d.ts') && !child.endsWith('.spec.ts'))
        out.push(child);
    }
  };
  for (const dir of SOURCE_DIRS) if (existsSync(path.join(root, dir))) walk(dir);
  return out.sort();
};

describe('lint · every file-opening call site goes through adapters/driven/fs/ or is on the reasoned allow-list', () => {
  it('the scanner sees each way of calling an opener (namespace, promises, named and renamed imports, await import of better-sqlite3, node:sqlite, the SQLite port, lmdb open)', () => {
    const source = [
      "import * as fs from 'node:fs';",
      "import * as fsp from 'fs/promises';",
      "import { readFileSync, opendir as listIt, constants } from 'node:fs';",
      "import { promises as pfs } from 'node:fs';",
      "import Database from 'better-sqlite3';",
      "import type Types from 'better-sqlite3';",
      "import { open } from 'lmdb';",
      "import { openSqlite as openDb, openSqliteBytes } from '../sqlite/sqliteDb.js';",
      'export const f = async (p: string) => {',
      '  fs.openSync(p, constants.O_RDONLY);',
      '  fs.promises.readFile(p);',
      '  await fsp.writeFile(p, "");',
      '  readFileSync(p);',
      '  await listIt(p);',
      '  await pfs.mkdir(p);',
      '  new Database(p);',
      "  const { default: Sqlite } = await import('better-sqlite3');",
      '  new Sqlite(p);',
      '  open({ path: p });',
      '  openDb(p); openSqliteBytes(Buffer.alloc(0));',
      "  new sqlite.DatabaseSync(p); new DatabaseSync(':memory:');",
      '  fs.statSync(p); fs.lstatSync(p); fs.existsSync(p);', // looks, not opens
      '};',
    ].join('\n');
    expect(openerSites('x.ts', source).map((s) => `${s.line}:${s.call}`)).to.deep.equal([
      '10:fs.openSync',
      '11:fs.promises.readFile',
      '12:fsp.writeFile',
      '13:readFileSync',
      '14:listIt',
      '15:pfs.mkdir',
      '16:new Database',
      '18:new Sqlite',
      '19:open (lmdb)',
      '20:openDb',
      '21:new DatabaseSync',
      '21:new DatabaseSync',
    ]);
  });

  it('no call site outside adapters/driven/fs/ opens a path by name unless the allow-list gives its file, its count and why', () => {
    const files = sourceFiles();
    const found = new Map<string, string[]>();
    let sites = 0;
    let openerSitesInFs = 0;
    for (const file of files) {
      const s = openerSites(file, readFileSync(path.join(root, file), 'utf8'));
      if (file.startsWith(OPENER_DIR)) {
        openerSitesInFs += s.length;
        continue;
      }
      sites += s.length;
      if (s.length > 0)
        found.set(
          file,
          s.map((x) => `${x.line}:${x.call}`),
        );
    }
    const unexpected = [...found.entries()]
      .filter(([file, s]) => ALLOWED[file]?.calls !== s.length)
      .map(([file, s]) => `${file}: ${s.length} (${s.join(', ')}), allowed ${ALLOWED[file]?.calls ?? 0}`);
    const stale = Object.entries(ALLOWED)
      .filter(([file]) => !found.has(file))
      .map(([file, a]) => `${file}: allowed ${a.calls}, found 0`);
    expect(
      unexpected,
      'call sites opening by name outside adapters/driven/fs/ (go through adapters/driven/fs/, or allow-list the file with its count and why)',
    ).to.deep.equal([]);
    expect(stale, 'allow-list entries with no call site left (remove them)').to.deep.equal([]);
    for (const [file, a] of Object.entries(ALLOWED)) expect(a.why.trim(), file).to.not.equal('');
    // The figures of the walk (what the allow-list stands for), for the record.
    console.log(
      `  file openers: ${files.length} source files walked, ${sites} call sites in ${found.size} files outside ${OPENER_DIR} (all allow-listed), ${openerSitesInFs} inside it`,
    );
    expect(files.length).to.be.above(100);
  });
});
