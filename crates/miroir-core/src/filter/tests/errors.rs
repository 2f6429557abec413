//! Malformed filters get Meilisearch's exact messages (texts from Meilisearch v1.50's
//! `filter-parser` tests and the recorded fixtures).

use serde_json::json;

use super::{error_message, filter, parse_json};
use crate::filter::{FilterError, FilterErrorKind};

const OPERATIONS: &str = "Was expecting an operation `=`, `!=`, `>=`, `>`, `<=`, `<`, `IN`, `NOT IN`, `TO`, `EXISTS`, `NOT EXISTS`, `IS NULL`, `IS NOT NULL`, `IS EMPTY`, `IS NOT EMPTY`, `CONTAINS`, `NOT CONTAINS`, `STARTS WITH`, `NOT STARTS WITH`, `_geoRadius`, `_geoBoundingBox` or `_geoPolygon`";

#[test]
fn malformed_filters_report_meilisearch_messages() {
    let cases: Vec<(&str, String)> = vec![
        ("year >", "Was expecting a value but instead got nothing.\n7:7 year >".into()),
        (
            "channel = Ponce = 12",
            "Found unexpected characters at the end of the filter: `= 12`. You probably forgot an `OR` or an `AND` rule.\n17:21 channel = Ponce = 12".into(),
        ),
        ("channel =    ", "Was expecting a value but instead got nothing.\n14:14 channel =    ".into()),
        ("channel = 🐻", "Was expecting a value but instead got `🐻`.\n11:12 channel = 🐻".into()),
        (
            "channel = 🐻 AND followers < 100",
            "Was expecting a value but instead got `🐻`.\n11:12 channel = 🐻 AND followers < 100".into(),
        ),
        ("'OR'", format!("{OPERATIONS} at `\\'OR\\'`.\n1:5 'OR'")),
        (
            "OR",
            "Was expecting a value but instead got `OR`, which is a reserved keyword. To use `OR` as a field name or a value, surround it by quotes.\n1:3 OR".into(),
        ),
        ("channel Ponce", format!("{OPERATIONS} at `channel Ponce`.\n1:14 channel Ponce")),
        ("channel = Ponce OR", format!("{OPERATIONS} but instead got nothing.\n19:19 channel = Ponce OR")),
        (
            "position <= _geoPoint(12, 13, 14)",
            "`_geoPoint` is a reserved keyword and thus can't be used as a filter expression. Use the `_geoRadius(latitude, longitude, distance)` or `_geoBoundingBox([latitude, longitude], [latitude, longitude])` built-in rules to filter on `_geo` coordinates.\n13:34 position <= _geoPoint(12, 13, 14)".into(),
        ),
        (
            "_geoPoint(12, 13, 14)",
            "`_geoPoint` is a reserved keyword and thus can't be used as a filter expression. Use the `_geoRadius(latitude, longitude, distance)` or `_geoBoundingBox([latitude, longitude], [latitude, longitude])` built-in rules to filter on `_geo` coordinates.\n1:22 _geoPoint(12, 13, 14)".into(),
        ),
        (
            "position <= _geoDistance(12, 13, 14)",
            "`_geoDistance` is a reserved keyword and thus can't be used as a filter expression. Use the `_geoRadius(latitude, longitude, distance)` or `_geoBoundingBox([latitude, longitude], [latitude, longitude])` built-in rules to filter on `_geo` coordinates.\n13:37 position <= _geoDistance(12, 13, 14)".into(),
        ),
        (
            "position <= _geo(12, 13, 14)",
            "`_geo` is a reserved keyword and thus can't be used as a filter expression. Use the `_geoRadius(latitude, longitude, distance)` or `_geoBoundingBox([latitude, longitude], [latitude, longitude])` built-in rules to filter on `_geo` coordinates.\n13:29 position <= _geo(12, 13, 14)".into(),
        ),
        (
            "position <= _geoRadius(12, 13, 14)",
            "The `_geoRadius` filter is an operation and can't be used as a value.\n13:35 position <= _geoRadius(12, 13, 14)".into(),
        ),
        (
            "channel = 'ponce",
            "Expression `\\'ponce` is missing the following closing delimiter: `'`.\n11:17 channel = 'ponce".into(),
        ),
        (
            "channel = \"ponce",
            "Expression `\\\"ponce` is missing the following closing delimiter: `\"`.\n11:17 channel = \"ponce".into(),
        ),
        (
            "channel = mv OR (followers >= 1000",
            "Expression `(followers >= 1000` is missing the following closing delimiter: `)`.\n17:35 channel = mv OR (followers >= 1000".into(),
        ),
        (
            "channel = mv OR followers >= 1000)",
            "Found unexpected characters at the end of the filter: `)`. You probably forgot an `OR` or an `AND` rule.\n34:35 channel = mv OR followers >= 1000)".into(),
        ),
        ("colour NOT EXIST", format!("{OPERATIONS} at `colour NOT EXIST`.\n1:17 colour NOT EXIST")),
        (
            "subscribers 100 TO1000",
            format!("{OPERATIONS} at `subscribers 100 TO1000`.\n1:23 subscribers 100 TO1000"),
        ),
        (
            "channel = ponce ORdog != 'bernese mountain'",
            "Found unexpected characters at the end of the filter: `ORdog != \\'bernese mountain\\'`. You probably forgot an `OR` or an `AND` rule.\n17:44 channel = ponce ORdog != 'bernese mountain'".into(),
        ),
        (
            r#"name = "\x""#,
            "The filter is incomplete and requires Unknown additional bytes to be parsed.\n1:12 name = \"\\x\"".into(),
        ),
        (
            "colour IN blue, green]",
            "Expected `[` after `IN` keyword.\n11:23 colour IN blue, green]".into(),
        ),
        (
            "colour IN [blue, green, 'blue' > 2]",
            "Expected only comma-separated field names inside `IN[..]` but instead found `> 2]`.\n32:36 colour IN [blue, green, 'blue' > 2]".into(),
        ),
        (
            "colour IN [blue, green, AND]",
            "Expected only comma-separated field names inside `IN[..]` but instead found `AND]`.\n25:29 colour IN [blue, green, AND]".into(),
        ),
        (
            "colour IN [blue, green",
            "Expected matching `]` after the list of field names given to `IN[`\n23:23 colour IN [blue, green".into(),
        ),
        (
            "colour IN ['blue, green",
            "Expression `\\'blue, green` is missing the following closing delimiter: `'`.\n12:24 colour IN ['blue, green".into(),
        ),
        (
            "x = EXISTS",
            "Was expecting a value but instead got `EXISTS`, which is a reserved keyword. To use `EXISTS` as a field name or a value, surround it by quotes.\n5:11 x = EXISTS".into(),
        ),
        (
            "AND = 8",
            "Was expecting a value but instead got `AND`, which is a reserved keyword. To use `AND` as a field name or a value, surround it by quotes.\n1:4 AND = 8".into(),
        ),
        (
            "NOT OR EXISTS AND EXISTS NOT EXISTS",
            "Was expecting a value but instead got `OR`, which is a reserved keyword. To use `OR` as a field name or a value, surround it by quotes.\n5:7 NOT OR EXISTS AND EXISTS NOT EXISTS".into(),
        ),
        (
            "_vectors _vectors EXISTS",
            "Was expecting an operation like `EXISTS` or `NOT EXISTS` after the vector filter.\n10:25 _vectors _vectors EXISTS".into(),
        ),
        ("value NULL", format!("{OPERATIONS} at `value NULL`.\n1:11 value NULL")),
        ("value NOT NULL", format!("{OPERATIONS} at `value NOT NULL`.\n1:15 value NOT NULL")),
        ("value EMPTY", format!("{OPERATIONS} at `value EMPTY`.\n1:12 value EMPTY")),
        ("value IS", format!("{OPERATIONS} at `value IS`.\n1:9 value IS")),
        ("value IS NOT", format!("{OPERATIONS} at `value IS NOT`.\n1:13 value IS NOT")),
        ("value IS EXISTS", format!("{OPERATIONS} at `value IS EXISTS`.\n1:16 value IS EXISTS")),
        (
            "title = Glass XOR title = Glass",
            "Found unexpected characters at the end of the filter: `XOR title = Glass`. You probably forgot an `OR` or an `AND` rule.\n15:32 title = Glass XOR title = Glass".into(),
        ),
        (
            "x = 'a\\'",
            "Expression `\\'a\\\\\\'` is missing the following closing delimiter: `'`.\n5:9 x = 'a\\'".into(),
        ),
        ("x = \"\\q\"", "Malformed value: `\\\\q`.\n6:8 x = \"\\q\"".into()),
        (
            "x = \"\\xZZ\"",
            "Found an invalid escaped sequence number: `\\\\xZZ`.\n6:10 x = \"\\xZZ\"".into(),
        ),
        ("year > 2000 and year < 2010", "Found unexpected characters at the end of the filter: `and year < 2010`. You probably forgot an `OR` or an `AND` rule.\n13:28 year > 2000 and year < 2010".into()),
    ];
    for (source, expected) in cases {
        assert_eq!(error_message(source), expected, "filter: {source:?}");
    }
}

