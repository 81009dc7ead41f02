"""Time text twins against a plain ``str.replace`` pass over the same texts.

The data are 10^5 résumés from ``make_resumes`` (about 105 words each, with
the candidate's name and pronouns). Every timing is the best of 3
(``time.perf_counter``) unless stated otherwise; fitting is excluded.

Measured in one run, on the same texts:

1. the baseline: a plain ``str.replace`` pass, one call per text replacing
   the candidate's first name by another name;
2. ``make_twins`` with a ``first_name`` link only (no text link);
3. ``make_twins`` with ``first_name`` and ``resume="text"`` (names and
   gendered words rewritten): its ratio to 1. is the headline number, and
   the difference 3. - 2. the cost of the text link itself;
4. for reference, the gendered-word swap written the usual Python way (one
   ``re.sub`` per text with an alternation of every word form and a
   callback choosing the replacement), best of 1: the script checks that it
   gives exactly the texts of the vectorised swap.

Run with

    python benchmarks/bench_text.py
"""

import os
import platform
import re
import sys
import time

import mimesis
import numpy as np
import pandas as pd
import sklearn

from skcounterfactual import CounterfactualAugmenter, TextLink
from skcounterfactual._swap import swap_words, word_table
from skcounterfactual.datasets import make_resumes

N_ROWS = 10**5
REPEAT = 3


def best_of(repeat, function, *args):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function(*args)
        times.append(time.perf_counter() - start)
    return min(times), result


def replace_pass(texts, olds, news):
    return [t.replace(o, n) for t, o, n in zip(texts, olds, news, strict=True)]


def _forms(word):
    capital = word[:1].upper() + word[1:]
    if word != word.lower():
        return {"capital": capital, "upper": word.upper()}
    return {"lower": word, "capital": capital, "upper": word.upper()}


def _written(word, form):
    if form == "upper":
        return word.upper()
    return word[:1].upper() + word[1:] if form == "capital" else word


def regex_swapper(words, ambiguous, followers, adjectives):
    """The same swap with ``re``: one ``sub`` per text, a callback per word."""
    table = {}
    entries = [(k, (v, v)) for k, v in words.items()] + list(ambiguous.items())
    for key, (noun, other) in entries:
        for form, written in _forms(key).items():
            table[written] = (_written(noun, form), _written(other, form))
    follower_forms = {f for w in followers for f in _forms(w).values()}
    adjective_forms = {f for w in adjectives for f in _forms(w).values()}
    alternation = "|".join(sorted(map(re.escape, table), key=len, reverse=True))
    pattern = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)")
    following = re.compile(r"(\s{1,4})(\w+)")

    def replace(match):
        noun, other = table[match.group()]
        if noun == other:
            return noun
        after = following.match(match.string, match.end())
        if after is None:
            return other
        word = after.group(2)
        adverb = (
            len(word) > 4 and word[-2:].lower() == "ly" and word not in adjective_forms
        )
        return other if word in follower_forms or adverb else noun

    return lambda texts: [pattern.sub(replace, t) for t in texts]


def main():
    print(
        f"Python {platform.python_version()} on {platform.machine()}, "
        f"{os.cpu_count()} CPUs; numpy {np.__version__}, pandas {pd.__version__}, "
        f"scikit-learn {sklearn.__version__}, mimesis {mimesis.__version__}"
    )
    print(
        f"best of {REPEAT} unless stated; at start: load average "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}"
    )
    start = time.perf_counter()
    X, _ = make_resumes(N_ROWS, random_state=0)
    words = X["resume"].str.split().str.len()
    print(
        f"data: {N_ROWS:,} résumés, {words.mean():.0f} words on average "
        f"({X['resume'].str.len().sum() / 1e6:.1f} M characters), generated in "
        f"{time.perf_counter() - start:.1f} s"
    )
    names_only = CounterfactualAugmenter(
        protected="gender",
        links={"first_name": "first_name"},
        placebo=False,
        random_state=0,
    ).fit(X)
    with_text = CounterfactualAugmenter(
        protected="gender",
        links={"first_name": "first_name", "resume": "text"},
        placebo=False,
        random_state=0,
    ).fit(X)
    twins = with_text.make_twins(X).X
    texts = X["resume"].tolist()
    olds, news = X["first_name"].tolist(), twins["first_name"].tolist()

    base, _ = best_of(REPEAT, replace_pass, texts, olds, news)
    plain, _ = best_of(REPEAT, names_only.make_twins, X)
    text, twin_set = best_of(REPEAT, with_text.make_twins, X)
    counts = twin_set.provenance["text_substitutions"].to_numpy()
    print()
    print(f"{'method':<52}{'seconds':>9}{'vs replace':>12}")
    for label, seconds in (
        ("str.replace, one name per text (baseline)", base),
        ("make_twins, first_name link", plain),
        ("make_twins, first_name + resume='text'", text),
        ("  of which the text link", text - plain),
    ):
        print(f"{label:<52}{seconds:>9.3f}{seconds / base:>11.1f}x")
    print(
        f"substitutions per twin: {counts.mean():.1f} (min {counts.min()}, max "
        f"{counts.max()}); texts changed: {(counts > 0).mean():.1%}"
    )

    lexicon = TextLink().resolve()
    table = word_table(
        tuple(lexicon[0].items()),
        tuple((k, tuple(v)) for k, v in lexicon[1].items()),
        tuple(lexicon[2]),
        tuple(lexicon[3]),
    )
    vectorised, (swapped, _) = best_of(REPEAT, swap_words, texts, table)
    regex = regex_swapper(*lexicon)
    by_regex, expected = best_of(1, regex, texts)
    same = swapped == expected
    print()
    print("gendered-word swap alone, on the original texts")
    for label, seconds in (
        ("vectorised swap (numpy)", vectorised),
        ("re.sub with a callback, best of 1", by_regex),
    ):
        print(f"{label:<52}{seconds:>9.3f}{seconds / base:>11.1f}x")
    print(
        f"same texts from both: {same}; speed-up over re.sub: "
        f"{by_regex / vectorised:.1f}x"
    )
    print(f"at end: load average {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    if not same:
        sys.exit("the vectorised swap and re.sub disagree")


if __name__ == "__main__":
    main()
