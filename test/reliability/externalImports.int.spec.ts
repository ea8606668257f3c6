// Issue 39 (item 9), other agents' files as an adversary leaves them: a FIFO named like a Claude
// Code session (whose blocking open never returned: `import claude` hung, and six
// `externalAgentConfig/detect` calls held every libuv pool thread of `serve`), and a session file
// or a project folder linked out of the Claude home (followed and imported). Only regular files
// inside the Claude home are read; the others are reported as refused.
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as nodePath from 'node:path';
import { EXIT } from '../../adapters/driving/cli/exitCodes.js';
import { engineJson, runEngineCli } from '../compat/engineCli.js';
import { openImportServer } from '../compat/externalAgentServe.js';
import type { ImportServer } from '../compat/externalAgentServe.js';
import {
  assistantRows,
  encodedCwd,
  rolloutsOf,
  text,
  userRow,
  writeClaudeSession,
} from '../fixtures/claudeSessions.js';
import { reportArea } from './areaSummary.js';

const SECRET = 'SECRET-OUTSIDE-THE-CLAUDE-HOME-51c9';

const figures = { trials: 0, imported: 0, refused: 0, hangs: 0, escapes: 0, outsideWrites: 0 };

interface Outcome {
  readonly status: string;
  readonly source: string;
  readonly reason?: string;
}

const mkfifo = (path: string): void => {
  fs.mkdirSync(nodePath.dirname(path), { recursive: true });
  execFileSync('mkfifo', [path]);
};

/** The answer, or undefined when none came within the time. */
const within = <A>(answer: Promise<A>, ms: number): Promise<A | undefined> =>
  Promise.race([answer, new Promise<undefined>((resolve) => setTimeout(() => resolve(undefined), ms).unref())]);

type ImportResults = ReadonlyArray<{ itemType: string; successes: unknown[]; failures: Array<{ message: string }> }>;

/**
 * The results of import `importId`, once serve tells it complete (`externalAgentConfig/import/completed`,
 * sent after every item is done): what the import wrote is all it will write.
 */
const completedImport = async (server: ImportServer, importId: string): Promise<ImportResults> => {
  for (
    const deadline = Date.now() + 15_000;
    Date.now() < deadline;
    await new Promise((resolve) => setTimeout(resolve, 20))
  ) {
    const n = server.client.notifications.find(
      (m) =>
        m.method === 'externalAgentConfig/import/completed' && (m.params as { importId: string }).importId === importId,
    );
    if (n !== undefined) return (n.params as { itemTypeResults: ImportResults }).itemTypeResults;
  }
  throw new Error(`import ${importId} was not told complete within 15 s`);
};

/** A session of one exchange, as Claude Code writes it. */
const sessionRows = (cwd: string, said: string): Array<Record<string, unknown>> => [
  userRow(cwd, said),
  ...assistantRows(cwd, [text(`answer to ${said}`)]),
];

