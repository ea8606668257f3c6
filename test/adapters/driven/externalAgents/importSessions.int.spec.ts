// `rollout-engine import claude` on real files: Codex's ledger (re-import, a changed source, a
// record Codex wrote), concurrent imports from two processes, and bad lines.
import { expect } from 'chai';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { engineJson, runEngineCli } from '../../../compat/engineCli.js';
import { assistantRows, rolloutsOf, text, userRow, writeClaudeSession } from '../../../fixtures/claudeSessions.js';

interface Outcome {
  readonly status: string;
  readonly source: string;
  readonly threadId?: string;
  readonly reason?: string;
  readonly report?: {
    badLines: number;
    badLineSamples: Array<{ line: number; reason: string }>;
    duplicateRows: number;
  };
}

describe('rollout-engine import claude (int)', function () {
  this.timeout(120_000);
  let root: string;
  let claudeHome: string;
  let project: string;

  const importWith = async (codexHome: string, ...extra: string[]): Promise<Outcome[]> => {
    const r = engineJson(
      await runEngineCli(
        ['import', 'claude', '--from', claudeHome, '--codex-home', codexHome, '--json', ...extra],
        60_000,
      ),
    );
    if (!r.ok) throw new Error(r.problem);
    return (r.value as { sessions: Outcome[] }).sessions;
  };
  const newHome = (name: string): string => {
    const home = join(root, name);
    // A Codex home: its sessions/, as Codex makes it at its first session.
    mkdirSync(join(home, 'sessions'), { recursive: true });
    return home;
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'rollout-engine-import-'));
    claudeHome = join(root, 'claude');
    project = join(root, 'project');
    mkdirSync(project, { recursive: true });
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('a re-import creates nothing; a changed source is detected again and imported as a new thread', async () => {
    const session = writeClaudeSession(claudeHome, project, 's1', [
      userRow(project, 'first'),
      ...assistantRows(project, [text('one')]),
    ]);
    const home = newHome('home');
    const first = await importWith(home);
    expect(first.map((o) => o.status)).to.deep.equal(['imported']);
    expect(await importWith(home)).to.deep.equal([]);
    expect((await importWith(home, '--session', session)).map((o) => [o.status, o.reason])).to.deep.equal([
      ['skipped', 'alreadyImported'],
    ]);
    expect(rolloutsOf(home)).to.have.length(1);

    appendFileSync(session, `${JSON.stringify(userRow(project, 'second'))}\n`);
    const later = new Date(Date.now() + 5_000);
    utimesSync(session, later, later);
    const again = await importWith(home);
    expect(again.map((o) => o.status)).to.deep.equal(['imported']);
    expect(again[0]!.threadId).to.not.equal(first[0]!.threadId);
    expect(rolloutsOf(home)).to.have.length(2);
    const ledger = JSON.parse(readFileSync(join(home, 'external_agent_session_imports.json'), 'utf8')) as {
      records: Array<{ imported_thread_id: string }>;
    };
    expect(ledger.records.map((r) => r.imported_thread_id)).to.deep.equal([first[0]!.threadId, again[0]!.threadId]);
  });

  it('the threads record the Codex version the command speaks (--codex-version, else ROLLOUT_ENGINE_CODEX_VERSION) as cli_version; one not spoken is refused', async () => {
    writeClaudeSession(claudeHome, project, 's1', [
      userRow(project, 'first'),
      ...assistantRows(project, [text('one')]),
    ]);
    const cliVersionOf = (home: string): unknown[] =>
      rolloutsOf(home).map(
        (f) =>
          (JSON.parse(readFileSync(f, 'utf8').split('\n')[0]!) as { payload: { cli_version: unknown } }).payload
            .cli_version,
      );
    const at171 = newHome('at171');
    await importWith(at171, '--codex-version', '0.171.0');
    expect(cliVersionOf(at171)).to.deep.equal(['0.171.0']);
    // The test hooks set ROLLOUT_ENGINE_CODEX_VERSION for every child (0.169.0 unless a compat run names another).
    const byEnv = newHome('by-env');
    await importWith(byEnv);
    expect(cliVersionOf(byEnv)).to.deep.equal([process.env['ROLLOUT_ENGINE_CODEX_VERSION']]);
    const refused = engineJson(
      await runEngineCli(
        [
          'import',
          'claude',
          '--from',
          claudeHome,
          '--codex-home',
          newHome('refused'),
          '--json',
          '--codex-version',
          '0.170.0',
        ],
        60_000,
      ),
    );
    expect(refused.ok).to.equal(false);
    expect(rolloutsOf(join(root, 'refused'))).to.deep.equal([]);
  });

  it("honours a record Codex wrote (nanosecond times kept digit for digit, unknown fields kept) and Codex's format for ours", async () => {
    const session = writeClaudeSession(claudeHome, project, 's1', [
      userRow(project, 'by codex'),
      ...assistantRows(project, [text('ok')]),
    ]);
    const other = writeClaudeSession(claudeHome, project, 's2', [userRow(project, 'by us')]);
    const home = newHome('home');
    const codexRecord = {
      source_path: session,
      content_sha256: createHash('sha256').update(readFileSync(session)).digest('hex'),
      imported_thread_id: '01a20515-a93d-7b33-93e4-7d213068999c',
      imported_at: 1795381635,
      source_modified_at: '<nanos>',
      connector_names: ['github'],
      title: 'by codex',
      future_field: { kept: true },
    };
    // The file's own mtime, as Codex records it: detection skips the file without reading it.
    const nanos = statSync(session, { bigint: true }).mtimeNs.toString();
    writeFileSync(
      join(home, 'external_agent_session_imports.json'),
      JSON.stringify({ records: [codexRecord], detected_connector_records: [] }, null, 2).replace('"<nanos>"', nanos),
    );
    const outcomes = await importWith(home);
    expect(outcomes.map((o) => [o.source, o.status])).to.deep.equal([[other, 'imported']]);
    const stored = readFileSync(join(home, 'external_agent_session_imports.json'), 'utf8');
    expect(stored).to.include(`"source_modified_at": ${nanos},`);
    const ledger = JSON.parse(stored) as {
      records: Array<Record<string, unknown>>;
      detected_connector_records: unknown[];
    };
    expect(ledger.records[0]).to.deep.include({ connector_names: ['github'], future_field: { kept: true } });
    expect(Object.keys(ledger.records[1]!)).to.deep.equal([
      'source_path',
      'content_sha256',
      'imported_thread_id',
      'imported_at',
      'source_modified_at',
      'connector_names',
      'title',
    ]);
    expect(ledger.records[1]).to.deep.include({
      source_path: other,
      imported_thread_id: outcomes[0]!.threadId,
      title: 'by us',
    });
    expect(String(ledger.records[1]!['source_modified_at'])).to.match(/^\d{19}$/);
  });

  it("sessions are offered in Codex's order: newest first, one mtime by path ascending, and the cut keeps the head", async () => {
    // Files written in one clock tick share their mtime: set here, so the tie does not hang on timing.
    const write = (name: string) =>
      writeClaudeSession(claudeHome, project, name, [userRow(project, name), ...assistantRows(project, [text('a')])]);
    const [b, c, a, newest] = [write('b-tied'), write('c-tied'), write('a-tied'), write('z-newest')];
    const tick = new Date(Date.now() - 60_000);
    for (const path of [b, c, a]) utimesSync(path, tick, tick);
    utimesSync(newest, new Date(tick.getTime() + 1_000), new Date(tick.getTime() + 1_000));
    const home = newHome('home');
    const sources = (outcomes: Outcome[]) => outcomes.map((o) => o.source);
    expect(sources(await importWith(home, '--dry-run'))).to.deep.equal([newest, a, b, c]);
    expect(sources(await importWith(home, '--dry-run', '--max-sessions', '3'))).to.deep.equal([newest, a, b]);
  });

  it('two imports at once (two processes) make one thread per session', async () => {
    for (let i = 0; i < 3; i++)
      writeClaudeSession(claudeHome, project, `s${i}`, [
        userRow(project, `q${i}`),
        ...assistantRows(project, [text(`a${i}`)]),
      ]);
    const home = newHome('home');
    const [a, b] = await Promise.all([importWith(home), importWith(home)]);
    const imported = [...a, ...b].filter((o) => o.status === 'imported');
    expect(imported).to.have.length(3);
    expect(new Set(imported.map((o) => o.source)).size).to.equal(3);
    expect(rolloutsOf(home)).to.have.length(3);
  });

  it('a bad line (invalid UTF-8, broken JSON, a lone surrogate) is counted and reported, never fatal; a missing cwd is skipped', async () => {
    const session = writeClaudeSession(claudeHome, project, 'bad', [
      userRow(project, 'before'),
      '{"type":"assistant","message":',
      `{"type":"user","cwd":"${project}","message":{"content":"\\udc00"}}`,
      ...assistantRows(project, [text('after')]),
    ]);
    appendFileSync(
      session,
      Buffer.concat([
        Buffer.from('{"type":"user","message":{"content":"'),
        Buffer.from([0xff, 0xfe]),
        Buffer.from('"}}\n'),
      ]),
    );
    appendFileSync(session, `${JSON.stringify(userRow(project, 'last'))}\n`);
    writeClaudeSession(claudeHome, join(root, 'gone'), 'nocwd', [userRow(join(root, 'gone'), 'where?')]);
    const home = newHome('home');
    const outcomes = await importWith(
      home,
      '--session',
      session,
      '--session',
      join(claudeHome, 'projects', '-' + join(root, 'gone').slice(1).replace(/[/.]/g, '-'), 'nocwd.jsonl'),
    );
    expect(outcomes.map((o) => [o.status, o.reason])).to.deep.equal([
      ['imported', undefined],
      ['skipped', 'cwdMissing'],
    ]);
    expect(outcomes[0]!.report!.badLines).to.equal(3);
    expect(outcomes[0]!.report!.badLineSamples.map((s) => s.line)).to.deep.equal([2, 3, 5]);
    const lines = readFileSync(rolloutsOf(home)[0]!, 'utf8');
    expect(lines).to.include('"after"').and.to.include('"last"');
  });

  it('a session without a user message is skipped and leaves no file behind (dry run and import alike)', async () => {
    const session = writeClaudeSession(claudeHome, project, 'replies', [
      ...assistantRows(project, [text('no question was asked')]),
    ]);
    const home = newHome('home');
    expect((await importWith(home, '--session', session, '--dry-run')).map((o) => [o.status, o.reason])).to.deep.equal([
      ['skipped', 'noConversation'],
    ]);
    expect((await importWith(home, '--session', session)).map((o) => [o.status, o.reason])).to.deep.equal([
      ['skipped', 'noConversation'],
    ]);
    expect(rolloutsOf(home)).to.deep.equal([]);
    const sessionsDir = join(home, 'sessions');
    const leftovers = existsSync(sessionsDir)
      ? readdirSync(sessionsDir, { recursive: true }).filter((n) => String(n).endsWith('.tmp'))
      : [];
    expect(leftovers).to.deep.equal([]);
  });
});
