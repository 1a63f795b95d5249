"""Linear time on pathological text: each stage of the text pipeline on repeated patterns.

For every pattern, the article text is the pattern repeated to ``n`` and to ``4 n``
characters; each stage (median of three runs: loading and sentence splitting, finding actors, sentiment,
quotes, the highlighted article in HTML) is timed on both, and the ratio of the two times is printed. A
linear stage gives about 4; a quadratic one 16. Exit status 1 when any ratio is above
``--max-ratio`` (default 8).

    python benchmarks/bench_pathological.py            # n = 50,000 characters
    python benchmarks/bench_pathological.py --n 250000 # 1 M characters at 4 n
"""
from __future__ import annotations

import argparse
import statistics
import sys
import time

from workbench import views
from workbench.actors import ActorMatcher, find_quotes
from workbench.loading import article_from_text
from workbench.sentiment import load_scorer, score_mentions

#: Pattern name → the unit repeated. Each stresses a regex or loop of the pipeline.
PATTERNS = {
    "dots": ".",
    "dot space": ". ",
    "Mr. ": "Mr. ",
    "Mr ": "Mr ",
    "US ": "US ",
    "capitals": "Deputy ",
    "titled capitals": "President Deputy Minister ",
    "initials": "J. ",
    "quotes": '"',
    "curly quotes": "“",
    "quote said": '"Yes," said ',
    "said comma": "said, ",
    "commas": ", ",
    "hyphens": "-",
    "capital hyphens": "Ange-",
    "Mc names": "McMc",
    "the company": "the company ",
    "General": "General ",
    "and capitals": "Air Force and Army and ",
    "parentheses": "(",
    "acronym": "(UN) ",
    "one word": "a",
    "newlines": "Niger\n",
    "blank lines": "Niger.\n\n",
    "apostrophes": "'s ",
    "demonym": "the Nigerian ",
    "sentence": "The US said on Monday that Niger was ready. ",
}


def stages(text: str, matcher: ActorMatcher, scorer) -> dict[str, float]:
    times = {}
    t = time.perf_counter()
    article = article_from_text(text)
    times["load"] = time.perf_counter() - t
    t = time.perf_counter()
    mentions = matcher.find(article)
    times["actors"] = time.perf_counter() - t
    t = time.perf_counter()
    scored = score_mentions(mentions, scorer)
    times["sentiment"] = time.perf_counter() - t
    t = time.perf_counter()
    find_quotes(article, scored)
    times["quotes"] = time.perf_counter() - t
    t = time.perf_counter()
    views.article_html(article, scored)
    times["html"] = time.perf_counter() - t
    return times


def median_stages(text: str, matcher: ActorMatcher, scorer, repeat: int) -> dict[str, float]:
    runs = [stages(text, matcher, scorer) for _ in range(repeat)]
    return {stage: statistics.median(run[stage] for run in runs) for stage in runs[0]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=50_000, help="characters of the smaller text")
    parser.add_argument("--max-ratio", type=float, default=8.0)
    parser.add_argument("--only", nargs="*", help="pattern names to run")
    parser.add_argument("--repeat", type=int, default=3, help="runs per size; the median is kept")
    args = parser.parse_args()
    matcher, scorer = ActorMatcher.from_file(None), load_scorer("linear")
    stages("The US and Niger met.", matcher, scorer)  # load the models outside the timings
    worst = 0.0
    print(f"{'pattern':<18} {'stage':<10} {'n s':>8} {'4n s':>8} {'ratio':>6}")
    for name, unit in PATTERNS.items():
        if args.only and name not in args.only:
            continue
        small = median_stages((unit * (args.n // len(unit) + 1))[:args.n] + " end", matcher, scorer, args.repeat)
        large = median_stages(
            (unit * (4 * args.n // len(unit) + 1))[: 4 * args.n] + " end", matcher, scorer, args.repeat
        )
        for stage in small:
            ratio = large[stage] / max(small[stage], 1e-3)  # below a millisecond is noise, not growth
            if large[stage] > 0.05:
                worst = max(worst, ratio)
            flag = "  <-- superlinear" if ratio > args.max_ratio and large[stage] > 0.05 else ""
            print(f"{name:<18} {stage:<10} {small[stage]:8.3f} {large[stage]:8.3f} {ratio:6.1f}{flag}", flush=True)
    print(f"worst ratio (stages over 50 ms): {worst:.1f}")
    return 1 if worst > args.max_ratio else 0


if __name__ == "__main__":
    sys.exit(main())
