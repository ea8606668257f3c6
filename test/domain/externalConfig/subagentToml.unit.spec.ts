import { expect } from 'chai';
import { parseDocument } from '../../../domain/externalConfig/commandSkill.js';
import type { Frontmatter } from '../../../domain/externalConfig/commandSkill.js';
import { renderSubagentToml, subagentMetadata, tomlString } from '../../../domain/externalConfig/subagentToml.js';

const fm = (entries: Record<string, string>): Frontmatter =>
  new Map(Object.entries(entries).map(([k, v]) => [k, { scalar: v }] as const));

describe('Claude Code subagents as the agent files Codex 0.169.0 writes (unit)', () => {
  it("TOML strings as the toml crate's pretty printer picks them (each seen on the binary)", () => {
    expect(tomlString('plain')).to.equal('"plain"');
    expect(tomlString('has "quotes" inside')).to.equal(`'has "quotes" inside'`);
    expect(tomlString('multi\nline "quoted" body')).to.equal('"""\nmulti\nline "quoted" body"""');
    expect(tomlString('back\\slash here')).to.equal("'back\\slash here'");
    expect(tomlString('body with back\\slash\nand more')).to.equal("'''\nbody with back\\slash\nand more'''");
    expect(tomlString("it's single")).to.equal(`"it's single"`);
    expect(tomlString("body it's fine\nline ''' triple")).to.equal(`"""\nbody it's fine\nline ''' triple"""`);
    expect(tomlString('tab\there')).to.equal('"tab\\there"');
    expect(tomlString('tab\tinside\nends with quote"')).to.equal('"""\ntab\\tinside\nends with quote""""');
    expect(tomlString("ends with single'")).to.equal(`"ends with single'"`);
    expect(tomlString('has """ triple double\nsecond')).to.equal(`'''\nhas """ triple double\nsecond'''`);
  });

  it('a name, a description and a body make an agent; effort and permission mode map, other values are left out', () => {
    const doc = (frontmatter: Record<string, string>, body: string) => ({
      ...parseDocument(body, () => undefined),
      frontmatter: fm(frontmatter),
      frontmatterError: false,
    });
    expect(subagentMetadata(doc({ name: 'a', description: 'd' }, '  \n '))).to.equal(undefined);
    expect(subagentMetadata(doc({ name: 'a' }, 'body'))).to.equal(undefined);
    const reviewer = doc(
      { name: 'reviewer', description: 'Reviews code for Claude Code', effort: 'max', permissionMode: 'acceptEdits' },
      'You review code.\nBe "strict" and use claude.\n',
    );
    expect(renderSubagentToml(reviewer, subagentMetadata(reviewer)!)).to.equal(
      'name = "reviewer"\ndescription = "Reviews code for Codex"\nmodel_reasoning_effort = "xhigh"\nsandbox_mode = "workspace-write"\ndeveloper_instructions = """\nYou review code.\nBe "strict" and use Codex."""\n',
    );
    const odd = doc({ name: 'x', description: 'd', effort: 'bogus', permissionMode: 'constructor' }, 'b');
    expect(renderSubagentToml(odd, subagentMetadata(odd)!)).to.equal(
      'name = "x"\ndescription = "d"\ndeveloper_instructions = "b"\n',
    );
  });
});
