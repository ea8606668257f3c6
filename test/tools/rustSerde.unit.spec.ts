// The serde rules the field census's fixture is built with (test/tools/codexSerdeFields.ts), on
// Rust written the way Codex writes its protocol types.
import { expect } from 'chai';
import { itemsOf } from './rustSerde.js';

const RUST = `
/// Doc comment, with a { brace } and a "quote".
#[derive(Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct McpToolCallItem {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub read_only_hint: Option<bool>,
    #[serde(rename = "_meta")]
    pub meta: Option<Value>,
    #[serde(skip)]
    pub cached: HashMap<String, (u32, u32)>,
}

#[derive(Serialize)]
pub struct SessionMetaLine {
    #[serde(flatten)]
    pub meta: SessionMeta,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none"
    )]
    pub git: Option<Cow<'a, GitInfo>>,
}

pub struct ContextCompactedEvent;

#[derive(Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum EventMsg {
    /// A turn began.
    #[serde(rename = "task_started", alias = "turn_started")]
    TurnStarted(TurnStartedEvent),
    AgentReasoningRawContent(AgentReasoningRawContentEvent),
    ShutdownComplete,
    #[serde(skip)]
    Internal(Hidden),
    Inline { call_id: String, extra_field: u64 },
}

#[serde(tag = "kind")]
pub enum ExtensionItem {
    #[serde(rename = "clock.sleep")]
    Sleep(sleep::SleepItem),
}
`;

describe('rustSerde: the wire names serde gives Rust types (field census fixture)', () => {
  const { structs, enums } = itemsOf('x.rs', RUST);
  const fields = (name: string) =>
    structs.find((s) => s.name === name)?.fields.map((f) => (f.flatten ? `...${f.type}` : f.wire));

  it("applies the type's rename_all and a field's rename, and leaves out skipped fields", () => {
    expect(fields('McpToolCallItem')).to.deep.equal(['id', 'readOnlyHint', '_meta']);
  });

  it('marks flattened fields with the type they hold, through Option and Cow, over multi-line attributes', () => {
    expect(fields('SessionMetaLine')).to.deep.equal(['...SessionMeta', 'git']);
    expect(structs.find((s) => s.name === 'SessionMetaLine')?.fields[1]?.type).to.equal('GitInfo');
  });

  it('reads a unit struct as one without fields', () => {
    expect(fields('ContextCompactedEvent')).to.deep.equal([]);
  });

  it("names an enum's variants by rename, else by the enum's rename_all, with the type each carries", () => {
    expect(
      enums.get('EventMsg')?.variants.map((v) => [v.tag, v.payload, v.inline?.map((f) => f.wire) ?? null]),
    ).to.deep.equal([
      ['task_started', 'TurnStartedEvent', null],
      ['agent_reasoning_raw_content', 'AgentReasoningRawContentEvent', null],
      ['shutdown_complete', null, []],
      ['inline', null, ['call_id', 'extra_field']],
    ]);
    expect(enums.get('ExtensionItem')?.variants).to.deep.equal([
      { tag: 'clock.sleep', payload: 'sleep::SleepItem', inline: null },
    ]);
  });
});
