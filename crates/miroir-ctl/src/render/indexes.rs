//! Registered indexes and where their shards live.

use miroir_admin_proto::v1::{IndexList, ShardMap};

use super::table::{or_dash, Table};

/// `indexes list`: one row per index.
pub fn index_list(list: &IndexList) -> String {
    if list.indexes.is_empty() {
        return "no indexes\n".to_owned();
    }
    let mut table = Table::new([
        "UID",
        "PRIMARY KEY",
        "SHARDS",
        "SETTINGS VERSION",
        "STATE",
        "CREATED",
        "UPDATED",
    ]);
    for index in &list.indexes {
        table.row([
            index.uid.clone(),
            or_dash(&index.primary_key),
            index.shard_count.to_string(),
            index.settings_version.to_string(),
            or_dash(&index.state),
            or_dash(&index.created_at),
            or_dash(&index.updated_at),
        ]);
    }
    table.render()
}

/// `indexes shards`: per index a heading, then one row per shard and replica group with its
/// owners (and where it is moving, when it is).
pub fn shard_map(map: &ShardMap) -> String {
    if map.indexes.is_empty() {
        return "no indexes\n".to_owned();
    }
    map.indexes
        .iter()
        .map(|index| {
            let mut table = Table::new(["SHARD", "GROUP", "OWNERS", "MOVING TO"]);
            for shard in &index.shards {
                for group in &shard.groups {
                    let moving_to = if group.target_owners == group.owners {
                        "-".to_owned()
                    } else {
                        or_dash(&group.target_owners.join(","))
                    };
                    table.row([
                        shard.shard.to_string(),
                        group.group.to_string(),
                        or_dash(&group.owners.join(",")),
                        moving_to,
                    ]);
                }
            }
            format!(
                "index {} (primary key {}, {} shards)\n{}",
                index.uid,
                or_dash(&index.primary_key),
                index.shard_count,
                table.render()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use miroir_admin_proto::v1::{GroupPlacement, IndexInfo, IndexShards, ShardPlacement};

    #[test]
    fn indexes_show_shards_primary_key_and_settings_version() {
        let list = IndexList {
            indexes: vec![IndexInfo {
                uid: "movies".to_owned(),
                primary_key: String::new(),
                shard_count: 64,
                settings_version: 2,
                state: "ready".to_owned(),
                created_at: "2026-11-02T10:00:00Z".to_owned(),
                updated_at: "2026-11-02T10:05:00Z".to_owned(),
            }],
        };
        let text = index_list(&list);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "UID     PRIMARY KEY  SHARDS  SETTINGS VERSION  STATE  CREATED               UPDATED"
        );
        assert_eq!(lines[1], "movies  -            64      2                 ready  2026-11-02T10:00:00Z  2026-11-02T10:05:00Z");
        assert_eq!(index_list(&IndexList::default()), "no indexes\n");
    }

    #[test]
    fn the_shard_map_marks_moving_shards() {
        let placement = |owners: &[&str], targets: &[&str]| GroupPlacement {
            group: 0,
            owners: owners.iter().map(|owner| (*owner).to_owned()).collect(),
            target_owners: targets.iter().map(|owner| (*owner).to_owned()).collect(),
        };
        let map = ShardMap {
            indexes: vec![IndexShards {
                uid: "movies".to_owned(),
                primary_key: "id".to_owned(),
                shard_count: 2,
                shards: vec![
                    ShardPlacement {
                        shard: 0,
                        groups: vec![placement(&["meili-0"], &["meili-0"])],
                    },
                    ShardPlacement {
                        shard: 1,
                        groups: vec![placement(&["meili-1"], &["meili-2"])],
                    },
                ],
            }],
        };
        assert_eq!(
            shard_map(&map),
            "index movies (primary key id, 2 shards)\n\
             SHARD  GROUP  OWNERS   MOVING TO\n\
             0      0      meili-0  -\n\
             1      0      meili-1  meili-2\n"
        );
    }
}
