import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as nodePath from 'node:path';
import { fileURLToPath } from 'node:url';
import { METHOD_ENTRIES } from '../../protocol/methods.js';
import { OUR_METHODS } from '../fixtures/codexSchema.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const PACKAGE = JSON.parse(fs.readFileSync(nodePath.join(REPO, 'package.json'), 'utf8')) as {
  bin: Record<string, string>;
};
const README = nodePath.join(REPO, 'README.md');
const DOCS = nodePath.join(REPO, 'docs');
/** The README is a guide: what does not fit goes to docs/. */
const README_MAX_LINES = 250;

/** The names under a commander help text's `Commands:` heading (continuation lines are indented deeper). */
const commandsOfHelp = (help: string): ReadonlyArray<string> => {
  const start = help.split('\n').findIndex((line) => line === 'Commands:');
  if (start < 0) return [];
  const names: string[] = [];
  for (const line of help.split('\n').slice(start + 1)) {
    if (line.trim() === '') break;
    const name = /^ {2}([a-z][\w-]*)/.exec(line)?.[1];
    if (name !== undefined) names.push(name);
  }
  return names;
};

/** The first cell of each row of the README's command table, without its arguments: `plugins install`, `read`. */
const commandsOfTable = (markdown: string): ReadonlySet<string> =>
  new Set(
    markdown
      .split('\n')
      .map((line) => /^\| `([^`]+)` \|/.exec(line)?.[1])
      .filter((cell): cell is string => cell !== undefined)
      .map((cell) =>
        cell
          .split(' ')
          .filter((word) => /^[a-z][\w-]*$/.test(word))
          .join(' '),
      ),
  );

const FENCED = /```[\s\S]*?```/g;

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens; repeats numbered. */
const anchorsOf = (markdown: string): ReadonlySet<string> => {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  for (const line of markdown.replace(FENCED, '').split('\n')) {
    const heading = /^#{1,6} (.*)$/.exec(line)?.[1];
    if (heading === undefined) continue;
    const slug = heading
      .trim()
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  return anchors;
};

/** Fenced blocks and inline code hold text, not links or headings. */
const withoutCode = (markdown: string): string => markdown.replace(FENCED, '').replace(/`[^`\n]*`/g, '');

/** Relative link targets of a markdown text (`[text](target)`), external ones left out. */
const relativeLinksOf = (markdown: string): ReadonlyArray<string> =>
  [...withoutCode(markdown).matchAll(/\]\(([^)\s]+)\)/g)]
    .map((m) => m[1]!)
    .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target));

/** The links of one file that lead nowhere: a missing file, or an anchor no heading of a markdown target gives. */
const brokenLinksOf = (file: string): ReadonlyArray<string> =>
  relativeLinksOf(fs.readFileSync(file, 'utf8')).filter((link) => {
    const [path, anchor] = link.split('#', 2) as [string, string | undefined];
    const target = path === '' ? file : nodePath.resolve(nodePath.dirname(file), decodeURIComponent(path));
    if (!fs.existsSync(target)) return true;
    if (anchor === undefined || anchor === '' || !target.endsWith('.md')) return false;
    return !anchorsOf(fs.readFileSync(target, 'utf8')).has(decodeURIComponent(anchor).toLowerCase());
  });

const help = (args: ReadonlyArray<string>): string => {
  const r = spawnSync(process.execPath, [nodePath.join(REPO, PACKAGE.bin['rollout-engine']!), ...args, '--help'], {
    encoding: 'utf8',
  });
  expect(r.status, r.stderr).to.equal(0);
  return r.stdout;
};

describe('docs: the README is a guide whose command table and links hold', function () {
  this.timeout(120_000);
  const readme = fs.readFileSync(README, 'utf8');
  const docs = fs.existsSync(DOCS) ? fs.readdirSync(DOCS).filter((f) => f.endsWith('.md')) : [];

  it('the README names as ours exactly the methods whose entries say so (`ours`), and so does the schema fixture', () => {
    const text = fs.readFileSync(README, 'utf8').replace(/\s+/g, ' ');
    const sentence = /Methods Codex 0\.169\.0 does not have are ours: ([^.]*)\./.exec(text)?.[1];
    expect(sentence, 'the README sentence').to.be.a('string');
    const named = [...sentence!.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);
    // A name, or a family (`rolloutEngine/*`), the sentence gives.
    const inReadme = (name: string): boolean =>
      named.includes(name) || named.some((n) => n.endsWith('/*') && name.startsWith(n.slice(0, -1)));
    const ours = METHOD_ENTRIES.filter((e) => e.ours).map((e) => e.name);
    expect(ours.filter(inReadme), 'ours the README leaves out').to.deep.equal(ours);
    const codexNamed = METHOD_ENTRIES.filter((e) => !e.ours && inReadme(e.name));
    expect(
      codexNamed.map((e) => e.name),
      "Codex's methods the README calls ours",
    ).to.deep.equal([]);
    expect([...OUR_METHODS].sort()).to.deep.equal([...ours].sort());
  });

  it(`README.md stays under ${README_MAX_LINES} lines`, () => {
    expect(readme.split('\n').length).to.be.below(README_MAX_LINES);
  });

  it('the README command table has a row for every command and subcommand `rollout-engine --help` lists, and no other', () => {
    const listed = commandsOfHelp(help([])).flatMap((command) =>
      command === 'help'
        ? [command]
        : [
            command,
            ...commandsOfHelp(help([command]))
              .filter((sub) => sub !== 'help')
              .map((sub) => `${command} ${sub}`),
          ],
    );
    const table = commandsOfTable(readme);
    expect(
      listed.filter((command) => !table.has(command)),
      'commands missing from the README table',
    ).to.deep.equal([]);
    // Exactly the commands --help lists (a help text the parser misread lists none, and fails here too).
    expect(
      [...table].filter((command) => !listed.includes(command)),
      'rows of commands --help does not list',
    ).to.deep.equal([]);
    expect(listed.length, 'commands parsed from --help').to.equal(table.size);
  });

  it('every relative link of README.md and docs/*.md leads to a file (and to a heading of it when it names one)', () => {
    // A guard that docs/ was found (the pages are the docs' own business; every link in them is checked).
    expect(docs.length, 'docs/*.md').to.be.above(0);
    const broken = [README, ...docs.map((f) => nodePath.join(DOCS, f))].flatMap((file) =>
      brokenLinksOf(file).map((link) => `${nodePath.relative(REPO, file)}: ${link}`),
    );
    expect(broken).to.deep.equal([]);
  });

  it('the link check finds a missing file and a missing heading (so the test above can fail)', () => {
    const dir = fs.mkdtempSync(nodePath.join(fs.realpathSync(process.env['TMPDIR'] ?? '/tmp'), 'docs-links-'));
    try {
      fs.writeFileSync(
        nodePath.join(dir, 'a.md'),
        '# A title\n\n[ok](#a-title) [gone](b.md) [bad](a.md#nowhere) `[code](c.md)` [web](https://example.com)\n',
      );
      expect(brokenLinksOf(nodePath.join(dir, 'a.md'))).to.deep.equal(['b.md', 'a.md#nowhere']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
