//! Evaluation follows Meilisearch's facet semantics.

use serde_json::{json, Value};

use super::{document, filter, matches, parse_json};

/// The `movies` index as it stands when the recorded search fixtures run
/// (`/work/shared/meili-fixtures/documents.json`: 12 movies, two NDJSON additions, rating of
/// movie 1 updated, the other additions deleted).
fn movies() -> Vec<Value> {
    let mut movies = vec![
        json!({"id": 1, "title": "Carol", "genres": ["Romance", "Drama"], "year": 2015, "rating": 7.3, "director": "Todd Haynes"}),
        json!({"id": 2, "title": "Wonder Woman", "genres": ["Action", "Adventure"], "year": 2017, "rating": 7.4, "director": "Patty Jenkins"}),
        json!({"id": 3, "title": "Life of Pi", "genres": ["Adventure", "Drama"], "year": 2012, "rating": 7.9, "director": "Ang Lee"}),
        json!({"id": 4, "title": "Mad Max: Fury Road", "genres": ["Adventure", "Science Fiction"], "year": 2015, "rating": 8.1, "director": "George Miller"}),
        json!({"id": 5, "title": "Moana", "genres": ["Fantasy", "Action"], "year": 2016, "rating": 7.6, "director": "Ron Clements"}),
        json!({"id": 6, "title": "Philadelphia", "genres": ["Drama"], "year": 1993, "rating": 7.7, "director": "Jonathan Demme"}),
        json!({"id": 7, "title": "The Dark Knight", "genres": ["Action", "Crime", "Drama"], "year": 2008, "rating": 9.0, "director": "Christopher Nolan"}),
        json!({"id": 8, "title": "Inception", "genres": ["Action", "Science Fiction"], "year": 2010, "rating": 8.8, "director": "Christopher Nolan"}),
        json!({"id": 9, "title": "Interstellar", "genres": ["Adventure", "Drama", "Science Fiction"], "year": 2014, "rating": 8.7, "director": "Christopher Nolan"}),
        json!({"id": 10, "title": "The Prestige", "genres": ["Drama", "Mystery"], "year": 2006, "rating": 8.5, "director": "Christopher Nolan"}),
        json!({"id": 11, "title": "Dark Waters", "genres": ["Drama"], "year": 2019, "rating": 7.6, "director": "Todd Haynes", "tags": []}),
        json!({"id": 12, "title": "Knight and Day", "genres": ["Action", "Comedy"], "year": 2010, "rating": 6.3, "director": "James Mangold", "tags": null}),
    ];
    movies.push(json!({"id": 100, "title": "Ndjson movie 0", "year": 2000, "genres": ["Documentary"], "rating": 5.0, "director": "Nd"}));
    movies.push(json!({"id": 101, "title": "Ndjson movie 1", "year": 2001, "genres": ["Documentary"], "rating": 5.1, "director": "Nd"}));
    movies
}

/// Ids of the movies matched by a JSON filter, in id order.
fn matching_ids(filter_value: Value) -> Vec<u64> {
    let parsed = parse_json(filter_value).unwrap().unwrap();
    movies()
        .into_iter()
        .filter(|movie| parsed.matches(&document(movie.clone())))
        .filter_map(|movie| movie["id"].as_u64())
        .collect()
}

#[test]
fn recorded_search_fixtures_select_the_same_documents() {
    assert_eq!(
        matching_ids(json!("year > 2010 AND genres = Drama")),
        [1, 3, 9, 11]
    );
    assert_eq!(
        matching_ids(json!([
            ["genres = Action", "genres = Comedy"],
            "year >= 2010"
        ])),
        [2, 5, 8, 12]
    );
    assert_eq!(
        matching_ids(json!("director IN ['Todd Haynes', 'Ang Lee']")),
        [1, 3, 11]
    );
    assert_eq!(
        matching_ids(json!("tags IS EMPTY OR tags IS NULL")),
        [11, 12]
    );
    assert_eq!(matching_ids(json!("rating 7 TO 8")), [1, 2, 3, 5, 6, 11]);
    assert_eq!(matching_ids(json!("year < 2000")), [6]);
}

