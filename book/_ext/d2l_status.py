"""The `exec-status` directive: when and how each chapter ran, for the book's status page.

One row per executed chapter, in table-of-contents order: when its outputs were produced, how
long that run took (both from myst-nb's execution data: with the execution cache these are the
figures of the run that made the cached outputs, not of this build), whether it ran in this
build or came from the cache, the kernel's peak memory (glued by d2lutil.execstats in the
chapter's last cell) and its status. Then the versions of Python, torch, Jupyter Book, myst-nb
and Sphinx this build used, and the build date. The table is filled in after every chapter
has been read, and the page is rewritten on every build.
"""
import json
import platform
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from docutils import nodes
from sphinx.addnodes import pending_xref
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util.docutils import SphinxDirective

from myst_nb.sphinx_ import NbMetadataCollector
from myst_nb.sphinx_ext import OUTPUT_FOLDER

PEAK_KEY = "d2l_peak_rss_mb"  # d2lutil.execstats.GLUE_KEY (the kernel side of this page)
HAS_STATUS = "d2l_has_exec_status"
PACKAGES = ("torch", "jupyter-book", "myst-nb", "sphinx")
STARTED = time.time()  # when this build began (one build per process)
HEADERS = ("章节", "输出生成于（UTC）", "执行用时（秒）", "来源", "峰值内存（MB）", "状态")


class ExecStatusNode(nodes.General, nodes.Element):
    """Placeholder, replaced by the table once every chapter has been executed."""


class ExecStatus(SphinxDirective):
    """`exec-status`: the execution table and build environment of the book."""

    def run(self) -> list[nodes.Node]:
        """Mark this page as holding the table and return the placeholder."""
        NbMetadataCollector.set_doc_data(self.env, self.env.docname, HAS_STATUS, True)
        return [ExecStatusNode()]


def toc_order(env, root: str) -> list[str]:
    """Every document reachable from `root` through the toctrees, depth first (reading order)."""
    order, stack = [], [root]
    while stack:
        doc = stack.pop()
        if doc not in order:
            order.append(doc)
            stack.extend(reversed(env.toctree_includes.get(doc, [])))
    return order


def peak_memory(app, docname: str) -> float | None:
    """The peak memory (MB) glued in the chapter's executed notebook, or None if it has none."""
    path = Path(app.outdir).parent.joinpath(OUTPUT_FOLDER, *f"{docname}.glue.json".split("/"))
    if not path.is_file():
        return None
    bundle = json.loads(path.read_text(encoding="utf-8")).get(PEAK_KEY, {})
    text = bundle.get("data", {}).get("text/plain")
    return float(text) if text is not None else None


def cell(content: str | nodes.Node) -> nodes.entry:
    """A table cell holding one paragraph."""
    para = nodes.paragraph()
    para += content if isinstance(content, nodes.Node) else nodes.Text(content)
    return nodes.entry("", para)


def chapter_link(env, from_doc: str, docname: str) -> nodes.Node:
    """A link to `docname` showing its title."""
    ref = pending_xref(refdoc=from_doc, reftarget="/" + docname, reftype="doc", refdomain="std",
                       refexplicit=True, refwarn=True, classes=["xref", "doc"])
    ref += nodes.inline(text=env.titles[docname].astext())
    return ref


def chapter_row(app, from_doc: str, docname: str, data: dict) -> list[nodes.entry]:
    """The cells of one chapter's row."""
    when = datetime.fromtimestamp(data["mtime"], timezone.utc).strftime("%Y-%m-%d %H:%M")
    runtime = "—" if data.get("runtime") is None else f"{data['runtime']:.1f}"
    source = "本次构建" if data["mtime"] >= STARTED else "执行缓存"
    peak = peak_memory(app, docname)
    status = "成功" if data.get("succeeded") else f"失败：{data.get('error') or ''}"
    return [cell(chapter_link(app.env, from_doc, docname)), cell(when), cell(runtime), cell(source),
            cell("—" if peak is None else f"{peak:.0f}"), cell(status)]


def status_table(app, from_doc: str) -> nodes.table:
    """The table of every executed chapter, in reading order."""
    doc_data = NbMetadataCollector.get_doc_data(app.env)
    table = nodes.table(classes=["d2l-exec-status", "colwidths-given"])  # LaTeX: these widths
    group = nodes.tgroup(cols=len(HEADERS))
    table += group
    group.extend(nodes.colspec(colwidth=w) for w in (30, 20, 12, 14, 14, 10))
    head, body = nodes.thead(), nodes.tbody()
    head += nodes.row("", *(cell(h) for h in HEADERS))
    group += [head, body]
    for docname in toc_order(app.env, app.config.root_doc):
        data = doc_data.get(docname, {}).get("exec_data")
        if data:
            body += nodes.row("", *chapter_row(app, from_doc, docname, data))
    return table


def environment_list(app) -> nodes.bullet_list:
    """Python and package versions of this build, and its date."""
    items = [f"Python {platform.python_version()}"]
    items += [f"{name} {metadata.version(name)}" for name in PACKAGES]
    built = datetime.fromtimestamp(STARTED, timezone.utc)
    items.append(f"构建日期：{built:%Y-%m-%d %H:%M} UTC")
    bullets = nodes.bullet_list()
    for text in items:
        bullets += nodes.list_item("", nodes.paragraph(text=text))
    return bullets


class FillExecStatus(SphinxPostTransform):
    """Replace the placeholder with the table and the environment list."""

    default_priority = 8  # before the references are resolved (10)

    def run(self, **kwargs) -> None:
        """Fill every placeholder of this document."""
        for node in list(self.document.findall(ExecStatusNode)):
            intro = nodes.paragraph(text="本次构建所用的软件版本和构建日期：")
            node.replace_self([status_table(self.app, self.env.docname), intro, environment_list(self.app)])


def rewrite_status_pages(app, env) -> list[str]:
    """Write the status page on every build, so its date and versions are this build's."""
    return [doc for doc, data in NbMetadataCollector.get_doc_data(env).items() if data.get(HAS_STATUS)]


def setup(app):
    app.add_node(ExecStatusNode)
    app.add_directive("exec-status", ExecStatus)
    app.add_post_transform(FillExecStatus)
    app.connect("env-updated", rewrite_status_pages)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
