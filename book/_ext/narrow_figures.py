"""Multi-panel figures on phones: the narrow layout d2lutil draws, served to narrow screens.

While the book is built, the kernels have D2LUTIL_NARROW_FIGURES=1 (book_kernels.py, from
bookmodel.kernels), so d2lutil.narrowfig puts a narrow layout (panels in fewer columns) inside the SVG output of every
multi-panel figure. Here, when a page is read, each such SVG is split in two files: the figure as
drawn, which keeps the image node (so its figure number, caption and alt text), and its narrow
layout. In HTML the image becomes

    <picture><source media="screen and (max-width: 720px)" srcset="narrow.svg"><img src="wide.svg" alt=...></picture>

so phones get the stacked panels and desktops and print the figure as drawn; every other builder
(the PDF) gets the figure as drawn only. Reader notebooks strip the narrow layout too
(bookmodel/readernb, with the same d2lutil.narrowfig.split_layouts).
"""
import hashlib
import posixpath
import urllib.parse
from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform

from d2lutil.narrowfig import split_layouts

NARROW_MEDIA = "screen and (max-width: 720px)"  # the width below which d2l-a11y.css treats screens as phones


class picture(nodes.General, nodes.Element):
    """A figure's image (first child) and its narrow layout (second child)."""


def _write_beside(path: Path, svg: str) -> str:
    """Write `svg` beside `path` under its content hash (as myst-nb names outputs); return the name."""
    name = hashlib.sha256(svg.encode("utf-8")).hexdigest() + ".svg"
    target = path.with_name(name)
    if not target.is_file():
        target.write_text(svg, encoding="utf-8")
    return name


def split_narrow_layouts(app, doctree) -> None:
    """Turn each image whose SVG carries a narrow layout into a picture node of both layouts."""
    srcdir = Path(app.srcdir)
    for image in list(doctree.findall(nodes.image)):
        uri = image.get("uri", "")
        if not (uri.startswith("/") and uri.endswith(".svg")):
            continue  # myst-nb's outputs are written to its output folder, named from the srcdir
        path = srcdir / uri.lstrip("/")
        if not path.is_file():
            continue
        wide, narrow = split_layouts(path.read_text(encoding="utf-8"))
        if narrow is None:
            continue
        folder = posixpath.dirname(uri)
        image["uri"] = posixpath.join(folder, _write_beside(path, wide))
        narrow_image = nodes.image(uri=posixpath.join(folder, _write_beside(path, narrow)), alt=image.get("alt", ""))
        wrapper = picture()
        image.replace_self(wrapper)
        wrapper += [image, narrow_image]


class WideLayoutOnly(SphinxPostTransform):
    """Builders other than HTML (the PDF) get the figure as drawn, not its narrow layout."""

    default_priority = 5

    def run(self, **kwargs) -> None:
        """Replace each picture node by its first child, outside HTML."""
        if self.app.builder.format == "html":
            return
        for node in list(self.document.findall(picture)):
            node.replace_self(node.children[0])


def visit_picture_html(self, node) -> None:
    """<picture>: the narrow layout as a <source> for narrow screens, then the figure's <img>."""
    wide, narrow = node.children
    src = self.builder.images.get(narrow["uri"])
    if src is None:  # not copied to _images: the figure as drawn only
        wide.walkabout(self)
        raise nodes.SkipNode
    srcset = posixpath.join(self.builder.imgpath, urllib.parse.quote(src))
    self.body.append(f'<picture><source media="{NARROW_MEDIA}" srcset="{srcset}" type="image/svg+xml">')
    wide.walkabout(self)
    self.body.append("</picture>")
    raise nodes.SkipNode


def setup(app):
    app.add_node(picture, html=(visit_picture_html, None))
    app.connect("doctree-read", split_narrow_layouts, priority=400)  # before Sphinx collects images (500)
    app.add_post_transform(WideLayoutOnly)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
