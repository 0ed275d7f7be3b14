"""Small Sphinx additions for the course site (loaded by _config.yml, `sphinx.local_extensions`).

- Static files from book/_static: d2l-site.css (long outputs scroll) and d2l-site.js (the
  header's .ipynb/.md links download the file instead of showing it as text).
- Chinese search: jieba splits the text into words for the search index, but its general
  dictionary does not know terms such as 交叉熵 or 极大似然, which it would cut into pieces
  (交叉 + 熵, with the single character then dropped), so searching for them found nothing.
  search-words.txt (one term a line, jieba's user-dictionary format) adds the book's terms;
  its absolute path is set here because Sphinx resolves the `dict` option against the working
  directory.
- Each inline script once: Sphinx 7.4 lists an inline script that an extension adds after the
  builder starts (sphinx-thebe's `const THEBE_JS_URL = ...`, sphinx-togglebutton's selector)
  twice, once as filename None and once as '', and the second `const` is a SyntaxError in
  every page. _one_copy_of_each_script drops the repeat.
- Accessibility (screen readers, keyboards, phones, print, dark mode): the extension a11y.py
  beside this file, with its own d2l-a11y.css and d2l-a11y.js; narrow_figures.py serves
  multi-panel figures to phones in a narrow layout (panels stacked).
"""
from pathlib import Path

HERE = Path(__file__).resolve().parent
STATIC = HERE.parent / "_static"
SEARCH_WORDS = HERE / "search-words.txt"


def _configure(app, config):
    config.html_static_path = [*config.html_static_path, str(STATIC)]
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
    app.setup_extension("launch")  # book/_ext/launch.py: launch buttons and reader notebooks
    app.connect("config-inited", _configure)
    app.connect("html-page-context", _one_copy_of_each_script, priority=900)  # after others add theirs
    app.add_css_file("d2l-site.css")
    app.add_js_file("d2l-site.js", defer="defer")
    app.setup_extension("a11y")
    app.setup_extension("narrow_figures")  # multi-panel figures stacked on phones
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
