//! `text/csv` bodies: typed headers, quoting, delimiters, cell conversion and row numbers.

use serde_json::{json, Value};

use super::{assert_error, keys, object, parse_err, parse_ok};
use crate::error::ErrorCode;
use crate::payload::{parse_csv_delimiter, parse_documents, PayloadFormat};

const CSV: PayloadFormat = PayloadFormat::Csv;

/// The value of the single column `column` of each row.
fn column_values(body: &str, column: &str) -> Vec<Value> {
    parse_ok(CSV, body)
        .into_iter()
        .map(|mut document| document.remove(column).unwrap())
        .collect()
}

#[test]
fn typed_headers_convert_cells_and_untyped_columns_are_strings() {
    let body = "id,title:string,year:number,rating:number,seen:boolean\n\
                1,Carol,2015,7.2,true\n\
                002,  padded  , 1999 ,-3, false \n";
    assert_eq!(
        parse_ok(CSV, body),
        vec![
            object(json!({"id": "1", "title": "Carol", "year": 2015, "rating": 7.2, "seen": true})),
            object(
                json!({"id": "002", "title": "  padded  ", "year": 1999, "rating": -3, "seen": false})
            ),
        ]
    );
}

#[test]
fn empty_cells_are_null_and_blank_typed_cells_too() {
    let body = "name,count:number,flag:boolean,note\n,,,\nx,  ,  , \n";
    assert_eq!(
        parse_ok(CSV, body),
        vec![
            object(json!({"name": null, "count": null, "flag": null, "note": null})),
            object(json!({"name": "x", "count": null, "flag": null, "note": " "})),
        ]
    );
}

#[test]
fn quoted_fields_hold_delimiters_quotes_and_newlines() {
    let body = "id,text\n1,\"Hello, world\"\n2,\"two\nlines\"\n3,\"say \"\"hi\"\"\"\n";
    assert_eq!(
        column_values(body, "text"),
        [
            json!("Hello, world"),
            json!("two\nlines"),
            json!("say \"hi\"")
        ]
    );
}

#[test]
fn a_header_splits_on_its_last_colon_and_unknown_types_stay_in_the_name() {
    let documents = parse_ok(CSV, "a:b:number,c:date,d:String\n1,2,3\n");
    assert_eq!(keys(&documents[0]), ["a:b", "c:date", "d:String"]);
    assert_eq!(
        documents[0],
        object(json!({"a:b": 1, "c:date": "2", "d:String": "3"}))
    );
}

#[test]
fn numbers_are_integers_when_they_fit_else_floats_and_non_finite_floats_are_null() {
    let body = "n:number\n42\n+7\n-0\n9223372036854775807\n9223372036854775808\n1.50\n1e3\nNaN\ninf\n1e999\n";
    let rendered: Vec<String> = column_values(body, "n")
        .iter()
        .map(|value| serde_json::to_string(value).unwrap())
        .collect();
    assert_eq!(
        rendered,
        [
            "42",
            "7",
            "0",
            "9223372036854775807",
            "9.223372036854776e+18",
            "1.5",
            "1000.0",
            "null",
            "null",
            "null"
        ]
    );
}

#[test]
fn a_bad_typed_cell_names_its_row_counted_from_the_first_data_row() {
    assert_error(
        &parse_err(CSV, "id,n:number\n1,2\n2, 3x \n"),
        ErrorCode::MalformedPayload,
        "The `csv` payload provided is malformed: `Error parsing number \" 3x \" at line 2: invalid float literal`.",
    );
    assert_error(
        &parse_err(CSV, "id,ok:boolean\n1,true\n2,false\n3,TRUE\n"),
        ErrorCode::MalformedPayload,
        "The `csv` payload provided is malformed: `Error parsing boolean \"TRUE\" at line 3: provided string was not `true` or `false``.",
    );
}

#[test]
fn a_header_without_rows_or_a_blank_body_holds_no_document() {
    assert_eq!(parse_ok(CSV, "id,title\n"), vec![]);
    assert_eq!(parse_ok(CSV, "\n"), vec![]);
}

#[test]
fn a_repeated_column_keeps_its_first_place_and_last_value() {
    let documents = parse_ok(CSV, "a,b,a\n1,2,3\n");
    assert_eq!(keys(&documents[0]), ["a", "b"]);
    assert_eq!(documents[0]["a"], json!("3"));
}

#[test]
fn a_custom_delimiter_splits_the_rows() {
    for (param, body) in [(";", "id;price\n1;2,5\n"), ("\t", "id\tprice\n1\t2,5\n")] {
        let delimiter = parse_csv_delimiter(param).unwrap();
        assert_eq!(delimiter, param.as_bytes()[0]);
        let documents = parse_documents(CSV, body.as_bytes(), Some(delimiter)).unwrap();
        assert_eq!(documents, vec![object(json!({"id": "1", "price": "2,5"}))]);
    }
}

#[test]
fn invalid_utf8_is_malformed_with_the_csv_reader_message() {
    let error = parse_documents(CSV, b"id,title\n1,caf\xe9\n", None).unwrap_err();
    assert_error(
        &error,
        ErrorCode::MalformedPayload,
        "The `csv` payload provided is malformed: `CSV parse error: record 1 (line 2, field: 1, byte: 9): invalid utf-8: invalid UTF-8 in field 1 near byte index 3`.",
    );
}
