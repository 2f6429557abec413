#!/usr/bin/env python3
"""One application's life against a Meilisearch endpoint, through the official Python SDK only.

Usage: python_sdk_flow.py <endpoint url> <api key>

Creates an index, writes 200 documents in two batches (add, then partial update), sets
filterable/sortable attributes and synonyms (read back; the test nodes do not apply synonyms, so
no search depends on them), checks filtered, faceted, sorted and keyword searches, single-document reads, offset/limit listing, a deletion, the task list, and finally
deletes the index. Every step prints a line; any broken expectation is an AssertionError (or the
SDK's own error) and a non-zero exit. Run by `crates/miroir/tests/it/sdk_python.rs` against a
Miroir cluster; it runs unchanged against a plain Meilisearch.
"""

import sys
import traceback

try:
    import meilisearch
    from meilisearch.errors import MeilisearchApiError
    from meilisearch.version import __version__ as SDK_VERSION
except ImportError as error:
    print(
        f"python_sdk_flow: cannot import the Meilisearch SDK ({error}); "
        "install it with `python3 -m pip install --user -r scripts/python-sdk-requirements.txt` "
        "(as .ci/run does)",
        file=sys.stderr,
    )
    sys.exit(3)

INDEX_UID = "sdk_python_movies"
DOCUMENT_COUNT = 200
FIRST_BATCH = range(0, 120)
SECOND_BATCH = range(120, DOCUMENT_COUNT)
GENRES = ("drama", "comedy", "horror", "western")
# Generous: a CI machine with two cores builds and tests other crates at the same time.
TASK_TIMEOUT_MS = 60_000
DELETED_ID = 17


def genre_of(movie_id):
    return GENRES[movie_id % len(GENRES)]


def year_of(movie_id):
    # 37 is coprime with 200, so years are spread and not monotonic in the id.
    return 1950 + (movie_id * 37) % 70


def title_of(movie_id):
    return f"film number {movie_id}"


def full_movie(movie_id):
    return {
        "id": movie_id,
        "title": title_of(movie_id),
        "genre": genre_of(movie_id),
        "year": year_of(movie_id),
    }


def step(message):
    print(f"python_sdk_flow: {message}", flush=True)


def wait_succeeded(client, task_info, what):
    """Waits for the task of `task_info` and asserts it succeeded; returns the finished task."""
    task = client.wait_for_task(task_info.task_uid, timeout_in_ms=TASK_TIMEOUT_MS)
    assert task.status == "succeeded", (
        f"{what}: task {task.uid} ended {task.status!r} with error {task.error}"
    )
    step(f"{what}: task {task.uid} ({task.type}) succeeded")
    return task


def ids_of(hits):
    return [hit["id"] for hit in hits]


def create_index(client):
    task_info = client.create_index(INDEX_UID, {"primaryKey": "id"})
    assert task_info.type == "indexCreation", f"create_index answered type {task_info.type!r}"
    task = wait_succeeded(client, task_info, "create index")
    index = client.get_index(INDEX_UID)
    assert index.uid == INDEX_UID, f"get_index returned uid {index.uid!r}"
    assert index.primary_key == "id", f"primary key is {index.primary_key!r}, expected 'id'"
    step(f"index {INDEX_UID!r} exists with primary key 'id'")
    return client.index(INDEX_UID), task.uid


def write_documents(client, index):
    """First batch: full documents with add_documents. Second batch: update_documents creating
    the rest without `title`, then update_documents adding only `title` to them (a partial update
    that must keep the other fields)."""
    task_uids = []
    added = index.add_documents([full_movie(movie_id) for movie_id in FIRST_BATCH])
    task = wait_succeeded(client, added, "add_documents (first batch)")
    assert task.details["receivedDocuments"] == len(FIRST_BATCH), task.details
    assert task.details["indexedDocuments"] == len(FIRST_BATCH), task.details
    task_uids.append(task.uid)

    untitled = [
        {"id": movie_id, "genre": genre_of(movie_id), "year": year_of(movie_id)}
        for movie_id in SECOND_BATCH
    ]
    created = index.update_documents(untitled)
    task = wait_succeeded(client, created, "update_documents (second batch, creating)")
    assert task.details["indexedDocuments"] == len(SECOND_BATCH), task.details
    task_uids.append(task.uid)

    titles = [{"id": movie_id, "title": title_of(movie_id)} for movie_id in SECOND_BATCH]
    titled = index.update_documents(titles)
    task = wait_succeeded(client, titled, "update_documents (second batch, partial update)")
    assert task.details["indexedDocuments"] == len(SECOND_BATCH), task.details
    task_uids.append(task.uid)

    stats = index.get_stats()
    assert stats.number_of_documents == DOCUMENT_COUNT, (
        f"stats count {stats.number_of_documents} documents, expected {DOCUMENT_COUNT}"
    )
    step(f"{DOCUMENT_COUNT} documents indexed")
    return task_uids


