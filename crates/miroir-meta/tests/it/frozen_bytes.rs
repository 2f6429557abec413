//! Pins the wire format of log entries and snapshots (see `FORMAT.md`): if one of these
//! fails, a released encoding changed and old log entries or snapshots would no longer
//! decode. Add a new version instead of editing these bytes.

use std::collections::BTreeMap;

use miroir_core::topology::{NodeId, NodeState};
use miroir_meta::{
    AliasCommand, AliasTarget, CommandV1, IdempotencyCommand, IndexCommand, IndexSwap, JobCommand,
    LeaseCommand, MetadataState, Request, SettingsVersionCommand, TaskCommand, TaskStatus,
    TopologyCommand,
};

use crate::support::{create_index, init_two_groups, node_spec};

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|byte| format!("{byte:02x}")).collect()
}

/// One command of every family, in a fixed order.
fn fixed_requests() -> Vec<Request> {
    let commands = vec![
        init_two_groups(),
        CommandV1::Topology(TopologyCommand::AddNode {
            node: node_spec("n2", 0),
        }),
        CommandV1::Topology(TopologyCommand::SetNodeState {
            node: NodeId::new("n2"),
            state: NodeState::Active,
        }),
        create_index("movies"),
        CommandV1::Task(TaskCommand::Enqueue {
            index_uid: Some("movies".into()),
            task_type: "documentAdditionOrUpdate".into(),
            details_json: Some("{}".into()),
            node_tasks: BTreeMap::from([(NodeId::new("n0"), 7)]),
        }),
        CommandV1::Task(TaskCommand::UpdateStatus {
            uid: 0,
            status: TaskStatus::Succeeded,
            details_json: None,
            error_json: None,
        }),
        CommandV1::Alias(AliasCommand::Create {
            name: "films".into(),
            target: AliasTarget::Single("movies".into()),
            owner: None,
        }),
        CommandV1::Lease(LeaseCommand::Acquire {
            name: "rebalancer".into(),
            holder: "peer-a".into(),
            ttl_ms: 10_000,
        }),
        CommandV1::SettingsVersion(SettingsVersionCommand::Set {
            index_uid: "movies".into(),
            node: NodeId::new("n0"),
            version: 1,
        }),
        CommandV1::Job(JobCommand::Create {
            id: "job-1".into(),
            kind: "rebalance".into(),
            payload: "{}".into(),
        }),
        CommandV1::Idempotency(IdempotencyCommand::Record {
            key: "k".into(),
            body_sha256: vec![0xab; 2],
            response: "r".into(),
            ttl_ms: 60_000,
        }),
    ];
    commands
        .into_iter()
        .enumerate()
        .map(|(i, command)| Request::v1(1_700_000_000_000 + i as u64, command))
        .collect()
}

const FROZEN_REQUESTS_V1: [&str; 11] = [
    concat!(
        "0068e5cf8b010000000000000000000000000000080000000100000002000000000000000200000000000000",
        "6e300e00000000000000687474703a2f2f6e303a373730300000000002000000000000006e310e0000000000",
        "0000687474703a2f2f6e313a3737303001000000",
    ),
    concat!(
        "0168e5cf8b01000000000000000000000300000002000000000000006e320e00000000000000687474703a2f",
        "2f6e323a3737303000000000",
    ),
    "0268e5cf8b01000000000000000000000400000002000000000000006e3201000000",
    "0368e5cf8b01000000000000010000000000000006000000000000006d6f766965730400000000",
    concat!(
        "0468e5cf8b0100000000000002000000000000000106000000000000006d6f76696573180000000000000064",
        "6f63756d656e744164646974696f6e4f725570646174650102000000000000007b7d01000000000000000200",
        "0000000000006e300700000000000000",
    ),
    "0568e5cf8b0100000000000002000000010000000000000000000000020000000000",
    concat!(
        "0668e5cf8b010000000000000300000000000000050000000000000066696c6d730000000006000000000000",
        "006d6f7669657300",
    ),
    concat!(
        "0768e5cf8b0100000000000004000000000000000a00000000000000726562616c616e636572060000000000",
        "0000706565722d611027000000000000",
    ),
    concat!(
        "0868e5cf8b01000000000000050000000000000006000000000000006d6f7669657302000000000000006e30",
        "0100000000000000",
    ),
    concat!(
        "0968e5cf8b01000000000000060000000000000005000000000000006a6f622d310900000000000000726562",
        "616c616e636502000000000000007b7d",
    ),
    concat!(
        "0a68e5cf8b01000000000000070000000000000001000000000000006b0200000000000000abab0100000000",
        "0000007260ea000000000000",
    ),
];

