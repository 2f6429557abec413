//! The document writes recorded from a real Meilisearch 1.50 (`documents.json`), replayed
//! through the parsers: every payload error the recording holds is reproduced byte for byte
//! (full error body), and every accepted body yields the documents that were sent.

use serde_json::{json, Value};

use super::{keys, object, parse_ok};
use crate::payload::{parse_documents, PayloadFormat};

/// A recorded document write the node refused: request `Content-Type` and body, then the
/// response status and its compact body.
struct RecordedRefusal {
    note: &'static str,
    content_type: &'static str,
    body: &'static str,
    status: u16,
    response_body: &'static str,
}

/// Exchanges 20 (malformed payload), 21 (unsupported content type), 22 (empty payload).
const RECORDED_REFUSALS: &[RecordedRefusal] = &[
    RecordedRefusal {
        note: "malformed payload",
        content_type: "application/json",
        body: r#"[{"id": 1,"#,
        status: 400,
        response_body: r#"{"message":"The `json` payload provided is malformed. `Couldn't serialize document value: EOF while parsing an object at line 1 column 10`.","code":"malformed_payload","type":"invalid_request","link":"https://docs.meilisearch.com/errors#malformed_payload"}"#,
    },
    RecordedRefusal {
        note: "unsupported content type",
        content_type: "application/xml",
        body: "id\n1\n",
        status: 415,
        response_body: r#"{"message":"The Content-Type `application/xml` is invalid. Accepted values for the Content-Type header are: `application/json`, `application/x-ndjson`, `text/csv`","code":"invalid_content_type","type":"invalid_request","link":"https://docs.meilisearch.com/errors#invalid_content_type"}"#,
    },
    RecordedRefusal {
        note: "empty payload",
        content_type: "application/json",
        body: "",
        status: 400,
        response_body: r#"{"message":"A json payload is missing.","code":"missing_payload","type":"invalid_request","link":"https://docs.meilisearch.com/errors#missing_payload"}"#,
    },
];

#[test]
fn recorded_refusals_are_reproduced_byte_for_byte() {
    for recorded in RECORDED_REFUSALS {
        let outcome = PayloadFormat::negotiate(Some(recorded.content_type), None)
            .and_then(|format| parse_documents(format, recorded.body.as_bytes(), None));
        let error = match outcome {
            Ok(documents) => panic!("{}: accepted as {documents:?}", recorded.note),
            Err(error) => error,
        };
        assert_eq!(error.http_status(), recorded.status, "{}", recorded.note);
        let body = serde_json::to_string(&error.to_body()).unwrap();
        assert_eq!(body, recorded.response_body, "{}", recorded.note);
    }
}

/// Exchange 0: a JSON array of 12 movies (task 3 reports `receivedDocuments: 12`).
const RECORDED_JSON_BODY: &str = r#"[{"id": 1, "title": "Carol", "genres": ["Romance", "Drama"], "year": 2015, "rating": 7.2, "director": "Todd Haynes"}, {"id": 2, "title": "Wonder Woman", "genres": ["Action", "Adventure"], "year": 2017, "rating": 7.4, "director": "Patty Jenkins"}, {"id": 3, "title": "Life of Pi", "genres": ["Adventure", "Drama"], "year": 2012, "rating": 7.9, "director": "Ang Lee"}, {"id": 4, "title": "Mad Max: Fury Road", "genres": ["Adventure", "Science Fiction"], "year": 2015, "rating": 8.1, "director": "George Miller"}, {"id": 5, "title": "Moana", "genres": ["Fantasy", "Action"], "year": 2016, "rating": 7.6, "director": "Ron Clements"}, {"id": 6, "title": "Philadelphia", "genres": ["Drama"], "year": 1993, "rating": 7.7, "director": "Jonathan Demme"}, {"id": 7, "title": "The Dark Knight", "genres": ["Action", "Crime", "Drama"], "year": 2008, "rating": 9.0, "director": "Christopher Nolan"}, {"id": 8, "title": "Inception", "genres": ["Action", "Science Fiction"], "year": 2010, "rating": 8.8, "director": "Christopher Nolan"}, {"id": 9, "title": "Interstellar", "genres": ["Adventure", "Drama", "Science Fiction"], "year": 2014, "rating": 8.7, "director": "Christopher Nolan"}, {"id": 10, "title": "The Prestige", "genres": ["Drama", "Mystery"], "year": 2006, "rating": 8.5, "director": "Christopher Nolan"}, {"id": 11, "title": "Dark Waters", "genres": ["Drama"], "year": 2019, "rating": 7.6, "director": "Todd Haynes", "tags": []}, {"id": 12, "title": "Knight and Day", "genres": ["Action", "Comedy"], "year": 2010, "rating": 6.3, "director": "James Mangold", "tags": null}]"#;