def update_settings(client, index):
    settings = {
        "filterableAttributes": ["genre", "year"],
        "sortableAttributes": ["year", "id"],
        "synonyms": {"movie": ["film"], "film": ["movie"]},
    }
    task = wait_succeeded(client, index.update_settings(settings), "update_settings")
    seen = index.get_settings()
    assert sorted(seen["filterableAttributes"]) == ["genre", "year"], (
        f"filterableAttributes read back as {seen['filterableAttributes']}"
    )
    assert sorted(seen["sortableAttributes"]) == ["id", "year"], (
        f"sortableAttributes read back as {seen['sortableAttributes']}"
    )
    assert seen["synonyms"] == settings["synonyms"], f"synonyms read back as {seen['synonyms']}"
    step("settings read back as written")
    return task.uid


def check_searches(index):
    everything = index.search("", {"limit": 0, "facets": ["genre"]})
    distribution = everything["facetDistribution"]["genre"]
    expected_distribution = {
        genre: sum(1 for movie_id in range(DOCUMENT_COUNT) if genre_of(movie_id) == genre)
        for genre in GENRES
    }
    assert distribution == expected_distribution, (
        f"facet distribution {distribution}, expected {expected_distribution}"
    )
    assert sum(distribution.values()) == DOCUMENT_COUNT, f"facet counts sum to {distribution}"
    assert everything["estimatedTotalHits"] == DOCUMENT_COUNT, (
        f"estimatedTotalHits {everything['estimatedTotalHits']}, expected {DOCUMENT_COUNT}"
    )
    step(f"facets over everything: {distribution}")

    dramas_after_2000 = sorted(
        (movie_id for movie_id in range(DOCUMENT_COUNT)
         if genre_of(movie_id) == "drama" and year_of(movie_id) >= 2000),
        key=lambda movie_id: (year_of(movie_id), movie_id),
    )
    filtered = index.search(
        "",
        {
            "filter": "genre = drama AND year >= 2000",
            "sort": ["year:asc", "id:asc"],
            "facets": ["genre", "year"],
            "limit": DOCUMENT_COUNT,
        },
    )
    assert ids_of(filtered["hits"]) == dramas_after_2000, (
        f"filtered+sorted ids {ids_of(filtered['hits'])}, expected {dramas_after_2000}"
    )
    assert filtered["estimatedTotalHits"] == len(dramas_after_2000), filtered["estimatedTotalHits"]
    assert filtered["facetDistribution"]["genre"] == {"drama": len(dramas_after_2000)}, (
        f"genre facets under the filter: {filtered['facetDistribution']['genre']}"
    )
    year_facets = filtered["facetDistribution"]["year"]
    assert sum(year_facets.values()) == len(dramas_after_2000), f"year facets {year_facets}"
    assert all(int(year) >= 2000 for year in year_facets), f"year facets {year_facets}"
    step(f"filter + sort + facets: {len(dramas_after_2000)} dramas from 2000 on, in order")

    newest_first = sorted(range(DOCUMENT_COUNT), key=lambda movie_id: (-year_of(movie_id), -movie_id))
    page = index.search("", {"sort": ["year:desc", "id:desc"], "offset": 10, "limit": 15})
    assert ids_of(page["hits"]) == newest_first[10:25], (
        f"sorted page ids {ids_of(page['hits'])}, expected {newest_first[10:25]}"
    )
    step("sort descending with offset/limit returns the expected slice")

    by_title = index.search("number 42", {"filter": f"genre = {genre_of(42)}"})
    assert ids_of(by_title["hits"])[:1] == [42], f"'number 42' found {ids_of(by_title['hits'])}"
    elsewhere = index.search("number 42", {"filter": f"genre != {genre_of(42)}"})
    assert 42 not in ids_of(elsewhere["hits"]), f"the filter let 42 through: {elsewhere['hits']}"
    step("a keyword search finds its document first, and only under a matching filter")


def check_single_documents(index):
    for movie_id in (0, 1, 119, 120, 150, DOCUMENT_COUNT - 1):
        document = dict(index.get_document(movie_id))
        assert document == full_movie(movie_id), (
            f"document {movie_id} reads back as {document}, expected {full_movie(movie_id)}"
        )
    partial = dict(index.get_document(150, {"fields": ["id", "year"]}))
    assert partial == {"id": 150, "year": year_of(150)}, f"fields=id,year gave {partial}"
    step("get_document returns documents as written (both batches, and with fields)")


