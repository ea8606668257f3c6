// Claude Code's instructions (CLAUDE.md), skills, commands and subagents migrated by
// `externalAgentConfig/detect` and `…/import` (items AGENTS_MD, SKILLS, COMMANDS and SUBAGENTS): the same Claude home (made here) and two copies of one
// repository, one migrated by the real `codex app-server`, the other by `rollout-engine serve`.
// Detect answers, the notifications and the files written must be equal, normalising only which
// side's paths they name and the import's id.
import { expect } from 'chai';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { ResultOf } from '../../protocol/methods.js';
import { AppServer, stopAllAppServers, writeCodexConfig } from './appServer.js';
import { describeDifferences, jsonDifferences } from './jsonDifferences.js';
import { freshRoot } from './mutationHarness.js';
import { openImportServer } from './externalAgentServe.js';

const write = (path: string, text: string): void => {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, text);
};

/** A repository as a user has it: CLAUDE.md at its root and in .claude/ (the root's wins), two skills, a sub-folder to start from. */
const writeRepo = (repo: string): void => {
  mkdirSync(join(repo, '.git'), { recursive: true });
  mkdirSync(join(repo, 'src', 'deep'), { recursive: true });
  write(
    join(repo, 'CLAUDE.md'),
    '# Working on this repo with Claude Code\n\nRun `npm test` before asking claude-code to commit. See CLAUDE.md files below.\n',
  );
  write(join(repo, '.claude', 'CLAUDE.md'), 'not this one: the root CLAUDE.md wins\n');
  write(
    join(repo, '.claude', 'skills', 'lint', 'SKILL.md'),
    '---\nname: lint\ndescription: Lint like Claude\n---\nRun the linter; CLAUDE_CODE users know.\n',
  );
  write(
    join(repo, '.claude', 'skills', 'release', 'SKILL.md'),
    '---\nname: release\ndescription: Cut a release\n---\nTag, then tell Claude.\n',
  );
  write(join(repo, '.claude', 'skills', 'release', 'scripts', 'tag.sh'), '#!/bin/sh\necho claude\n');
  write(
    join(repo, '.claude', 'commands', 'ship.md'),
    '---\ndescription: Ship it the Claude way\n---\nBuild, test, tag.\n',
  );
  write(
    join(repo, '.claude', 'agents', 'tester.md'),
    '---\nname: tester\ndescription: Writes tests\npermissionMode: acceptEdits\n---\nWrite the tests first.\n',
  );
};

/** Every file under `dir` (relative path → text), and the empty folders. */
const treeOf = (dir: string): Record<string, string> => {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    const entries = readdirSync(d);
    if (entries.length === 0) out[`${relative(dir, d)}/`] = '';
    for (const name of entries) {
      const p = join(d, name);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, 'utf8');
    }
  };
  if (existsSync(dir)) walk(dir);
  return out;
};

