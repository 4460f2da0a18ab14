"""Make english_words.tsv, the word list of the "Training" chapter (run once; not at book run time).

Source: the `wordfreq` package (Robyn Speer; code Apache-2.0, word-frequency data CC BY-SA 4.0,
https://github.com/rspeer/wordfreq). We keep the most frequent English words made only of the
letters a–z, 3 to 10 letters long, leaving out a short list of profanity
and slurs (EXCLUDE), in frequency order, with wordfreq's frequency (occurrences per
word of running text) rounded to 3 significant digits. The output is a derived work of the
CC BY-SA 4.0 data and is shared under the same licence.

    pip install wordfreq==3.1.1
    python book/data/make_wordlist.py
"""
from __future__ import annotations

import re
from pathlib import Path

N_WORDS = 4000
# Profanity and slurs are left out so that autocompletion examples stay classroom-safe.
EXCLUDE = set("""
ass asshole bastard bitch bitches bullshit cock crap cunt damn dick fag faggot fuck fucked fucker fucking
motherfucker nigga nigger porn pussy rape shit shitty slut whore retard retarded tits boobs
""".split())
OUT = Path(__file__).with_name("english_words.tsv")


def main() -> None:
    import wordfreq

    keep = []
    for w in wordfreq.top_n_list("en", 60_000):
        if re.fullmatch(r"[a-z]{3,10}", w) and w not in EXCLUDE:
            keep.append((w, wordfreq.word_frequency(w, "en")))
        if len(keep) == N_WORDS:
            break
    lines = [
        f"# {N_WORDS} most frequent English words (a-z only, 3-10 letters) from wordfreq "
        f"{wordfreq.__version__ if hasattr(wordfreq, '__version__') else '3.1.1'}",
        "# data: CC BY-SA 4.0 (wordfreq, Robyn Speer); made by book/data/make_wordlist.py",
        "word\tfrequency",
    ]
    lines += [f"{w}\t{f:.3g}" for w, f in keep]
    OUT.write_text("\n".join(lines) + "\n")
    print(f"wrote {len(keep)} words to {OUT}")


if __name__ == "__main__":
    main()