def check_listing(index):
    """Pages through every document with offset/limit; pages must not overlap and must cover
    every id exactly once."""
    page_size = 30
    seen = []
    offset = 0
    while True:
        page = index.get_documents({"offset": offset, "limit": page_size})
        assert page.total == DOCUMENT_COUNT, f"listing total {page.total} at offset {offset}"
        assert page.offset == offset and page.limit == page_size, (
            f"listing echoed offset {page.offset}, limit {page.limit}"
        )
        ids = [document.id for document in page.results]
        expected_length = min(page_size, DOCUMENT_COUNT - offset)
        assert len(ids) == expected_length, (
            f"page at offset {offset} has {len(ids)} documents, expected {expected_length}"
        )
        overlap = set(ids) & set(seen)
        assert not overlap, f"page at offset {offset} repeats ids {sorted(overlap)}"
        seen.extend(ids)
        for document in page.results:
            assert dict(document) == full_movie(document.id), f"listed {dict(document)}"
        if len(ids) < page_size:
            break
        offset += page_size
    assert sorted(seen) == list(range(DOCUMENT_COUNT)), (
        f"listing covered {len(set(seen))} distinct ids, missing "
        f"{sorted(set(range(DOCUMENT_COUNT)) - set(seen))[:20]}"
    )
    step(f"get_documents pages of {page_size} cover all {DOCUMENT_COUNT} ids exactly once")


def delete_one(client, index):
    task = wait_succeeded(client, index.delete_document(DELETED_ID), "delete_document")
    assert task.details["deletedDocuments"] == 1, task.details
    try:
        document = index.get_document(DELETED_ID)
    except MeilisearchApiError as error:
        assert error.code == "document_not_found", f"reading a deleted document: {error}"
    else:
        raise AssertionError(f"document {DELETED_ID} still readable: {dict(document)}")
    found = index.search(f"number {DELETED_ID}", {"filter": f"genre = {genre_of(DELETED_ID)}"})
    assert DELETED_ID not in ids_of(found["hits"]), f"search still finds {DELETED_ID}"
    stats = index.get_stats()
    assert stats.number_of_documents == DOCUMENT_COUNT - 1, stats.number_of_documents
    step(f"document {DELETED_ID} is gone (404 document_not_found, not in search, stats count)")
    return task.uid


def check_tasks(client, index, flow_task_uids):
    listed = client.get_tasks({"indexUids": [INDEX_UID], "limit": 100})
    by_uid = {task.uid: task for task in listed.results}
    for uid in flow_task_uids:
        assert uid in by_uid, f"task {uid} missing from get_tasks: {sorted(by_uid)}"
        assert by_uid[uid].status == "succeeded", f"task {uid} listed as {by_uid[uid].status}"
        assert by_uid[uid].index_uid == INDEX_UID, f"task {uid} on index {by_uid[uid].index_uid}"
    assert listed.total >= len(flow_task_uids), f"get_tasks total {listed.total}"
    through_index = index.get_tasks({"statuses": ["succeeded"]})
    assert set(flow_task_uids) <= {task.uid for task in through_index.results}, (
        f"index.get_tasks lacks some of {flow_task_uids}"
    )
    step(f"get_tasks lists the flow's {len(flow_task_uids)} tasks, all succeeded")


def delete_index(client):
    task = wait_succeeded(client, client.delete_index(INDEX_UID), "delete_index")
    try:
        client.get_index(INDEX_UID)
    except MeilisearchApiError as error:
        assert error.code == "index_not_found", f"reading a deleted index: {error}"
    else:
        raise AssertionError(f"index {INDEX_UID} still exists after deletion")
    step("index deleted")
    return task.uid


def run(url, api_key):
    step(f"meilisearch python SDK {SDK_VERSION} against {url}")
    client = meilisearch.Client(url, api_key, timeout=30)
    assert client.is_healthy(), "the endpoint is not healthy"
    index, creation_uid = create_index(client)
    flow_task_uids = [creation_uid]
    flow_task_uids += write_documents(client, index)
    flow_task_uids.append(update_settings(client, index))
    check_searches(index)
    check_single_documents(index)
    check_listing(index)
    flow_task_uids.append(delete_one(client, index))
    check_tasks(client, index, flow_task_uids)
    delete_index(client)
    step("all steps held")


def main(argv):
    if len(argv) != 3:
        print(f"usage: {argv[0]} <endpoint url> <api key>", file=sys.stderr)
        return 2
    try:
        run(argv[1], argv[2])
    except Exception:  # noqa: BLE001 - any failure, SDK error or assertion, fails the flow.
        traceback.print_exc()
        print("python_sdk_flow: FAILED", file=sys.stderr, flush=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
