//! Valid filters parse into Meilisearch's tree shape; checked through the canonical rendering
//! (every attribute and value JSON-quoted, every AND/OR operand parenthesised).

use serde_json::json;

use super::{filter, parse_json};

fn canonical(source: &str) -> String {
    filter(source).to_string()
}

#[test]
fn every_operator_parses() {
    let cases = [
        ("channel = Ponce", r#""channel" = "Ponce""#),
        ("subscribers != 12", r#""subscribers" != "12""#),
        ("subscribers > 1000", r#""subscribers" > "1000""#),
        ("subscribers >= 1000", r#""subscribers" >= "1000""#),
        ("subscribers < 1000", r#""subscribers" < "1000""#),
        ("subscribers <= 1000", r#""subscribers" <= "1000""#),
        (
            "subscribers 100 TO 1000",
            r#""subscribers" "100" TO "1000""#,
        ),
        (
            "colour IN [green, 'light blue', \"red\"]",
            r#""colour" IN ["green", "light blue", "red"]"#,
        ),
        ("colour NOT IN [green]", r#"NOT ("colour" IN ["green"])"#),
        ("colour IN[]", r#""colour" IN []"#),
        ("colour IN [green,]", r#""colour" IN ["green"]"#),
        ("x EXISTS", r#""x" EXISTS"#),
        ("x NOT EXISTS", r#"NOT ("x" EXISTS)"#),
        ("x IS NULL", r#""x" IS NULL"#),
        ("x IS NOT NULL", r#"NOT ("x" IS NULL)"#),
        ("x  IS   NOT   NULL", r#"NOT ("x" IS NULL)"#),
        ("x IS EMPTY", r#""x" IS EMPTY"#),
        ("x IS NOT EMPTY", r#"NOT ("x" IS EMPTY)"#),
        ("x CONTAINS 'ell'", r#""x" CONTAINS "ell""#),
        ("x NOT CONTAINS ell", r#"NOT ("x" CONTAINS "ell")"#),
        ("x STARTS WITH hel", r#""x" STARTS WITH "hel""#),
        ("x NOT STARTS WITH hel", r#"NOT ("x" STARTS WITH "hel")"#),
        ("NOT x = 1", r#"NOT ("x" = "1")"#),
        ("doggos.age.value >= 2", r#""doggos.age.value" >= "2""#),
        ("rating >= -1.5e3", r#""rating" >= "-1.5e3""#),
    ];
    for (source, expected) in cases {
        assert_eq!(canonical(source), expected, "filter: {source}");
    }
}

#[test]
fn and_binds_tighter_than_or() {
    assert_eq!(
        canonical("a = 1 OR b = 2 AND c = 3"),
        r#"("a" = "1") OR (("b" = "2") AND ("c" = "3"))"#
    );
    assert_eq!(
        canonical("a = 1 AND b = 2 OR c = 3 OR d = 4 AND e = 5"),
        r#"(("a" = "1") AND ("b" = "2")) OR ("c" = "3") OR (("d" = "4") AND ("e" = "5"))"#
    );
}

#[test]
fn parentheses_group_and_whitespace_is_free() {
    assert_eq!(
        canonical(" ( a = 1 OR b = 2 )AND c = 3 "),
        r#"(("a" = "1") OR ("b" = "2")) AND ("c" = "3")"#
    );
    assert_eq!(canonical("(((a = 1)))"), r#""a" = "1""#);
    assert_eq!(canonical("a=1 AND(b=2)"), r#"("a" = "1") AND ("b" = "2")"#);
    assert_eq!(
        canonical("a = 1 OR\n\tb = 2"),
        r#"("a" = "1") OR ("b" = "2")"#
    );
}

#[test]
fn negations_fold_like_meilisearch() {
    assert_eq!(canonical("NOT NOT NOT NOT x = 5"), r#""x" = "5""#);
    assert_eq!(canonical("NOT NOT (NOT NOT x = 5)"), r#""x" = "5""#);
    assert_eq!(canonical("NOT x IS NOT NULL"), r#""x" IS NULL"#);
    assert_eq!(canonical("NOT x NOT EXISTS"), r#""x" EXISTS"#);
    assert_eq!(
        canonical("x = 1 OR NOT (c IN [g, b] OR c = g)"),
        r#"("x" = "1") OR (NOT (("c" IN ["g", "b"]) OR ("c" = "g")))"#
    );
}

#[test]
fn quoted_values_keep_spaces_keywords_and_escapes() {
    assert_eq!(
        canonical("'dog race' = \"Bernese Mountain\""),
        r#""dog race" = "Bernese Mountain""#
    );
    assert_eq!(
        canonical(r#"NOT "OR" EXISTS AND "EXISTS" NOT EXISTS"#),
        r#"(NOT ("OR" EXISTS)) AND (NOT ("EXISTS" EXISTS))"#
    );
    assert_eq!(canonical(r"title = 'foo\\'"), r#""title" = "foo\\""#);
    assert_eq!(canonical(r"title = 'foo\\\\'"), r#""title" = "foo\\\\""#);
    assert_eq!(
        canonical(r#"title = "I'm \"super\"""#),
        r#""title" = "I'm \"super\"""#
    );
    assert_eq!(canonical(r"title = 'it\'s'"), r#""title" = "it's""#);
    assert_eq!(
        canonical(r#"title = 'foo\x20\n\t\"\'"'"#),
        r#""title" = "foo \n\t\"'\"""#
    );
    assert_eq!(canonical(r"t = '\u{1F600}\u00e9\101'"), "\"t\" = \"😀éA\"");
    assert_eq!(canonical("t = ''"), r#""t" = """#);
}

#[test]
fn keywords_are_case_sensitive_like_meilisearch() {
    // Lowercase words are plain values, so `and` cannot join conditions...
    assert!(super::Filter::parse_str("a = 1 and b = 2").is_err());
    // ...but can be values and attributes.
    assert_eq!(canonical("and = or"), r#""and" = "or""#);
    assert_eq!(canonical("x = not"), r#""x" = "not""#);
}

#[test]
fn array_form_ands_outer_items_and_ors_inner_arrays() {
    let parsed = parse_json(json!([
        ["genres = Action", "genres = Comedy"],
        "year >= 2010"
    ]))
    .unwrap()
    .unwrap();
    assert_eq!(
        parsed.to_string(),
        r#"(("genres" = "Action") OR ("genres" = "Comedy")) AND ("year" >= "2010")"#
    );
    let single = parse_json(json!([["a = 1"], "", [""]])).unwrap().unwrap();
    assert_eq!(single.to_string(), r#""a" = "1""#);
    let string = parse_json(json!("a = 1")).unwrap().unwrap();
    assert_eq!(string, single);
}

#[test]
fn attributes_are_listed_in_meilisearch_check_order_with_spans() {
    let parsed = filter("a = 1 AND (NOT 'b c' EXISTS OR d IN [1]) AND e 1 TO 2");
    let names: Vec<String> = parsed
        .attributes()
        .iter()
        .map(|a| a.name().to_owned())
        .collect();
    assert_eq!(names, ["e", "d", "b c", "a"]);
    let attributes = parsed.attributes();
    let quoted = &attributes[2];
    assert_eq!(quoted.byte_span(), 16..19);
    assert_eq!(&quoted.source()[quoted.byte_span()], "b c");
    assert_eq!(quoted.position(), format!("17:20 {}", quoted.source()));

    let from_array = parse_json(json!(["x = 1", ["y = 2"]])).unwrap().unwrap();
    let sources: Vec<(String, String)> = from_array
        .attributes()
        .iter()
        .map(|a| (a.name().to_owned(), a.source().to_owned()))
        .collect();
    assert_eq!(
        sources,
        [
            ("y".to_owned(), "y = 2".to_owned()),
            ("x".to_owned(), "x = 1".to_owned())
        ]
    );
}