describe("Claude Code's CLAUDE.md, skills, commands and subagents: externalAgentConfig detect and import against codex app-server (compat)", function () {
  this.timeout(240_000);
  let root: string;
  let userHome: string;

  before(() => {
    root = freshRoot();
    userHome = join(root, 'user');
    const claude = join(userHome, '.claude');
    write(
      join(claude, 'CLAUDE.md'),
      '# Rules for Claude\nUse claude-code style. See CLAUDE.md and claude.md; notclaude stays; Claude_Code goes.\n',
    );
    write(
      join(claude, 'skills', 'review-pr', 'SKILL.md'),
      '---\nname: review-pr\ndescription: Review a PR the way Claude Code does\n---\nAsk Claude to review.\n',
    );
    write(join(claude, 'skills', 'review-pr', 'notes.txt'), 'claude stays here: not a SKILL.md\n');
    write(
      join(claude, 'skills', 'changelog', 'skill.md'),
      '---\nname: changelog\ndescription: Claude writes it\n---\n',
    );
    mkdirSync(join(claude, 'skills', 'empty-skill'), { recursive: true });
    write(join(claude, 'skills', 'not-a-skill.md'), 'a file, not a folder: not migrated\n');
    // Commands: with and without frontmatter, nested, an odd name, an empty body; and those Codex leaves
    // (arguments, a shell escape, a file reference, a README, two making the same skill).
    const commands = join(claude, 'commands');
    write(
      join(commands, 'review.md'),
      '---\ndescription: Review the diff like Claude\nallowed-tools: Bash\n---\n\nReview the current diff. Ask claude.\n',
    );
    write(join(commands, 'nodesc.md'), 'Just do the thing with "quotes" and \\backslash.\n');
    write(join(commands, 'git', 'commit.md'), '---\ndescription: "Commit: \\"staged\\""\n---\nCommit staged changes\n');
    write(join(commands, 'Weird Name!.md'), '---\ndescription: weird\nlist: [a, b]\n---\nbody\n');
    write(join(commands, 'empty.md'), '---\ndescription: empty body\n---\n');
    write(join(commands, 'args.md'), '---\ndescription: With args\n---\nFix issue $ARGUMENTS\n');
    write(join(commands, 'shell.md'), 'Run !`git status` first\n');
    write(join(commands, 'ref.md'), 'Read @src/index.ts\n');
    write(join(commands, 'README.md'), '---\ndescription: readme\n---\nnot a command\n');
    write(join(commands, 'a-b.md'), 'one\n');
    write(join(commands, 'a', 'b.md'), 'two\n');
    write(join(commands, 'notes.txt'), 'not markdown\n');
    // Subagents: the TOML strings the crate picks (basic, literal, multi-line, escapes), effort and
    // permission mappings; and those Codex leaves (a blank body, a name that is not text, a README).
    const agent = (file: string, frontmatter: string, body: string) =>
      write(join(claude, 'agents', file), `---\n${frontmatter}\n---\n${body}`);
    agent('a1.md', 'name: a1\ndescription: plain', 'one line body');
    agent('a2.md', 'name: a2\ndescription: \'has "quotes" inside\'', 'multi\nline "quoted" body\n');
    agent('a3.md', 'name: a3\ndescription: back\\slash here', 'body with back\\slash\nand more');
    agent('a4.md', "name: a4\ndescription: it's single", "body it's fine\nline ''' triple");
    agent(
      'a5.md',
      'name: a5\ndescription: tab\there\neffort: low\npermissionMode: readOnly',
      'tab\tinside\nends with quote"',
    );
    agent('a6.md', 'name: a6\ndescription: x\neffort: max\npermissionMode: plan', "ends with single' for Claude Code");
    agent('a7.md', 'name: "a seven"\ndescription: d7', '   \n  ');
    agent('a8.md', 'name: a8\ndescription: d8', 'has """ triple double\nsecond');
    agent('a9.md', 'name: [a]\ndescription: d9', 'x');
    agent('README.md', 'name: readme\ndescription: r', 'x');
    for (const side of ['codex', 'ours']) {
      writeRepo(join(root, side, 'repo'));
      writeCodexConfig(join(root, side, '.codex'), 1);
    }
    // A skill already in our target, and in Codex's: neither is offered nor touched.
    for (const side of ['codex', 'ours'])
      write(join(root, side, '.agents', 'skills', 'changelog', 'SKILL.md'), 'mine\n');
  });

  after(async () => {
    await stopAllAppServers();
    if (root !== undefined) rmSync(root, { recursive: true, force: true });
  });

  it('detects the same items, imports them with the same notifications, writes the same files, and offers nothing after', async () => {
    const side = (name: string) => ({
      codexHome: join(root, name, '.codex'),
      repoCwd: join(root, name, 'repo', 'src', 'deep'),
    });
    const normalise = (v: unknown, name: string): unknown =>
      JSON.parse(JSON.stringify(v).replaceAll(join(root, name), '<side>'));

    const codexSide = side('codex');
    const codex = await AppServer.start({ codexHome: codexSide.codexHome, userHome });
    let codexDetected: ResultOf<'externalAgentConfig/detect'>;
    let codexNotes: unknown[];
    let codexAgain: ResultOf<'externalAgentConfig/detect'>;
    let codexHistories: ResultOf<'externalAgentConfig/import/readHistories'>;
    let ourHistories: unknown;
    // What differs between two runs of the same import: its id and when it completed.
    const historyShape = (h: ResultOf<'externalAgentConfig/import/readHistories'>, name: string): unknown =>
      normalise(
        h.data.map((x) => ({ ...x, importId: '<import>', completedAtMs: '<time>' })),
        name,
      );
    try {
      codexDetected = await codex.typed.request('externalAgentConfig/detect', {
        includeHome: true,
        cwds: [codexSide.repoCwd],
      });
      const since = codex.mark();
      const { importId } = await codex.typed.request('externalAgentConfig/import', {
        migrationItems: codexDetected.items,
      });
      await codex.waitForNotification(
        'externalAgentConfig/import/completed',
        (p: any) => p.importId === importId,
        60_000,
        since,
      );
      codexNotes = codex.notifications
        .filter((n) => n.seq >= since && n.method.startsWith('externalAgentConfig/'))
        .map((n) => ({ method: n.method, params: { ...(n.params as object), importId: '<import>' } }));
      codexAgain = await codex.typed.request('externalAgentConfig/detect', {
        includeHome: true,
        cwds: [codexSide.repoCwd],
      });
      codexHistories = await codex.typed.request('externalAgentConfig/import/readHistories', undefined);
    } finally {
      await codex.stop();
    }
    // Codex keeps its import histories in its state DB: ours has one as a home Codex has run on does.
    await (await AppServer.start({ codexHome: join(root, 'ours', '.codex'), userHome })).stop();
    expect(codexDetected.items.map((i) => i.itemType)).to.deep.equal([
      'SKILLS',
      'COMMANDS',
      'SUBAGENTS',
      'AGENTS_MD',
      'SKILLS',
      'COMMANDS',
      'SUBAGENTS',
      'AGENTS_MD',
    ]);

    const ourSide = side('ours');
    const { client, ask } = await openImportServer(ourSide.codexHome, userHome);
    try {
      const detected = await ask('externalAgentConfig/detect', { includeHome: true, cwds: [ourSide.repoCwd] });
      const detectDifferences = jsonDifferences(normalise(codexDetected, 'codex'), normalise(detected, 'ours'));
      if (detectDifferences.length > 0) expect.fail(`detect: ${describeDifferences(detectDifferences)}`);

      const { importId } = await ask('externalAgentConfig/import', { migrationItems: detected.items });
      const deadline = Date.now() + 60_000;
      const mine = () => client.notifications.filter((n) => (n.params as { importId?: string }).importId === importId);
      while (!mine().some((n) => n.method === 'externalAgentConfig/import/completed') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      const ourNotes = mine().map((n) => ({
        method: n.method,
        params: { ...(n.params as object), importId: '<import>' },
      }));
      const noteDifferences = jsonDifferences(normalise(codexNotes, 'codex'), normalise(ourNotes, 'ours'));
      if (noteDifferences.length > 0) expect.fail(`notifications: ${describeDifferences(noteDifferences)}`);

      const again = await ask('externalAgentConfig/detect', { includeHome: true, cwds: [ourSide.repoCwd] });
      expect(normalise(again, 'ours')).to.deep.equal(normalise(codexAgain, 'codex'));

      const histories = await ask('externalAgentConfig/import/readHistories', undefined);
      expect(histories.data.map((h) => h.importId)).to.deep.equal([importId]);
      const historyDifferences = jsonDifferences(
        historyShape(codexHistories, 'codex'),
        historyShape(histories, 'ours'),
      );
      if (historyDifferences.length > 0) expect.fail(`histories: ${describeDifferences(historyDifferences)}`);
      // An import a client completed elsewhere, recorded: newest first.
      const success = {
        itemType: 'AGENTS_MD',
        cwd: null,
        source: '/elsewhere/CLAUDE.md',
        target: '/elsewhere/AGENTS.md',
        title: null,
      };
      const failure = {
        itemType: 'SKILLS',
        errorType: 'x',
        subErrorType: null,
        failureStage: 'copy',
        message: 'disk full',
        cwd: '/r',
        source: 'lint',
      };
      const recorded = await ask('externalAgentConfig/import/recordHistory', {
        providerId: 'provider-1',
        itemTypeResults: [{ itemType: 'AGENTS_MD', successes: [success], failures: [failure] }],
      });
      const after = await ask('externalAgentConfig/import/readHistories', undefined);
      expect(after.data.map((h) => h.importId)).to.deep.equal([recorded.importId, importId]);
      expect({ ...after.data[0], completedAtMs: 0 }).to.deep.equal({
        importId: recorded.importId,
        providerId: 'provider-1',
        completedAtMs: 0,
        successes: [success],
        failures: [failure],
      });
      ourHistories = after;
    } finally {
      await client.close();
    }
    // Codex reads the engine's import in its histories as the engine answers it.
    const codexOnOurs = await AppServer.start({ codexHome: ourSide.codexHome, userHome });
    try {
      const theirs = await codexOnOurs.typed.request('externalAgentConfig/import/readHistories', undefined);
      expect(theirs).to.deep.equal(ourHistories);
    } finally {
      await codexOnOurs.stop();
    }

    // The files each wrote: the home's AGENTS.md, the skills beside the home, the repository's.
    const written = (name: string) => ({
      agents: treeOf(join(root, name, '.codex', 'agents')),
      agentsMd: treeOf(join(root, name, '.codex')).hasOwnProperty('AGENTS.md')
        ? readFileSync(join(root, name, '.codex', 'AGENTS.md'), 'utf8')
        : null,
      homeSkills: treeOf(join(root, name, '.agents')),
      repo: Object.fromEntries(Object.entries(treeOf(join(root, name, 'repo'))).filter(([p]) => !p.startsWith('.git'))),
    });
    const fileDifferences = jsonDifferences(written('codex'), written('ours'));
    if (fileDifferences.length > 0) expect.fail(`files: ${describeDifferences(fileDifferences)}`);
    expect(written('ours').agentsMd).to.equal(
      '# Rules for Codex\nUse Codex style. See AGENTS.md and AGENTS.md; notclaude stays; Codex goes.\n',
    );
  });
});