#[test]
fn nesting_beyond_meilisearch_depth_limit_is_rejected() {
    let deep = format!("{}x = 1{}", "(".repeat(50), ")".repeat(50));
    assert_eq!(
        error_message(&deep),
        format!("The filter exceeded the maximum depth limit. Try rewriting the filter so that it contains fewer nested conditions.\n38:106 {deep}")
    );
    let accepted = format!("{}x = 1{}", "(".repeat(36), ")".repeat(36));
    assert_eq!(filter(&accepted), filter("x = 1"));

    let many_nots = format!("{}x = 1", "NOT ".repeat(199));
    assert_eq!(
        error_message(&many_nots),
        format!("The filter exceeded the maximum depth limit. Try rewriting the filter so that it contains fewer nested conditions.\n597:802 {many_nots}")
    );
}

#[test]
fn positions_are_counted_in_chars_from_the_last_newline() {
    assert_eq!(
        error_message("a = 1 AND\nb >"),
        "Was expecting a value but instead got nothing.\n4:4 a = 1 AND\nb >"
    );
    assert_eq!(
        error_message("é = 1 AND b >"),
        "Was expecting a value but instead got nothing.\n14:14 é = 1 AND b >"
    );
}

#[test]
fn wrong_json_types_report_meilisearch_messages() {
    assert_eq!(
        parse_json(json!(12)),
        Err("Invalid type for filter subexpression: expected: String, Array, found: 12.".into())
    );
    assert_eq!(
        parse_json(json!({"a": 1})),
        Err(
            "Invalid type for filter subexpression: expected: String, Array, found: {\"a\":1}."
                .into()
        )
    );
    assert_eq!(
        parse_json(json!(["a = 1", true])),
        Err(
            "Invalid type for filter subexpression: expected: String, [String], found: true."
                .into()
        )
    );
    assert_eq!(
        parse_json(json!([["a = 1", ["b = 2"]]])),
        Err("Invalid type for filter subexpression: expected: String, found: [\"b = 2\"].".into())
    );
    let error = super::parse_filter(&json!(false)).unwrap_err();
    assert_eq!(error.kind(), FilterErrorKind::InvalidType);
}