#[test]
fn equality_is_case_insensitive_and_numeric_aware() {
    let doc = json!({"genre": "Science Fiction", "year": 2010, "score": "10", "flag": true});
    assert!(matches("genre = 'science fiction'", doc.clone()));
    assert!(matches("genre = '  SCIENCE FICTION '", doc.clone()));
    assert!(!matches("genre = science", doc.clone()));
    assert!(matches("year = 2010", doc.clone()));
    assert!(matches("year = 2010.0", doc.clone()));
    assert!(matches("year = 2.01e3", doc.clone()));
    assert!(!matches("year = '2010x'", doc.clone()));
    // A string facet is only compared as a string.
    assert!(matches("score = 10", doc.clone()));
    assert!(!matches("score = 10.0", doc.clone()));
    // Booleans are the string facets "true" / "false".
    assert!(matches("flag = true", doc.clone()));
    assert!(matches("flag = TRUE", doc.clone()));
    assert!(!matches("flag = false", doc.clone()));
    assert!(!matches("flag = 1", doc));
}

#[test]
fn not_equal_is_the_negation_of_equal_so_missing_fields_match() {
    let doc = json!({"genres": ["Action", "Drama"], "year": 2010});
    assert!(!matches("genres != drama", doc.clone()));
    assert!(matches("genres != comedy", doc.clone()));
    assert!(matches("missing != 1", doc.clone()));
    assert!(matches("NOT missing = 1", doc.clone()));
    assert!(!matches("year != 2010", doc));
}

#[test]
fn unknown_attributes_match_nothing_inside_an_index() {
    let parsed = filter("missing != 1");
    let doc = document(json!({"year": 2010}));
    assert!(!parsed.matches_in_index(&doc, &|name| name == "year"));
    assert!(filter("NOT missing = 1").matches_in_index(&doc, &|name| name == "year"));
    assert!(filter("year != 1").matches_in_index(&doc, &|name| name == "year"));
}

#[test]
fn comparisons_cover_numbers_and_strings() {
    let doc = json!({"year": 2010, "title": "Moana", "rating": 7.5});
    assert!(matches("year > 2009", doc.clone()));
    assert!(!matches("year > 2010", doc.clone()));
    assert!(matches("year >= 2010", doc.clone()));
    assert!(matches("year < 2011", doc.clone()));
    assert!(!matches("year < 2010", doc.clone()));
    assert!(matches("year <= 2010", doc.clone()));
    assert!(matches("rating 7.5 TO 8", doc.clone()));
    assert!(matches("rating 7 TO 7.5", doc.clone()));
    assert!(!matches("rating 8 TO 7", doc.clone()));
    // Strings compare lexicographically on their normalised form.
    assert!(matches("title > MAD", doc.clone()));
    assert!(matches("title >= moana", doc.clone()));
    assert!(!matches("title > moana", doc.clone()));
    assert!(matches("title < Zorro", doc.clone()));
    assert!(matches("title a TO n", doc.clone()));
    assert!(!matches("title n TO z", doc.clone()));
    // A numeric facet is not compared with a non-numeric operand.
    assert!(!matches("year > abc", doc.clone()));
    assert!(!matches("year 2000 TO abc", doc.clone()));
    // A string facet is compared with a numeric operand as a string.
    assert!(matches("title > 2000", doc));
    assert!(matches("year < 2000", json!({"year": "1999"})));
    assert!(matches("year < 2000", json!({"year": "10000"})));
}

#[test]
fn in_matches_any_listed_value() {
    let doc = json!({"genres": ["Action", "Drama"], "year": 2010});
    assert!(matches("genres IN [comedy, drama]", doc.clone()));
    assert!(!matches("genres IN [comedy, horror]", doc.clone()));
    assert!(matches("year IN [1999, 2010]", doc.clone()));
    assert!(!matches("year IN []", doc.clone()));
    assert!(matches("genres NOT IN [comedy]", doc.clone()));
    assert!(!matches("genres NOT IN [action]", doc));
}