describe('reliability · external imports (FIFOs and links in the Claude home)', function () {
  this.timeout(120_000);
  let root: string;
  let claudeHome: string;
  let project: string;
  let codexHome: string;

  beforeEach(() => {
    root = fs.mkdtempSync(nodePath.join(tmpdir(), 'rollout-engine-external-'));
    claudeHome = nodePath.join(root, 'user', '.claude');
    project = nodePath.join(root, 'project');
    codexHome = nodePath.join(root, 'codex');
    fs.mkdirSync(project, { recursive: true });
    // A Codex home: its sessions/, as Codex makes it at its first session.
    fs.mkdirSync(nodePath.join(codexHome, 'sessions'), { recursive: true });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));
  after(() => reportArea('external imports', figures));

  const importClaude = async (): Promise<{ sessions: Outcome[]; timedOut: boolean }> => {
    figures.trials += 1;
    const run = await runEngineCli(
      ['import', 'claude', '--from', claudeHome, '--codex-home', codexHome, '--json'],
      30_000,
    );
    if (run.timedOut) {
      figures.hangs += 1;
      return { sessions: [], timedOut: true };
    }
    const answer = engineJson(run);
    if (!answer.ok) throw new Error(answer.problem);
    const sessions = (answer.value as { sessions: Outcome[] }).sessions;
    figures.imported += sessions.filter((o) => o.status === 'imported').length;
    figures.refused += sessions.filter((o) => o.status === 'refused').length;
    return { sessions, timedOut: false };
  };

  it('a FIFO named like a session: the import finishes, imports the others and reports it refused', async () => {
    const good = writeClaudeSession(claudeHome, project, 'good', sessionRows(project, 'hello'));
    const fifo = nodePath.join(nodePath.dirname(good), 'blocked.jsonl');
    mkfifo(fifo);
    const { sessions, timedOut } = await importClaude();
    expect(timedOut, 'import claude hung on the FIFO').to.equal(false);
    expect(sessions.map((o) => [o.status, o.source])).to.have.deep.members([
      ['refused', fifo],
      ['imported', fs.realpathSync(good)],
    ]);
    expect(sessions.find((o) => o.status === 'refused')?.reason).to.match(/not a regular file/);
    // Named on the command line, it is refused too (a failed session), never waited on.
    const named = await runEngineCli(
      ['import', 'claude', '--from', claudeHome, '--codex-home', codexHome, '--json', '--session', fifo],
      30_000,
    );
    if (named.timedOut) figures.hangs += 1;
    expect(named.timedOut, 'import claude --session <fifo> hung').to.equal(false);
    // The answer lists it, and the command fails as its error does (a script sees it did not import).
    expect(named.exitCode, named.stderr).to.equal(EXIT.badRequest);
    const { sessions: answered } = JSON.parse(named.stdout) as { sessions: Outcome[] };
    expect(answered.map((o) => o.status)).to.deep.equal(['failed']);
  });

  it('six concurrent externalAgentConfig/detect calls over a folder of FIFOs: serve still answers thread/list', async () => {
    const userHome = nodePath.dirname(claudeHome);
    writeClaudeSession(claudeHome, project, 'good', sessionRows(project, 'hello'));
    for (let i = 0; i < 6; i++) mkfifo(nodePath.join(claudeHome, 'projects', encodedCwd(project), `fifo-${i}.jsonl`));
    const server = await openImportServer(codexHome, userHome);
    try {
      const detects = Array.from({ length: 6 }, () =>
        within(server.client.request('externalAgentConfig/detect', { includeHome: true }), 15_000),
      );
      // A list asked while the six are under way, each bounded alike: a detection whose FIFO open
      // blocked (the bug: a pool thread held each) leaves the list, or itself, unanswered, whatever
      // the moment (the FIFOs are never opened for writing). No pause decides when the list goes.
      const listed = await within(server.ask('thread/list', {}), 15_000);
      figures.trials += 1;
      if (listed === undefined) figures.hangs += 1;
      expect(listed, 'serve did not answer thread/list within 15 s').to.not.equal(undefined);
      const results = await Promise.all(detects);
      figures.hangs += results.filter((r) => r === undefined).length;
      for (const r of results) {
        expect(r, 'a detect call did not answer within 15 s').to.have.property('result');
        const items = (
          r as { result: { items: Array<{ itemType: string; details: { sessions: Array<{ path: string }> } | null }> } }
        ).result.items;
        const offered = items
          .filter((i) => i.itemType === 'SESSIONS')
          .flatMap((i) => i.details?.sessions.map((s) => s.path) ?? []);
        expect(offered.map((p) => nodePath.basename(p))).to.deep.equal(['good.jsonl']);
      }
    } finally {
      await server.client.close();
    }
  });

  it('a CLAUDE.md and a command linked out of the Claude home are not read by externalAgentConfig detect or import', async () => {
    const outside = nodePath.join(root, 'outside');
    fs.mkdirSync(outside, { recursive: true });
    fs.writeFileSync(nodePath.join(outside, 'secret.md'), `# ${SECRET}\n`);
    fs.mkdirSync(nodePath.join(claudeHome, 'commands'), { recursive: true });
    fs.symlinkSync(nodePath.join(outside, 'secret.md'), nodePath.join(claudeHome, 'CLAUDE.md'));
    fs.symlinkSync(nodePath.join(outside, 'secret.md'), nodePath.join(claudeHome, 'commands', 'leak.md'));
    const server = await openImportServer(codexHome, nodePath.dirname(claudeHome));
    try {
      figures.trials += 1;
      const detected = (await server.ask('externalAgentConfig/detect', { includeHome: true })) as {
        items: Array<{ itemType: string }>;
      };
      const offered = detected.items.map((i) => i.itemType);
      const items = ['AGENTS_MD', 'COMMANDS'].map((itemType) => ({ itemType, description: 'x', cwd: null }));
      const { importId } = await server.ask('externalAgentConfig/import', { migrationItems: items });
      const results = await completedImport(server, importId);
      // Nothing found to import (the links are not followed), so nothing imported and nothing failed.
      expect(results, 'items imported from links out of the Claude home').to.deep.equal([
        { itemType: 'AGENTS_MD', successes: [], failures: [] },
        { itemType: 'COMMANDS', successes: [], failures: [] },
      ]);
      const written = [nodePath.join(codexHome, 'AGENTS.md'), nodePath.join(root, 'user', '.agents')].filter((p) =>
        fs.existsSync(p),
      );
      const leaked = written.some((p) =>
        (fs.statSync(p).isFile()
          ? fs.readFileSync(p, 'utf8')
          : JSON.stringify(fs.readdirSync(p, { recursive: true }))
        ).includes(SECRET),
      );
      if (leaked || offered.includes('AGENTS_MD')) figures.escapes += 1;
      expect(offered, 'items offered from links out of the Claude home').to.not.include.members(['AGENTS_MD']);
      expect(written, 'files the import wrote from links out of the Claude home').to.deep.equal([]);
    } finally {
      await server.client.close();
    }
  });

  it('a session file and a project folder linked out of the Claude home are not read', async () => {
    const outside = nodePath.join(root, 'outside');
    // The outside files: a session, and a project folder holding one, both carrying the secret.
    const outsideSession = nodePath.join(outside, 'session.jsonl');
    fs.mkdirSync(nodePath.join(outside, 'project'), { recursive: true });
    const rows = sessionRows(project, SECRET);
    fs.writeFileSync(outsideSession, rows.map((r) => JSON.stringify(r)).join('\n') + '\n');
    fs.writeFileSync(
      nodePath.join(outside, 'project', 'linked.jsonl'),
      rows.map((r) => JSON.stringify(r)).join('\n') + '\n',
    );
    const before = new Map(
      [outsideSession, nodePath.join(outside, 'project', 'linked.jsonl')].map((p) => [p, fs.readFileSync(p)] as const),
    );
    const good = writeClaudeSession(claudeHome, project, 'good', sessionRows(project, 'hello'));
    const linkedFile = nodePath.join(nodePath.dirname(good), 'linked-file.jsonl');
    fs.symlinkSync(outsideSession, linkedFile);
    const linkedFolder = nodePath.join(claudeHome, 'projects', `${encodedCwd(project)}-linked`);
    fs.symlinkSync(nodePath.join(outside, 'project'), linkedFolder);
    // A link inside the Claude home stays a session of it.
    const inside = nodePath.join(nodePath.dirname(good), 'inside-link.jsonl');
    fs.mkdirSync(nodePath.join(claudeHome, 'kept'), { recursive: true });
    const keptTarget = nodePath.join(claudeHome, 'kept', 'target.jsonl');
    fs.writeFileSync(
      keptTarget,
      sessionRows(project, 'inside')
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n',
    );
    fs.symlinkSync(keptTarget, inside);

    const { sessions } = await importClaude();
    const refused = sessions.filter((o) => o.status === 'refused').map((o) => o.source);
    expect(refused).to.have.members([linkedFile, linkedFolder]);
    expect(sessions.filter((o) => o.status === 'imported').map((o) => o.source)).to.have.members([
      fs.realpathSync(good),
      keptTarget,
    ]);
    for (const rollout of rolloutsOf(codexHome)) {
      const leaked = fs.readFileSync(rollout, 'utf8').includes(SECRET);
      if (leaked) figures.escapes += 1;
      expect(leaked, `${rollout} holds the outside file's text`).to.equal(false);
    }
    for (const [path, bytes] of before) {
      const same = fs.readFileSync(path).equals(bytes);
      if (!same) figures.outsideWrites += 1;
      expect(same, `${path} changed`).to.equal(true);
    }
  });

  // Issue 68 (finding 1): the sources' folders were followed (each file opened O_NOFOLLOW, not the
  // folder above it), so a repository whose `.claude/skills` (or `.claude`) led to another user's
  // 0700 folder had its files copied into `<repo>/.agents/skills/` 0644, an `id_rsa` among them.
  it("a repository's .claude/skills, or its .claude, linked to another user's folder: nothing of it is offered, read or copied", async () => {
    const victim = nodePath.join(root, 'victim');
    // A marker the import's rewriting of Claude's terms leaves as it is.
    const VICTIM = 'VICTIM-KEY-8d2e';
    const write = (path: string, text: string, mode = 0o644): void => {
      fs.mkdirSync(nodePath.dirname(path), { recursive: true, mode: 0o700 });
      fs.writeFileSync(path, text, { mode });
    };
    // Another user's home, 0700: a key, and what a `.claude` holds (each carrying the secret).
    write(nodePath.join(victim, '.ssh', 'id_rsa'), `-----BEGIN ${VICTIM}-----\n`, 0o600);
    write(nodePath.join(victim, '.claude', 'CLAUDE.md'), `# ${VICTIM}\n`);
    write(
      nodePath.join(victim, '.claude', 'skills', 'deploy', 'SKILL.md'),
      `---\nname: deploy\ndescription: ${VICTIM}\n---\n${VICTIM}\n`,
    );
    write(nodePath.join(victim, '.claude', 'commands', 'leak.md'), `---\ndescription: ${VICTIM}\n---\n${VICTIM}\n`);
    write(
      nodePath.join(victim, '.claude', 'agents', 'spy.md'),
      `---\nname: spy\ndescription: ${VICTIM}\n---\n${VICTIM}\n`,
    );
    fs.chmodSync(victim, 0o700);
    // Two repositories: one's `.claude/skills` is the victim's home, the other's `.claude` the victim's.
    const skillsRepo = nodePath.join(root, 'skills-repo');
    const claudeRepo = nodePath.join(root, 'claude-repo');
    for (const repo of [skillsRepo, claudeRepo])
      fs.mkdirSync(nodePath.join(repo, '.git'), { recursive: true, mode: 0o777 });
    fs.mkdirSync(nodePath.join(skillsRepo, '.claude'));
    fs.symlinkSync(victim, nodePath.join(skillsRepo, '.claude', 'skills'));
    fs.symlinkSync(nodePath.join(victim, '.claude'), nodePath.join(claudeRepo, '.claude'));
    const victimFiles = (fs.readdirSync(victim, { recursive: true }) as string[])
      .filter((p) => fs.statSync(nodePath.join(victim, p)).isFile())
      .sort();
    const before = new Map(victimFiles.map((p) => [p, fs.readFileSync(nodePath.join(victim, p))] as const));
    /** The files below a repository that hold the victim's marker (copied out of the victim's folder). */
    const leakedInto = (repo: string): string[] =>
      (fs.readdirSync(repo, { recursive: true }) as string[])
        .filter((p) => !p.startsWith('.claude') && !p.startsWith('.git'))
        .filter(
          (p) =>
            fs.lstatSync(nodePath.join(repo, p)).isFile() &&
            fs.readFileSync(nodePath.join(repo, p), 'utf8').includes(VICTIM),
        );

    const server = await openImportServer(codexHome, nodePath.dirname(claudeHome));
    try {
      figures.trials += 1;
      const detected = (await server.ask('externalAgentConfig/detect', {
        includeHome: false,
        cwds: [skillsRepo, claudeRepo],
      })) as { items: unknown[] };
      const items = [skillsRepo, claudeRepo].flatMap((cwd) =>
        ['AGENTS_MD', 'SKILLS', 'COMMANDS', 'SUBAGENTS'].map((itemType) => ({ itemType, description: 'x', cwd })),
      );
      const { importId } = await server.ask('externalAgentConfig/import', { migrationItems: items });
      const results = await completedImport(server, importId);
      const leaked = [...leakedInto(skillsRepo), ...leakedInto(claudeRepo)];
      figures.escapes += leaked.length;
      expect(leaked, "the victim's files copied into the repositories").to.deep.equal([]);
      expect(JSON.stringify(detected), 'detection shows what is behind the links').to.not.include(VICTIM);
      expect(JSON.stringify(detected.items), 'items offered from behind the links').to.equal('[]');
      // No success; each item whose source folder is reached through a link fails naming it (the
      // skills of the first repository; skills, commands and subagents of the second, whose `.claude` is
      // the link; its CLAUDE.md, a file below the link, is not found, as a missing one).
      expect(results.flatMap((r) => r.successes)).to.deep.equal([]);
      const failures = results.flatMap((r) => r.failures.map((f) => `${r.itemType}: ${f.message}`));
      figures.refused += failures.length;
      expect(failures).to.have.length(4);
      for (const [item, link] of [
        ['SKILLS', nodePath.join(skillsRepo, '.claude', 'skills')],
        ['SKILLS', nodePath.join(claudeRepo, '.claude')],
        ['COMMANDS', nodePath.join(claudeRepo, '.claude')],
        ['SUBAGENTS', nodePath.join(claudeRepo, '.claude')],
      ] as const)
        expect(
          failures.some((f) => f.startsWith(`${item}: `) && f.includes(`${link} is a symbolic link`)),
          `${item} fails naming ${link}: ${failures.join(' | ')}`,
        ).to.equal(true);
      for (const [p, bytes] of before) {
        const same = fs.readFileSync(nodePath.join(victim, p)).equals(bytes);
        if (!same) figures.outsideWrites += 1;
        expect(same, `${p} changed`).to.equal(true);
      }
    } finally {
      await server.client.close();
    }
  });

  it('links a repository planted at AGENTS.md, .codex and .agents: the import writes nothing outside it, each item that would write through one fails naming it', async () => {
    const repo = nodePath.join(root, 'repo');
    const outside = nodePath.join(root, 'outside');
    fs.mkdirSync(nodePath.join(repo, '.git'), { recursive: true });
    fs.mkdirSync(nodePath.join(outside, 'agents-dir'), { recursive: true });
    fs.mkdirSync(nodePath.join(outside, 'skills-dir'), { recursive: true });
    fs.writeFileSync(nodePath.join(repo, 'CLAUDE.md'), `# ${SECRET}\nAsk Claude.\n`);
    const write = (path: string, text: string): void => {
      fs.mkdirSync(nodePath.dirname(path), { recursive: true });
      fs.writeFileSync(path, text);
    };
    write(
      nodePath.join(repo, '.claude', 'agents', 'tester.md'),
      '---\nname: tester\ndescription: Writes tests\n---\nWrite the tests first.\n',
    );
    write(
      nodePath.join(repo, '.claude', 'skills', 'lint', 'SKILL.md'),
      '---\nname: lint\ndescription: Lint\n---\nRun the linter.\n',
    );
    write(nodePath.join(repo, '.claude', 'commands', 'ship.md'), '---\ndescription: Ship it\n---\nBuild, test, tag.\n');
    // The repository's links: a dangling AGENTS.md (the file it names would be created), `.codex`
    // and `.agents` leading to folders outside it.
    const agentsMd = nodePath.join(repo, 'AGENTS.md');
    fs.symlinkSync(nodePath.join(outside, 'created-by-import.md'), agentsMd);
    fs.symlinkSync(nodePath.join(outside, 'agents-dir'), nodePath.join(repo, '.codex'));
    fs.symlinkSync(nodePath.join(outside, 'skills-dir'), nodePath.join(repo, '.agents'));
    const listing = (): string[] => (fs.readdirSync(outside, { recursive: true }) as string[]).sort();
    const before = listing();

    const server = await openImportServer(codexHome, nodePath.dirname(claudeHome));
    try {
      figures.trials += 1;
      const detected = await server.ask('externalAgentConfig/detect', { includeHome: false, cwds: [repo] });
      const items = ['AGENTS_MD', 'SUBAGENTS', 'SKILLS', 'COMMANDS'].map((itemType) => ({
        itemType,
        description: 'x',
        cwd: repo,
      }));
      const { importId } = await server.ask('externalAgentConfig/import', { migrationItems: items });
      const results = await completedImport(server, importId);
      const after = listing();
      if (JSON.stringify(after) !== JSON.stringify(before)) figures.outsideWrites += 1;
      expect(after, 'files the import created outside the repository').to.deep.equal(before);
      expect(fs.lstatSync(agentsMd).isSymbolicLink(), 'AGENTS.md replaced').to.equal(true);
      // As Codex 0.169.0 detects (looking without following): a link at AGENTS.md is no missing
      // target, a target reached through a link is not offered; it offers nothing here.
      expect(detected.items.map((i) => i.itemType)).to.deep.equal([]);
      const failures = Object.fromEntries(results.map((r) => [r.itemType, r.failures.map((f) => f.message)]));
      expect(results.flatMap((r) => r.successes)).to.deep.equal([]);
      expect(failures['SUBAGENTS']).to.have.length(1);
      expect(failures['SUBAGENTS']![0])
        .to.include(nodePath.join(repo, '.codex'))
        .and.match(/symbolic link/);
      for (const item of ['SKILLS', 'COMMANDS']) {
        expect(failures[item], item).to.have.length(1);
        expect(failures[item]![0], item)
          .to.include(nodePath.join(repo, '.agents'))
          .and.match(/symbolic link/);
      }
      figures.refused += 3;
    } finally {
      await server.client.close();
    }
  });
});
