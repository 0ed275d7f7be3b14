"""The book's PDF in the site: copied into the HTML output and offered in the download menu.

`make pdf` writes _build/pdf/<name>.pdf (<name>: `latex.latex_documents.targetname` in
_config.yml). When it exists as the HTML build starts, it is copied to the site's root
(html_extra_path) and every page's download menu gets an entry for it, next to .md and .ipynb.
Without a PDF the site has no such entry, so it never links to a file that is not there.
Registered in config-inited, so that the PDF appearing makes Sphinx rewrite every page.
"""
from pathlib import Path

CONTEXT_KEY = "d2l_book_pdf"
BUTTON_LABEL = "download-book-pdf-button"


def book_pdf(outdir: str) -> Path | None:
    """The newest PDF in _build/pdf (beside the HTML output folder), if `make pdf` has made one."""
    pdfs = sorted((Path(outdir).parent / "pdf").glob("*.pdf"), key=lambda p: p.stat().st_mtime)
    return pdfs[-1] if pdfs else None


def _configure(app, config):
    """If `make pdf` has made the PDF, have the HTML builder copy it and the pages link it."""
    pdf = book_pdf(app.outdir)
    if pdf:  # html_* settings: other builders ignore them
        config.html_extra_path = [*config.html_extra_path, str(pdf)]
        config.html_context = {**config.html_context, CONTEXT_KEY: pdf.name}


def _add_button(app, pagename, templatename, context, doctree):
    """Add the whole book's PDF to this page's download menu."""
    name = context.get(CONTEXT_KEY)
    buttons = context.get("header_buttons") or []
    if not name:
        return
    for group in buttons:
        if group.get("label") == "download-buttons":
            group["buttons"].append({
                "type": "link", "url": context["pathto"](name, 1), "text": "全书 PDF",
                "tooltip": "下载整本书的 PDF", "icon": "fas fa-book", "label": BUTTON_LABEL,
            })


def setup(app):
    app.connect("config-inited", _configure)
    app.connect("html-page-context", _add_button, priority=600)  # after sphinx-book-theme adds the menu
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
