import { expect } from 'chai';
import {
  commandSkillName,
  commandSourceName,
  parseDocument,
  renderCommandSkill,
  slugifyName,
} from '../../../domain/externalConfig/commandSkill.js';
import type { Frontmatter } from '../../../domain/externalConfig/commandSkill.js';

// A stand-in for YAML: `key: value` lines only (the adapter parses real YAML).
const lines = (raw: string): Frontmatter =>
  new Map(
    raw.split('\n').map((l) => [l.split(':')[0]!.trim(), { scalar: l.slice(l.indexOf(':') + 1).trim() }] as const),
  );

describe('Claude Code commands as the skills Codex 0.169.0 migrates them to (unit)', () => {
  it('names: the path without its extension, slugged, prefixed; README, arguments, shell escapes and file references left', () => {
    expect(commandSourceName('git/commit.md')).to.equal('git-commit');
    expect(slugifyName('source-command-Weird Name!')).to.equal('source-command-weird-name');
    expect(slugifyName('!!!')).to.equal('migrated');
    const doc = (body: string) => parseDocument(body, lines);
    expect(commandSkillName('review.md', doc('Review.'))).to.equal('source-command-review');
    expect(commandSkillName('README.md', doc('x'))).to.equal(undefined);
    expect(commandSkillName('args.md', doc('Fix $ARGUMENTS'))).to.equal(undefined);
    expect(commandSkillName('n.md', doc('Use $1'))).to.equal(undefined);
    expect(commandSkillName('s.md', doc('Run !`ls`'))).to.equal(undefined);
    expect(commandSkillName('r.md', doc('Read @src/a.ts'))).to.equal(undefined);
    expect(commandSkillName('at.md', doc('mail me @ home'))).to.equal('source-command-at');
    expect(commandSkillName(`${'x'.repeat(50)}.md`, doc('ok'))).to.equal(undefined);
  });

  it('the SKILL.md, as the real binary wrote it (frontmatter description, else a fallback; terms rewritten; an empty body noted)', () => {
    const review = parseDocument(
      '---\ndescription: Review the diff like Claude\n---\n\nReview the current diff. Ask claude.\n',
      lines,
    );
    expect(renderCommandSkill('review.md', review, 'source-command-review')).to.equal(
      '---\nname: "source-command-review"\ndescription: "Review the diff like Codex"\n---\n\n# source-command-review\n\nUse this skill when the user asks to run the migrated source command `review`.\n\n## Command Template\n\nReview the current diff. Ask Codex.\n',
    );
    const nodesc = parseDocument('Just do the thing.\n', lines);
    expect(renderCommandSkill('nodesc.md', nodesc, 'source-command-nodesc')).to.include(
      'description: "Migrated source command `nodesc`"',
    );
    const empty = parseDocument('---\ndescription: empty body\n---\n', lines);
    expect(renderCommandSkill('empty.md', empty, 'source-command-empty')).to.match(
      /## Command Template\n\nNo command template body was found\.\n$/,
    );
  });
});
