"""Count the words in a text and report the most common ones."""

import re
import sys

WORD_PATTERN = re.compile(r"[A-Za-z0-9']+")


def count_words(text: str) -> dict[str, int]:
    """Return how many times each word occurs in ``text``.

    A word is a maximal run of letters, digits and apostrophes. Words are
    counted case-insensitively (the keys are lower-case) and leading or
    trailing apostrophes are stripped; a token that becomes empty is ignored.
    """
    counts: dict[str, int] = {}
    for token in WORD_PATTERN.findall(text):
        word = token.strip("'").lower()
        if word:
            counts[word] = counts.get(word, 0) + 1
    return counts


def top_words(counts: dict[str, int], n: int) -> list[tuple[str, int]]:
    """Return the ``n`` most common ``(word, count)`` pairs.

    Pairs are ordered by count, highest first; ties are broken alphabetically.
    If ``n`` exceeds the number of words, all pairs are returned.

    Raises:
        ValueError: if ``n`` is negative.
    """
    if n < 0:
        raise ValueError(f"n must not be negative, got {n}")
    ranked = sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))
    return ranked[:n]


def main() -> None:
    """Read stdin and print the top N words as ``word count`` lines.

    N is the first command-line argument (default 3).
    """
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    counts = count_words(sys.stdin.read())
    for word, count in top_words(counts, n):
        print(f"{word} {count}")


if __name__ == "__main__":
    main()