/// Exchange 2: three NDJSON movies.
const RECORDED_NDJSON_BODY: &str = "{\"id\": 100, \"title\": \"Ndjson movie 0\", \"year\": 2000, \"genres\": [\"Documentary\"], \"rating\": 5.0, \"director\": \"Nd\"}\n{\"id\": 101, \"title\": \"Ndjson movie 1\", \"year\": 2001, \"genres\": [\"Documentary\"], \"rating\": 5.1, \"director\": \"Nd\"}\n{\"id\": 102, \"title\": \"Ndjson movie 2\", \"year\": 2002, \"genres\": [\"Documentary\"], \"rating\": 5.2, \"director\": \"Nd\"}";

/// Exchange 3: two untyped CSV rows (task 5 reports `receivedDocuments: 2`).
const RECORDED_CSV_BODY: &str =
    "id,title,year,director\n200,Csv one,1999,Cee\n201,Csv two,2001,Cee\n";

#[test]
fn recorded_json_array_yields_the_documents_sent() {
    let format = PayloadFormat::negotiate(Some("application/json"), None).unwrap();
    let documents = parse_ok(format, RECORDED_JSON_BODY);
    let sent: Vec<Value> = serde_json::from_str(RECORDED_JSON_BODY).unwrap();
    assert_eq!(documents.len(), 12);
    let parsed: Vec<Value> = documents.into_iter().map(Value::Object).collect();
    assert_eq!(parsed, sent);
    assert_eq!(
        serde_json::to_string(&parsed[6]).unwrap(),
        r#"{"id":7,"title":"The Dark Knight","genres":["Action","Crime","Drama"],"year":2008,"rating":9.0,"director":"Christopher Nolan"}"#,
        "key order and the float 9.0 are kept"
    );
}

#[test]
fn recorded_ndjson_yields_three_documents_in_key_order() {
    let format = PayloadFormat::negotiate(Some("application/x-ndjson"), None).unwrap();
    let documents = parse_ok(format, RECORDED_NDJSON_BODY);
    assert_eq!(documents.len(), 3);
    assert_eq!(
        keys(&documents[0]),
        ["id", "title", "year", "genres", "rating", "director"]
    );
    assert_eq!(
        documents[2],
        object(json!({"id": 102, "title": "Ndjson movie 2", "year": 2002,
            "genres": ["Documentary"], "rating": 5.2, "director": "Nd"}))
    );
    assert_eq!(
        serde_json::to_string(&documents[0]["rating"]).unwrap(),
        "5.0"
    );
}

#[test]
fn recorded_csv_yields_two_documents_of_strings() {
    let format = PayloadFormat::negotiate(Some("text/csv"), None).unwrap();
    let documents = parse_ok(format, RECORDED_CSV_BODY);
    assert_eq!(
        documents,
        vec![
            object(json!({"id": "200", "title": "Csv one", "year": "1999", "director": "Cee"})),
            object(json!({"id": "201", "title": "Csv two", "year": "2001", "director": "Cee"})),
        ]
    );
}
