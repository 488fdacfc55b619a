"""Chinese word segmentation with jieba, loaded once per process.

jieba builds its prefix dictionary on first use (about a second; faster from its cache file),
so the tokenizer is made lazily, under a lock, and its cache file lives in VAR_DIR rather than
the system's temporary directory. `warm_up()` does the loading ahead of the first search.

Indexing and queries use the same search mode (`cut_for_search`), which adds the shorter words
inside a long one: 考试焦虑 is indexed as 考试, 焦虑 (and the whole word where jieba knows it),
so that a search for 焦虑 finds it.
"""

from __future__ import annotations

import logging
import threading
import unicodedata
from pathlib import Path
from typing import Any

from django.conf import settings

_lock = threading.Lock()
_tokenizer: Any = None

# Words too common to search for on their own (a query of only these is refused).
_STOP_TEXT = """
的 了 和 与 及 或 是 在 有 也 都 就 而 吗 呢 吧 啊 呀 哦 嗯 么 之 其 这 那 我 你 他 她 它
我们 你们 他们 一个 什么 怎么 怎样 如何 为什么 哪些 可以 能 会 要 不 没 很 还 把 被 对
从 到 让 给 a an the of to and or is in on for
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())
MAX_QUERY_CHARS = 40


def tokenizer() -> Any:
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                import jieba  # type: ignore[import-untyped]

                jieba.setLogLevel(logging.WARNING)
                cache_dir = Path(settings.VAR_DIR) / "cache"
                cache_dir.mkdir(parents=True, exist_ok=True)
                made = jieba.Tokenizer()
                made.tmp_dir = str(cache_dir)
                made.initialize()
                _tokenizer = made
    return _tokenizer


def warm_up() -> None:
    """Load the dictionary now (e.g. in a worker before it serves), not on the first search."""
    tokenizer()


def _is_word(token: str) -> bool:
    return any(unicodedata.category(ch)[0] in "LN" for ch in token)


def index_tokens(text: str) -> list[str]:
    """The words of *text* to index, in order (search mode, lower-cased, punctuation out)."""
    if not text:
        return []
    words = (token.strip().lower() for token in tokenizer().cut_for_search(text))
    return [word for word in words if word and _is_word(word)]


def query_terms(query: str) -> list[str]:
    """The words a document must contain to match *query*: its search-mode words without stop
    words, keeping only the shortest where one contains another (考试焦虑 needs 考试 and 焦虑,
    not also the long word, which a text saying 考试时的焦虑 would lack). Empty when nothing is
    left to search for."""
    words = [word for word in dict.fromkeys(index_tokens(query)) if word not in STOP_WORDS]
    return [word for word in words if not any(o != word and o in word for o in words)]


def highlight_terms(query: str) -> list[str]:
    """Every word of *query* worth marking in a result, longest first."""
    words = {word for word in index_tokens(query) if word not in STOP_WORDS}
    return sorted(words, key=lambda word: (-len(word), word))