const FROZEN_STATE_V1: &str = concat!(
    "0100000000840c240000000040420f00000000000a0000000140420f00000000000300000000000000010800",
    "000001000000020000000000000000000000020000000000000002000000000000006e300e00000000000000",
    "687474703a2f2f6e303a37373030000000000100000002000000000000006e320e0000000000000068747470",
    "3a2f2f6e323a37373030000000000100000001000000010000000000000002000000000000006e310e000000",
    "00000000687474703a2f2f6e313a373730300100000001000000020000000000000000000000010000000100",
    "000001000000010000000000000006000000000000006d6f7669657306000000000000006d6f766965730400",
    "0000000000000000000000000000000368e5cf8b0100000368e5cf8b01000001000000000000000100000000",
    "000000000000000000000000000000000000000106000000000000006d6f766965731800000000000000646f",
    "63756d656e744164646974696f6e4f72557064617465020000000102000000000000007b7d00010000000000",
    "000002000000000000006e30070000000000000000000000000468e5cf8b010000010568e5cf8b0100000105",
    "68e5cf8b0100000100000000000000050000000000000066696c6d73050000000000000066696c6d73000000",
    "0006000000000000006d6f7669657301000000000000000000000000000000000668e5cf8b0100000668e5cf",
    "8b010000010000000000000001000000000000000a00000000000000726562616c616e636572060000000000",
    "0000706565722d6101000000000000000768e5cf8b010000178fe5cf8b010000010000000000000006000000",
    "000000006d6f7669657302000000000000006e30010000000000000001000000000000000500000000000000",
    "6a6f622d3105000000000000006a6f622d310900000000000000726562616c616e636502000000000000007b",
    "7d000000000000000000000000000000000000000968e5cf8b0100000968e5cf8b0100000100000000000000",
    "01000000000000006b0200000000000000abab0100000000000000720a68e5cf8b0100006a52e6cf8b010000",
);

/// Every released command encoding is byte-for-byte stable and still decodes.
#[test]
fn v1_requests_encode_to_frozen_bytes() {
    for (request, frozen) in fixed_requests().iter().zip(FROZEN_REQUESTS_V1) {
        let bytes = request.to_bytes().expect("encodes");
        assert_eq!(hex(&bytes), frozen, "{request}");
        assert_eq!(&Request::from_bytes(&bytes).expect("decodes"), request);
    }
}

fn fixed_state() -> MetadataState {
    let mut state = MetadataState::default();
    for request in fixed_requests() {
        let response = state.apply(&request);
        assert!(response.rejection().is_none(), "{request}: {response:?}");
    }
    state
}

fn unhex(text: &str) -> Vec<u8> {
    (0..text.len())
        .step_by(2)
        .map(|at| u8::from_str_radix(&text[at..at + 2], 16).expect("hex digits"))
        .collect()
}

/// A format-1 snapshot (written before task records carried `canceled_by`) still decodes, to
/// the same state with no task canceled by anything.
#[test]
fn v1_snapshot_still_decodes() {
    let restored = MetadataState::from_snapshot_bytes(&unhex(FROZEN_STATE_V1)).expect("decodes");
    assert_eq!(restored, fixed_state());
}

/// The snapshot of a fixed state is byte-for-byte stable, and so is its digest.
#[test]
fn v2_snapshot_encodes_to_frozen_bytes() {
    let state = fixed_state();
    let bytes = state.to_snapshot_bytes().expect("encodes");
    assert_eq!(hex(&bytes), FROZEN_STATE_V2);
    assert_eq!(state.digest(), FROZEN_DIGEST_V2);
}

