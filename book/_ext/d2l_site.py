"""Small Sphinx additions for the course site (loaded by _config.yml, `sphinx.local_extensions`).

- Static files from book/_static: d2l-site.css (long outputs scroll) and d2l-site.js (the
  header's .ipynb/.md links download the file instead of showing it as text).
- Chinese search: jieba splits the text into words for the search index, but its general
  dictionary does not know terms such as 交叉熵 or 极大似然, which it would cut into pieces
  (交叉 + 熵, with the single character then dropped), so searching for them found nothing.
  search-words.txt (one term a line, jieba's user-dictionary format) adds the book's terms;
  its absolute path is set here because Sphinx resolves the `dict` option against the working
  directory. jieba's search mode indexes the 2- and 3-character words inside a longer word,
  never a 4-character one, so a page that has 极大似然 only inside 极大似然估计 was not found
  by a search for 极大似然: BookSearchChinese also indexes every term of the list found inside
  a longer word. The list's SHA-256 is a config value, so editing it rebuilds every page
  (Sphinx keeps a page's search words until the page is rebuilt).
- Each inline script once: Sphinx 7.4 lists an inline script that an extension adds after the
  builder starts (sphinx-thebe's `const THEBE_JS_URL = ...`, sphinx-togglebutton's selector)
  twice, once as filename None and once as '', and the second `const` is a SyntaxError in
  every page. _one_copy_of_each_script drops the repeat.

The other extensions beside this file are listed in _config.yml (sphinx.local_extensions).
"""
import hashlib
from pathlib import Path

from sphinx.search.zh import SearchChinese

HERE = Path(__file__).resolve().parent
STATIC = HERE.parent / "_static"
SEARCH_WORDS = HERE / "search-words.txt"


class BookSearchChinese(SearchChinese):
    """Sphinx's Chinese search, which also indexes the book's terms found inside longer words."""

    def init(self, options: dict[str, str]) -> None:
        """Load the word list (options["dict"]) into jieba, and keep its terms."""
        super().init(options)
        words = Path(options.get("dict") or SEARCH_WORDS)
        self.book_terms = [line.split()[0] for line in words.read_text(encoding="utf-8").splitlines()
                           if line.strip()] if words.is_file() else []

    def split(self, input: str) -> list[str]:
        """jieba's words, then each term of the list inside a longer word (极大似然 in 极大似然估计)."""
        words = super().split(input)
        inner = [term for word in words if len(word) > 3 for term in self.book_terms
                 if len(term) < len(word) and term in word]
        return words + inner


def _configure(app, config):
    config.html_static_path = [*config.html_static_path, str(STATIC)]
    config.d2l_search_words = hashlib.sha256(SEARCH_WORDS.read_bytes()).hexdigest()
    if config.html_search_language == "zh":
        config.html_search_options = {"dict": str(SEARCH_WORDS), **(config.html_search_options or {})}


def _one_copy_of_each_script(app, pagename, templatename, context, doctree):
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = (str(getattr(script, "filename", script) or ""), getattr(script, "priority", None),
               tuple(sorted(getattr(script, "attributes", {}).items())))
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique  # the builder resets this list before each page


def setup(app):
    app.add_search_language(BookSearchChinese)  # replaces Sphinx's SearchChinese for zh
    app.add_config_value("d2l_search_words", "", "env")  # the word list's SHA-256 (set by _configure)
    app.connect("config-inited", _configure)
    app.connect("html-page-context", _one_copy_of_each_script, priority=900)  # after others add theirs
    app.add_css_file("d2l-site.css")
    app.add_js_file("d2l-site.js", defer="defer")
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
