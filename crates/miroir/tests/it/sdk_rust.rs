//! The official Rust SDK (`meilisearch-sdk` from crates.io), unmodified, against a Miroir
//! cluster of 3 peers in front of 3 test nodes: one application's life — create an index, set
//! filterable and sortable attributes, add documents, wait for every task, search with a
//! filter, facets, sort and a keyword, read a document, page through all documents, delete the
//! index. Every task is awaited with the SDK's own `wait_for_completion`, so the task shapes
//! are parsed by the SDK's types.

use std::collections::BTreeSet;
use std::time::Duration;

use meilisearch_sdk::client::Client;
use meilisearch_sdk::documents::DocumentsQuery;
use meilisearch_sdk::errors::{Error, ErrorCode};
use meilisearch_sdk::search::Selectors;
use meilisearch_sdk::task_info::TaskInfo;
use serde::{Deserialize, Serialize};
use tempfile::TempDir;

use crate::cluster::{start_cluster, Layout, Nodes, CLIENT_KEY};

const INDEX_UID: &str = "sdk_rust_movies";
const MOVIES: u64 = 150;
const GENRES: [&str; 3] = ["drama", "comedy", "western"];
const PAGE: usize = 25;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Movie {
    id: u64,
    title: String,
    genre: String,
    year: u64,
}

fn movie(id: u64) -> Movie {
    Movie {
        id,
        title: format!("film number {id}"),
        genre: GENRES[(id % 3) as usize].to_owned(),
        // 37 is coprime with 70: years spread, not monotonic in the id.
        year: 1950 + (id * 37) % 70,
    }
}

async fn succeeded(client: &Client, task: TaskInfo, what: &str) {
    let task = task
        .wait_for_completion(
            client,
            Some(Duration::from_millis(25)),
            Some(Duration::from_secs(60)),
        )
        .await
        .unwrap_or_else(|error| panic!("{what}: {error}"));
    assert!(task.is_success(), "{what}: {task:?}");
}

async fn application_life(client: Client) {
    let created = client.create_index(INDEX_UID, Some("id")).await.unwrap();
    succeeded(&client, created, "create index").await;
    let index = client.index(INDEX_UID);

    let filterable = index
        .set_filterable_attributes(["genre", "year"])
        .await
        .unwrap();
    succeeded(&client, filterable, "filterable attributes").await;
    let sortable = index.set_sortable_attributes(["year"]).await.unwrap();
    succeeded(&client, sortable, "sortable attributes").await;
    let mut read_back = index.get_filterable_attributes().await.unwrap();
    read_back.sort();
    assert_eq!(read_back, ["genre", "year"]);

    let movies: Vec<Movie> = (0..MOVIES).map(movie).collect();
    let added = index.add_documents(&movies, Some("id")).await.unwrap();
    succeeded(&client, added, "add documents").await;

    let dramas = index
        .search()
        .with_filter("genre = drama")
        .with_facets(Selectors::Some(&["genre"]))
        .with_limit(200)
        .execute::<Movie>()
        .await
        .unwrap();
    let expected_dramas = movies.iter().filter(|m| m.genre == "drama").count();
    assert_eq!(dramas.hits.len(), expected_dramas);
    assert!(dramas.hits.iter().all(|hit| hit.result.genre == "drama"));
    let facets = dramas.facet_distribution.expect("facet distribution");
    assert_eq!(facets["genre"]["drama"], expected_dramas);

    let oldest = index
        .search()
        .with_sort(&["year:asc"])
        .with_limit(20)
        .execute::<Movie>()
        .await
        .unwrap();
    let mut years: Vec<u64> = movies.iter().map(|m| m.year).collect();
    years.sort_unstable();
    let hit_years: Vec<u64> = oldest.hits.iter().map(|hit| hit.result.year).collect();
    assert_eq!(hit_years, years[..20]);

    let keyword = index
        .search()
        .with_query("42")
        .execute::<Movie>()
        .await
        .unwrap();
    let keyword_ids: Vec<u64> = keyword.hits.iter().map(|hit| hit.result.id).collect();
    assert_eq!(keyword_ids, [42]);

    let seven: Movie = index.get_document("7").await.unwrap();
    assert_eq!(seven, movie(7));

    let mut listed = BTreeSet::new();
    let mut page_count = 0;
    for page in 0..(MOVIES as usize).div_ceil(PAGE) {
        let mut query = DocumentsQuery::new(&index);
        query.with_offset(page * PAGE).with_limit(PAGE);
        let documents = index.get_documents_with::<Movie>(&query).await.unwrap();
        assert_eq!(documents.total, MOVIES as u32);
        for document in documents.results {
            assert_eq!(document, movie(document.id));
            assert!(listed.insert(document.id), "{} listed twice", document.id);
        }
        page_count += 1;
    }
    assert_eq!(page_count, 6);
    assert_eq!(listed, (0..MOVIES).collect::<BTreeSet<_>>());

    let deleted = client.index(INDEX_UID).delete().await.unwrap();
    succeeded(&client, deleted, "delete index").await;
    match client.get_index(INDEX_UID).await {
        Err(Error::Meilisearch(error)) => assert_eq!(error.error_code, ErrorCode::IndexNotFound),
        other => panic!("the deleted index is still answered: {other:?}"),
    }
}

#[test]
fn rust_sdk_runs_unmodified_against_miroir() {
    let dir = TempDir::new().unwrap();
    let nodes = Nodes::start(3);
    let peers = start_cluster(&dir, &nodes.addresses(), &Layout::single_group(3));
    let client = Client::new(
        format!("http://{}", peers[1].serving.http),
        Some(CLIENT_KEY),
    )
    .unwrap();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(application_life(client));
}