const FROZEN_STATE_V2: &str = concat!(
    "0200000000840c240000000040420f00000000000a0000000140420f00000000000300000000000000010800",
    "000001000000020000000000000000000000020000000000000002000000000000006e300e00000000000000",
    "687474703a2f2f6e303a37373030000000000100000002000000000000006e320e0000000000000068747470",
    "3a2f2f6e323a37373030000000000100000001000000010000000000000002000000000000006e310e000000",
    "00000000687474703a2f2f6e313a373730300100000001000000020000000000000000000000010000000100",
    "000001000000010000000000000006000000000000006d6f7669657306000000000000006d6f766965730400",
    "0000000000000000000000000000000368e5cf8b0100000368e5cf8b01000001000000000000000100000000",
    "000000000000000000000000000000000000000106000000000000006d6f766965731800000000000000646f",
    "63756d656e744164646974696f6e4f72557064617465020000000102000000000000007b7d00010000000000",
    "000002000000000000006e30070000000000000000000000000468e5cf8b010000010568e5cf8b0100000105",
    "68e5cf8b010000000100000000000000050000000000000066696c6d73050000000000000066696c6d730000",
    "000006000000000000006d6f7669657301000000000000000000000000000000000668e5cf8b0100000668e5",
    "cf8b010000010000000000000001000000000000000a00000000000000726562616c616e6365720600000000",
    "000000706565722d6101000000000000000768e5cf8b010000178fe5cf8b0100000100000000000000060000",
    "00000000006d6f7669657302000000000000006e300100000000000000010000000000000005000000000000",
    "006a6f622d3105000000000000006a6f622d310900000000000000726562616c616e63650200000000000000",
    "7b7d000000000000000000000000000000000000000968e5cf8b0100000968e5cf8b01000001000000000000",
    "0001000000000000006b0200000000000000abab0100000000000000720a68e5cf8b0100006a52e6cf8b0100",
    "00",
);

const FROZEN_DIGEST_V2: u64 = 0x9f06_6ee2_309e_65de;

/// Commands appended to `CommandV1`'s families after the first release (see `FORMAT.md`).
fn appended_requests() -> Vec<Request> {
    let commands = vec![
        CommandV1::Index(IndexCommand::ReplacePrimaryKey {
            uid: "movies".into(),
            primary_key: Some("sku".into()),
        }),
        CommandV1::Index(IndexCommand::Swap {
            swaps: vec![IndexSwap {
                first: "movies".into(),
                second: "films".into(),
                rename: true,
            }],
        }),
        CommandV1::Task(TaskCommand::SetCanceledBy {
            uids: vec![3, 4],
            canceled_by: 9,
        }),
    ];
    commands
        .into_iter()
        .enumerate()
        .map(|(i, command)| Request::v1(1_700_000_001_000 + i as u64, command))
        .collect()
}

const FROZEN_APPENDED_REQUESTS: [&str; 3] = [
    "e86be5cf8b01000000000000010000000500000006000000000000006d6f76696573010300000000000000736b75",
    concat!(
        "e96be5cf8b010000000000000100000006000000010000000000000006000000000000006d6f766965730500",
        "00000000000066696c6d7301",
    ),
    concat!(
        "ea6be5cf8b010000000000000200000004000000020000000000000003000000000000000400000000000000",
        "0900000000000000",
    ),
];

/// The appended commands' encodings are byte-for-byte stable and decode.
#[test]
fn appended_requests_encode_to_frozen_bytes() {
    for (request, frozen) in appended_requests().iter().zip(FROZEN_APPENDED_REQUESTS) {
        let bytes = request.to_bytes().expect("encodes");

        assert_eq!(hex(&bytes), frozen, "{request}");
        assert_eq!(&Request::from_bytes(&bytes).expect("decodes"), request);
    }
}

/// Log lines show the command and its key (openraft prints entries with `Display`).
#[test]
fn requests_display_their_command_and_key() {
    let shown: Vec<String> = fixed_requests().iter().map(ToString::to_string).collect();
    assert_eq!(shown[0], "init_topology nodes=2 @1700000000000");
    assert_eq!(shown[3], "create_index movies @1700000000003");
    assert_eq!(shown[6], "create_alias films @1700000000006");
    assert_eq!(
        shown[7],
        "acquire_lease rebalancer by peer-a @1700000000007"
    );
}