#[test]
fn errors_in_array_items_point_into_their_own_string() {
    assert_eq!(
        parse_json(json!(["a = 1", ["b = 2", "year >"]])),
        Err("Was expecting a value but instead got nothing.\n7:7 year >".into())
    );
}

#[test]
fn not_filterable_error_matches_the_search_fixture() {
    // Recorded: POST /indexes/movies/search {"filter": "title = x"} (prefix added by the caller).
    let canonical = filter("title = x").canonicalized().unwrap();
    assert_eq!(canonical.to_string(), "\"title\" = \"x\"");
    let attribute = &canonical.attributes()[0];
    let patterns = ["year", "tags", "rating", "genres", "director", "year"];
    let error = FilterError::attribute_not_filterable(attribute, &patterns);
    assert_eq!(
        format!("Index `movies`: {}", error.message()),
        "Index `movies`: Attribute `title` is not filterable. Available filterable attribute patterns are: `director`, `genres`, `rating`, `tags`, `year`.\n2:7 \"title\" = \"x\""
    );
    assert_eq!(error.kind(), FilterErrorKind::NotFilterable);
}

#[test]
fn not_filterable_error_on_original_source_and_without_patterns() {
    // Meilisearch's document routes report the original string: "1:6 catto = jorts".
    let original = filter("catto = jorts");
    let none: [&str; 0] = [];
    let error = FilterError::attribute_not_filterable(&original.attributes()[0], &none);
    assert_eq!(
        error.message(),
        "Attribute `catto` is not filterable. This index does not have configured filterable attributes.\n1:6 catto = jorts"
    );
    // Meilisearch test: {"filter": "doggos.age > 2"} -> `2:12 "doggos.age" > "2"`.
    let nested = filter("doggos.age > 2").canonicalized().unwrap();
    assert_eq!(
        nested.attributes()[0].position(),
        "2:12 \"doggos.age\" > \"2\""
    );
    let exists = filter("doggos EXISTS").canonicalized().unwrap();
    assert_eq!(exists.attributes()[0].position(), "2:8 \"doggos\" EXISTS");
}

#[test]
fn unsupported_features_are_rejected_clearly() {
    for (source, feature) in [
        ("_geoRadius(45.4, 9.1, 2000)", "_geoRadius"),
        (
            "a = 1 AND _geoBoundingBox([1, 2], [3, 4])",
            "_geoBoundingBox",
        ),
        ("_geoPolygon([1, 2], [3, 4], [5, 6])", "_geoPolygon"),
        ("_vectors EXISTS", "_vectors"),
        ("_vectors.default NOT EXISTS", "_vectors"),
        ("_foreign(author, name = x)", "_foreign"),
    ] {
        let error = Filter::parse_str(source).unwrap_err();
        assert_eq!(error.kind(), FilterErrorKind::Unsupported, "{source}");
        assert!(
            error.message().contains(&format!("`{feature}`")),
            "{}",
            error.message()
        );
    }
}

use super::Filter;
