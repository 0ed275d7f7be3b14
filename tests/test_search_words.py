"""The site's Chinese search words (book/_ext/search-words.txt, d2l_site.BookSearchChinese).

Sphinx indexes a page under the words its language class splits the text into (jieba's
search mode for zh); the browser looks a query up as a whole word (a query term of three
or more characters matches inside longer indexed words only when no page has it whole).
These tests split the chapters' sources as the book build splits their pages, without a
build; tests/test_site.py::test_search searches the built site in a browser.
"""
import functools
import re
from pathlib import Path

import pytest

import d2l_site  # book/_ext/d2l_site.py (on pytest's pythonpath): the site's Sphinx additions

ROOT = Path(__file__).resolve().parents[1]

CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def splitter():
    """The search language of the book build, with its word list."""
    return d2l_site.BookSearchChinese({"dict": str(d2l_site.SEARCH_WORDS)})


@pytest.fixture(scope="module")
def page_words(splitter):
    """The words a chapter is indexed under, by its name (each chapter split once)."""
    return functools.cache(lambda page: indexed_words(splitter, (ROOT / "book" / f"{page}.md").read_text(encoding="utf-8")))


def indexed_words(splitter, text: str) -> set[str]:
    """The words Sphinx would index for `text` (split, stemmed, filtered as IndexBuilder does)."""
    return {word for word in map(splitter.stem, splitter.split(text)) if splitter.word_filter(word)}


def query_terms(query: str) -> list[str]:
    """The terms the browser looks up for a query (searchtools.js splitQuery, then lower case)."""
    return [term.lower() for term in re.split(r"[^\w]+|_", query) if term]


def glossary_terms() -> list[str]:
    """Every entry of book/glossary.md (the first line of each entry of its glossary blocks)."""
    text = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    terms = []
    for block in re.findall(r"```\{glossary\}\n(.*?)```", text, re.S):
        lines = block.split("\n")
        terms += [line.strip() for i, line in enumerate(lines)
                  if line.strip() and not line.startswith(" ") and (i == 0 or not lines[i - 1].strip())]
    return terms


def test_the_glossary_is_read():
    terms = glossary_terms()
    assert len(terms) > 50 and {"交叉熵", "困惑度", "KL 散度", "LogSumExp"} <= set(terms)


@pytest.mark.parametrize("term", [t for t in glossary_terms() if CJK.search(t) and len(t) > 1])
def test_every_glossary_term_is_one_search_word(splitter, term):
    """A term jieba cut into pieces (困惑 + 度, with 度 then dropped) could not be searched for.

    A one-character term (熵) is never indexed: Sphinx drops words of one character.
    """
    words = indexed_words(splitter, term)
    assert set(query_terms(term)) <= words, (
        f"the search splits {term} into {sorted(words)}: add it to book/_ext/search-words.txt")


@pytest.mark.parametrize("query, page", [("困惑度", "information-theory"), ("信息量", "information-theory"),
                                         ("奈特", "information-theory"), ("KL 散度", "information-theory"),
                                         ("极大似然", "glossary"), ("交叉熵", "information-theory")])
def test_a_search_finds_the_page_that_uses_the_term(page_words, query, page):
    text = (ROOT / "book" / f"{page}.md").read_text(encoding="utf-8")
    assert query in text
    missing = set(query_terms(query)) - page_words(page)
    assert not missing, f"book/{page}.md is not indexed under {sorted(missing)}"


def test_a_term_inside_a_longer_word_is_indexed(splitter):
    """jieba's search mode gives 2- and 3-character words inside 极大似然估计, never 极大似然."""
    words = indexed_words(splitter, "用极大似然估计求参数")
    assert {"极大似然", "极大似然估计", "极大", "估计"} <= words
    assert "极大似然" not in {w for w in d2l_site.SearchChinese({}).split("用极大似然估计求参数")}
