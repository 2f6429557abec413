#!/usr/bin/env python3
"""Writes movies.json: 200 fictional, movie-like documents for scripts/dev-cluster.sh.

Every title, overview and name is made up from the word lists below (no real film data), and
the output is deterministic: run `python3 scripts/sample-data/generate.py` to regenerate the
same file.
"""

import json
import random
from pathlib import Path

ADJECTIVES = [
    "Silent", "Crimson", "Hidden", "Last", "Golden", "Broken", "Midnight", "Distant",
    "Frozen", "Electric", "Quiet", "Wandering", "Paper", "Iron", "Velvet", "Hollow",
]
NOUNS = [
    "Harbor", "Orchard", "Lantern", "Comet", "Garden", "Signal", "Canyon", "Lighthouse",
    "Engine", "Meadow", "Voyage", "Mirror", "Archive", "Island", "Bridge", "Compass",
]
GENRES = [
    "Drama", "Comedy", "Thriller", "Science Fiction", "Romance", "Adventure", "Animation",
    "Documentary", "Mystery", "Fantasy",
]
FIRST_NAMES = ["Ada", "Bruno", "Chiara", "Dmitri", "Elif", "Farah", "Goran", "Hana",
               "Ines", "Jonas", "Kaito", "Lucia", "Mateo", "Nadia", "Oskar", "Priya"]
LAST_NAMES = ["Albers", "Brandt", "Castillo", "Duval", "Eriksen", "Fontaine", "Gallo",
              "Hartmann", "Ivanova", "Jansen", "Kowalski", "Lindqvist", "Moreau", "Novak"]
HEROES = ["a retired cartographer", "an estranged sister", "a night-shift radio host",
          "a young beekeeper", "an exiled chess champion", "a stubborn ferry captain",
          "a clockmaker's apprentice", "a disgraced astronomer", "a travelling puppeteer",
          "a lonely lighthouse keeper"]
QUESTS = ["searches for a missing letter", "tries to save the family bakery",
          "uncovers a forgotten map", "races against a coming storm",
          "chases a signal from the sky", "learns to trust a stranger",
          "returns home after twenty years", "guards a secret for a whole winter"]
PLACES = ["a fishing town", "the old harbor district", "a mountain village", "a drifting city",
          "the edge of the desert", "a flooded valley", "an island observatory",
          "a crowded night market"]


def movie(movie_id: int, rng: random.Random) -> dict:
    """One fictional movie."""
    title = f"The {rng.choice(ADJECTIVES)} {rng.choice(NOUNS)}"
    if rng.random() < 0.25:
        title += f" {rng.choice(['II', 'Returns', 'Rising', 'at Dawn', 'of Glass'])}"
    genres = sorted(rng.sample(GENRES, rng.choice([1, 2, 2, 3])))
    return {
        "id": movie_id,
        "title": title,
        "overview": f"In {rng.choice(PLACES)}, {rng.choice(HEROES)} {rng.choice(QUESTS)}.",
        "genres": genres,
        "director": f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
        "year": rng.randint(1955, 2024),
        "rating": round(rng.uniform(3.0, 9.5), 1),
        "runtime": rng.randint(78, 172),
    }


def main() -> None:
    rng = random.Random(20261123)
    movies = [movie(movie_id, rng) for movie_id in range(1, 201)]
    target = Path(__file__).with_name("movies.json")
    target.write_text(
        "[\n" + ",\n".join(json.dumps(m, ensure_ascii=False) for m in movies) + "\n]\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    main()
