"""The site for every reader: accessible names in Chinese, markup that assistive technology accepts.

Registered from d2l_site.setup (see `setup` below). Each piece is one function:

- `install_chinese_names`: the themes' and Sphinx's button labels, tooltips and link titles that
  zh_CN leaves in English ("Color mode", "Link to this heading", ...) get Chinese through a
  gettext fallback, so the HTML carries them before any script runs.
- `fix_body`: in each page's body, myst-nb's `<summary aria-label="Toggle hidden content">` loses
  the English label (its visible text 显示代码 names it), and the bibliography's entries become
  list items of their `role="list"` (ARIA has no list item role `doc-biblioentry`).
- `configure_mathjax`: formulas leave the Tab order (MathJax's `inTabOrder` menu setting); their
  assistive MathML stays, so screen readers still read them.
- `write_root_redirect`: the root index.html that sends readers to the book gets a doctype, a
  language, a title and a link for browsers that ignore the refresh.
"""
import gettext
import html
import re
from pathlib import Path

from sphinx import locale

CHINESE_NAMES = {
    "Link to this heading": "链接到此标题",
    "Link to this equation": "链接到此公式",
    "Link to this image": "链接到此图",
    "Link to this table": "链接到此表",
    "Link to this code": "链接到此代码",
    "Link to this definition": "链接到此定义",
    "Link to this term": "链接到此术语",
    "Toggle primary sidebar": "显示或隐藏目录侧栏",
    "Toggle secondary sidebar": "显示或隐藏本页目录",
    "Color mode": "颜色模式",
    "System Settings": "跟随系统",
    "Light": "亮色",
    "Dark": "暗色",
    "Launch interactive content": "在线运行本章",
    "Launch on": "启动于",
    "Source repositories": "源代码仓库",
    "Source repository": "源代码仓库",
    "Repository": "仓库",
    "Open issue": "报告问题",
    "Open an issue": "报告问题",
    "Download this page": "下载此页面",
    "Download source file": "下载源文件",
    "Download notebook file": "下载笔记本文件",
    "Print to PDF": "打印为 PDF",
    "Fullscreen mode": "全屏模式",
    "Main": "全书目录",
    "Page": "本页",
    "Back to top": "回到顶部",
    "Skip to main content": "跳到正文",
    "Section Navigation": "本节导航",
}


class ChineseNames(gettext.NullTranslations):
    """Translations from CHINESE_NAMES for whatever the catalogs before it leave untranslated."""

    def gettext(self, message: str) -> str:
        """The Chinese name of `message`, or the next fallback's answer."""
        if message in CHINESE_NAMES:
            return CHINESE_NAMES[message]
        return self._fallback.gettext(message) if self._fallback else message

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        """No plural names here: ask the next fallback."""
        return self._fallback.ngettext(singular, plural, n) if self._fallback else (singular if n == 1 else plural)


def install_chinese_names(app) -> None:
    """Add ChineseNames as the last fallback of Sphinx's and sphinx-book-theme's catalogs."""
    if not (app.config.language or "").startswith("zh"):
        return
    for catalog in ("sphinx", "booktheme"):
        translator = locale.translators.get(("general", catalog))
        if translator is None:
            locale.translators[("general", catalog)] = translator = gettext.NullTranslations()
        if not any(isinstance(t, ChineseNames) for t in _fallback_chain(translator)):
            translator.add_fallback(ChineseNames())


def _fallback_chain(translator: gettext.NullTranslations):
    """The translator and each of its fallbacks, in lookup order."""
    while translator is not None:
        yield translator
        translator = getattr(translator, "_fallback", None)


BODY_FIXES = [
    (re.compile(r'<summary aria-label="Toggle hidden content">'), "<summary>"),
    (re.compile(r'(<div class="citation" id="[^"]+") role="doc-biblioentry"'), r'\1 role="listitem"'),
]


def fix_body(app, pagename, templatename, context, doctree) -> None:
    """Rewrite the page body's markup that axe-core rejects (see BODY_FIXES)."""
    body = context.get("body")
    if body:
        for pattern, replacement in BODY_FIXES:
            body = pattern.sub(replacement, body)
        context["body"] = body


def configure_mathjax(app, config) -> None:
    """Keep formulas out of the Tab order (MathJax 3 menu setting), keep their assistive MathML."""
    mathjax = dict(config.mathjax3_config or {})
    options = dict(mathjax.get("options", {}))
    menu = dict(options.get("menuOptions", {}))
    menu["settings"] = {"inTabOrder": False, "assistiveMml": True, **menu.get("settings", {})}
    options["menuOptions"] = menu
    mathjax["options"] = options
    config.mathjax3_config = mathjax


ROOT_PAGE = """<!DOCTYPE html>
<html lang="{lang}">
<head>
<meta charset="utf-8">
<meta http-equiv="Refresh" content="0; url={target}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="canonical" href="{target}">
</head>
<body>
<p><a href="{target}">{title}</a></p>
</body>
</html>
"""


def write_root_redirect(app, exception) -> None:
    """Replace Jupyter Book's bare root index.html redirect with a complete page."""
    if exception or app.builder.format != "html":
        return
    root = Path(app.outdir) / "index.html"
    if not root.is_file():
        return
    match = re.search(r'http-equiv="Refresh" content="0; url=([^"]+)"', root.read_text(encoding="utf-8"), re.I)
    if not match:
        return
    lang = (app.config.language or "en").replace("_", "-")
    root.write_text(ROOT_PAGE.format(lang=html.escape(lang), target=html.escape(match[1]),
                                     title=html.escape(app.config.html_title or app.config.project or "")),
                    encoding="utf-8")


def setup(app) -> dict:
    """Connect the pieces and add the static files (loaded by d2l_site.setup)."""
    app.connect("config-inited", configure_mathjax)
    app.connect("builder-inited", install_chinese_names)
    app.connect("html-page-context", fix_body, priority=800)
    app.connect("build-finished", write_root_redirect, priority=900)  # after Jupyter Book writes it
    app.add_css_file("d2l-a11y.css")
    app.add_js_file("d2l-a11y.js", defer="defer")
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
