"""Build data/ner_lexicon.json, the word lists the name tagger uses as features.

- ``first_names`` / ``surnames``: the US Census 1990 name lists (public domain) as
  shipped in the MIT-licensed ``names`` package (every first name; the 20,000 most
  frequent surnames), lower-cased;
- ``lowercase``: words seen in lower case in the NewsMTSC sentences (MIT, in
  data/newsmtsc/: train and both dev splits): a capitalised word that is also a common
  word ("Brown", "The") is a weaker sign of a name;
- ``places``: the one-word names, demonyms and capitals of data/gazetteer.json.

    .venv/bin/pip install names==0.3.0 && .venv/bin/python tools/build_ner_lexicon.py
"""
from __future__ import annotations

import json
import re
from collections import Counter
from importlib import metadata, resources
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data"
OUT = DATA / "ner_lexicon.json"
N_SURNAMES = 20_000


def census(name: str, limit: int | None = None) -> list[str]:
    lines = resources.files("names").joinpath(name).read_text(encoding="ascii").splitlines()
    return [line.split()[0].lower() for line in lines[:limit] if line.strip()]


def main() -> None:
    first = sorted(set(census("dist.male.first")) | set(census("dist.female.first")))
    surnames = sorted(set(census("dist.all.last", N_SURNAMES)))
    counts: Counter[str] = Counter()
    word = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
    for split in ("train", "dev_mt", "dev_rw"):
        with open(DATA / "newsmtsc" / f"{split}.jsonl", encoding="utf-8") as fh:
            for line in fh:
                counts.update(w for w in word.findall(json.loads(line)["sentence_normalized"]) if w.islower())
    lowercase = sorted(counts)
    gazetteer = json.loads((DATA / "gazetteer.json").read_text(encoding="utf-8"))["countries"]
    places = sorted({a.lower() for c in gazetteer for a in c["names"] + c["demonyms"] + c["capitals"]
                     if " " not in a})
    doc = {
        "about": "Word lists of the name tagger's features; built by tools/build_ner_lexicon.py.",
        "source": {"names": f"names {metadata.version('names')} (US Census 1990 lists, MIT package)",
                   "lowercase": "data/newsmtsc/*.jsonl (MIT)", "places": "data/gazetteer.json"},
        "first_names": first, "surnames": surnames, "lowercase": lowercase, "places": places,
    }
    OUT.write_text(json.dumps(doc, ensure_ascii=False, indent=0, sort_keys=True) + "\n", encoding="utf-8")
    print(f"{OUT.name}: {len(first)} first names, {len(surnames)} surnames, {len(lowercase)} lowercase words, "
          f"{len(places)} places")


if __name__ == "__main__":
    main()