#[test]
fn exists_null_and_empty() {
    let doc = json!({"null": null, "empty_string": "", "blank": "  ", "empty_array": [], "empty_object": {}, "zero": 0, "nested_null": [null], "nested_empty": [[]]});
    for (attribute, exists, is_null, is_empty) in [
        ("null", true, true, false),
        ("empty_string", true, false, true),
        ("blank", true, false, false),
        ("empty_array", true, false, true),
        ("empty_object", true, false, true),
        ("zero", true, false, false),
        ("nested_null", true, false, false),
        ("nested_empty", true, false, false),
        ("missing", false, false, false),
    ] {
        assert_eq!(
            matches(&format!("{attribute} EXISTS"), doc.clone()),
            exists,
            "{attribute} EXISTS"
        );
        assert_eq!(
            matches(&format!("{attribute} NOT EXISTS"), doc.clone()),
            !exists,
            "{attribute} NOT EXISTS"
        );
        assert_eq!(
            matches(&format!("{attribute} IS NULL"), doc.clone()),
            is_null,
            "{attribute} IS NULL"
        );
        assert_eq!(
            matches(&format!("{attribute} IS NOT NULL"), doc.clone()),
            !is_null,
            "{attribute} IS NOT NULL"
        );
        assert_eq!(
            matches(&format!("{attribute} IS EMPTY"), doc.clone()),
            is_empty,
            "{attribute} IS EMPTY"
        );
        assert_eq!(
            matches(&format!("{attribute} IS NOT EMPTY"), doc.clone()),
            !is_empty,
            "{attribute} IS NOT EMPTY"
        );
    }
}

#[test]
fn nested_fields_reach_into_objects_and_arrays_of_objects() {
    let doc = json!({
        "doggos": [{"name": "Bobby", "age": 2}, {"name": "Buddy", "age": [4, 5], "vet": null}],
        "owner": {"address": {"city": "Lyon"}, "pets": {}},
        "flat.key": 1
    });
    assert!(matches("doggos.name = bobby", doc.clone()));
    assert!(matches("doggos.age = 5", doc.clone()));
    assert!(matches("doggos.age > 4", doc.clone()));
    assert!(!matches("doggos.age > 5", doc.clone()));
    assert!(matches("doggos.vet IS NULL", doc.clone()));
    assert!(matches("doggos EXISTS", doc.clone()));
    assert!(!matches("doggos.color EXISTS", doc.clone()));
    assert!(matches("owner.address.city = lyon", doc.clone()));
    assert!(matches("owner.address EXISTS", doc.clone()));
    assert!(matches("owner.pets IS EMPTY", doc.clone()));
    assert!(!matches("owner = lyon", doc.clone()));
    assert!(matches("flat.key = 1", doc.clone()));
    assert!(!matches("flat = 1", doc));
}

#[test]
fn contains_and_starts_with_test_normalised_strings() {
    let doc = json!({"title": "The Dark Knight", "year": 2008});
    assert!(matches("title CONTAINS 'dark kn'", doc.clone()));
    assert!(!matches("title CONTAINS light", doc.clone()));
    assert!(matches("title NOT CONTAINS light", doc.clone()));
    assert!(matches("title STARTS WITH 'THE D'", doc.clone()));
    assert!(!matches("title STARTS WITH dark", doc.clone()));
    assert!(matches("year STARTS WITH ''", doc.clone()));
    assert!(!matches("year STARTS WITH 20", doc));
}

#[test]
fn boolean_structure_not_and_or_parentheses() {
    let doc = json!({"a": 1, "b": 2, "c": 3});
    assert!(matches("a = 1 OR b = 9 AND c = 9", doc.clone()));
    assert!(!matches("(a = 1 OR b = 9) AND c = 9", doc.clone()));
    assert!(matches("NOT (a = 2 OR b = 3)", doc.clone()));
    assert!(!matches("NOT a = 1 AND b = 2", doc.clone()));
    assert!(matches("NOT NOT a = 1", doc));
}

#[test]
fn long_strings_are_compared_truncated_like_meilisearch_facets() {
    let long = "x".repeat(600);
    let doc = json!({"text": long});
    assert!(matches(
        &format!("text = '{}'", "x".repeat(468)),
        doc.clone()
    ));
    assert!(!matches(&format!("text = '{}'", "x".repeat(600)), doc));
}
