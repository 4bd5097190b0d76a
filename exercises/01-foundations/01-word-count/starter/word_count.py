"""Count the words in a text and report the most common ones."""

import re
import sys


def count_words(text: str) -> dict[str, int]:
    """Return how many times each word occurs in ``text``.

    A word is a maximal run of letters, digits and apostrophes (the regular
    expression ``[A-Za-z0-9']+``). Words are counted case-insensitively, so
    the keys of the result are lower-case. Leading and trailing apostrophes
    are stripped (``'hello'`` counts as ``hello``); a token that becomes
    empty is ignored.

    >>> count_words("The cat and THE hat.")
    {'the': 2, 'cat': 1, 'and': 1, 'hat': 1}
    """
    raise NotImplementedError


def top_words(counts: dict[str, int], n: int) -> list[tuple[str, int]]:
    """Return the ``n`` most common ``(word, count)`` pairs.

    Pairs are ordered by count, highest first; ties are broken
    alphabetically. If ``n`` exceeds the number of words, all pairs are
    returned.

    Raises:
        ValueError: if ``n`` is negative.

    >>> top_words({"bee": 2, "ant": 2, "cat": 5}, 2)
    [('cat', 5), ('ant', 2)]
    """
    raise NotImplementedError


def main() -> None:
    """Read all of stdin and print the top N words, one ``word count`` line each.

    N is the first command-line argument (``sys.argv[1]``); it defaults to 3.
    """
    raise NotImplementedError


if __name__ == "__main__":
    main()
