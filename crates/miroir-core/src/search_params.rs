//! `GET /indexes/{uid}/search`: the query-string parameters turned into the equivalent JSON
//! body of a `POST` search, so both go through one scatter-gather path. Anything this module
//! does not recognise or cannot convert yields `None`: the caller then forwards the request
//! unchanged to a node, which answers with Meilisearch's own error.

use serde_json::{Map, Number, Value};

/// How one GET parameter maps onto the JSON body.
#[derive(Clone, Copy)]
enum Kind {
    Text,
    Integer,
    Float,
    Boolean,
    CommaList,
}

/// Meilisearch's `GET` search parameters (vector and hybrid ones are left to the nodes).
const PARAMETERS: &[(&str, Kind)] = &[
    ("q", Kind::Text),
    ("offset", Kind::Integer),
    ("limit", Kind::Integer),
    ("page", Kind::Integer),
    ("hitsPerPage", Kind::Integer),
    ("attributesToRetrieve", Kind::CommaList),
    ("retrieveVectors", Kind::Boolean),
    ("attributesToCrop", Kind::CommaList),
    ("cropLength", Kind::Integer),
    ("attributesToHighlight", Kind::CommaList),
    ("filter", Kind::Text),
    ("sort", Kind::CommaList),
    ("distinct", Kind::Text),
    ("showMatchesPosition", Kind::Boolean),
    ("showRankingScore", Kind::Boolean),
    ("showRankingScoreDetails", Kind::Boolean),
    ("facets", Kind::CommaList),
    ("highlightPreTag", Kind::Text),
    ("highlightPostTag", Kind::Text),
    ("cropMarker", Kind::Text),
    ("matchingStrategy", Kind::Text),
    ("attributesToSearchOn", Kind::CommaList),
    ("rankingScoreThreshold", Kind::Float),
    ("locales", Kind::CommaList),
];

/// The POST body equivalent to the (percent-encoded) query string `query`, or `None` when a
/// parameter is unknown, repeated or not convertible.
pub fn search_body_from_query(query: &str) -> Option<Map<String, Value>> {
    let mut body = Map::new();
    for (name, value) in form_urlencoded::parse(query.as_bytes()) {
        let (_, kind) = PARAMETERS.iter().find(|(known, _)| *known == name)?;
        let converted = convert(*kind, &value)?;
        if body.insert(name.into_owned(), converted).is_some() {
            return None;
        }
    }
    Some(body)
}

fn convert(kind: Kind, text: &str) -> Option<Value> {
    Some(match kind {
        Kind::Text => Value::String(text.to_owned()),
        Kind::Integer => Value::Number(Number::from(text.parse::<u64>().ok()?)),
        Kind::Float => Value::Number(Number::from_f64(text.parse::<f64>().ok()?)?),
        Kind::Boolean => Value::Bool(text.parse::<bool>().ok()?),
        Kind::CommaList => Value::Array(
            text.split(',')
                .map(|item| Value::String(item.trim().to_owned()))
                .collect(),
        ),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn parameters_become_the_post_body() {
        let body = search_body_from_query(
            "q=dark%20knight&limit=5&sort=year:desc,title:asc&facets=genres&showRankingScore=true&filter=year%20%3E%202000",
        )
        .unwrap();
        assert_eq!(
            Value::Object(body),
            json!({"q": "dark knight", "limit": 5, "sort": ["year:desc", "title:asc"],
                "facets": ["genres"], "showRankingScore": true, "filter": "year > 2000"})
        );
    }

    #[test]
    fn an_empty_query_is_an_empty_body() {
        assert_eq!(search_body_from_query(""), Some(Map::new()));
    }

    #[test]
    fn unknown_or_malformed_parameters_are_left_to_the_node() {
        assert_eq!(search_body_from_query("limit=ten"), None);
        assert_eq!(search_body_from_query("qq=x"), None);
        assert_eq!(search_body_from_query("showRankingScore=yes"), None);
        assert_eq!(search_body_from_query("q=a&q=b"), None);
    }
}
