"""What every label of the book points at: sections, equations, figures and exercises.

The numbers are the site's: equations, figures and exercises are numbered per chapter as
"<chapter>.<k>" in the order they appear. Unnumbered pages count them as "<k>", on across
all unnumbered pages in the book's order, as Sphinx's numfig does (the second appendix's
first figure is 3 if the first appendix had two).
"""
import re
from dataclasses import dataclass, field

from ..myst import DIRECTIVE, FENCE, FIGURE_NAME, HEADING, MATH_CLOSE, OPTION, SECTION_LABEL
from ..pages import Page


@dataclass(frozen=True)
class Target:
    """Where a label points: a page, the kind of thing, its number or title, and an anchor."""

    page: str
    kind: str  # "section", "equation", "figure", "exercise"
    text: str  # a section's heading, or the number ("3.2")
    anchor: str  # the id of the HTML anchor the notebook places there


@dataclass
class Labels:
    """Every label of the book, and every page by stem."""

    targets: dict[str, Target] = field(default_factory=dict)
    pages: dict[str, Page] = field(default_factory=dict)

    def get(self, label: str, kind: str | None = None) -> Target:
        """The target of a label; a KeyError that names the label if there is none."""
        target = self.targets.get(label)
        if target is None or (kind and target.kind != kind):
            raise KeyError(f"no {kind or 'label'} named {label!r} in the book")
        return target

    def add(self, label: str, target: Target) -> None:
        """Record a label, refusing a duplicate (labels are global to the book)."""
        if label in self.targets:
            raise ValueError(f"label {label!r} is defined twice ({self.targets[label].page}, {target.page})")
        self.targets[label] = target


def number(page: Page, k: int) -> str:
    """The k-th equation, figure or exercise of a page, numbered as on the site."""
    return f"{page.number}.{k}" if page.number is not None else str(k)


def anchor_id(label: str) -> str:
    """The id of the anchor a label becomes in a notebook."""
    return label


def heading_id(text: str) -> str:
    """The id JupyterLab gives a Markdown heading: its text, markup dropped, spaces as '-'."""
    return re.sub(r"[`*_]{1,2}(?=\S)|(?<=\S)[`*_]{1,2}", "", text).replace(" ", "-")


def scan_page(page: Page, labels: Labels, carried: dict | None = None) -> dict:
    """Record the labels of one page; return its counts (which start from `carried`)."""
    counts = {"equation": 0, "figure": 0, "exercise": 0, **(carried or {})}
    lines = page.path.read_text(encoding="utf-8").splitlines()
    pending = None
    stack: list[tuple[str, str]] = []  # open fences: (fence, directive name or "" for literal code)
    for i, line in enumerate(lines):
        if stack and line.strip() == stack[-1][0]:
            stack.pop()
            continue
        if stack and stack[-1][1] in ("", "code-cell"):  # literal code: only a figure's name counts
            if stack[-1][1] == "code-cell" and (m := FIGURE_NAME.match(line)):
                counts["figure"] += 1
                labels.add(m["name"], Target(page.stem, "figure", number(page, counts["figure"]), anchor_id(m["name"])))
            continue
        if m := SECTION_LABEL.match(line):
            pending = m["label"]
            continue
        if pending and line.strip():
            if not (h := HEADING.match(line)):
                raise ValueError(f"{page.path.name}: label ({pending})= must stand right before a heading")
            labels.add(pending, Target(page.stem, "section", h["text"], heading_id(h["text"])))
            pending = None
        if (m := MATH_CLOSE.match(line.strip())) and m["label"]:
            counts["equation"] += 1
            labels.add(m["label"], Target(page.stem, "equation", number(page, counts["equation"]), anchor_id(m["label"])))
        elif m := DIRECTIVE.match(line):
            stack.append((m["fence"], m["name"]))
            kind = {"exercise": "exercise", "figure": "figure"}.get(m["name"])
            if kind:
                counts[kind] += 1
                _scan_options(lines, i, kind, page, counts, labels)
        elif m := FENCE.match(line):
            stack.append((m["fence"], ""))
    return counts


def _scan_options(lines: list[str], start: int, kind: str, page: Page, counts: dict, labels: Labels) -> None:
    """Record the `:label:` or `:name:` option of a numbered directive starting at lines[start]."""
    for line in lines[start + 1:]:
        m = OPTION.match(line)
        if not m:
            return
        if m["key"] in ("label", "name"):
            labels.add(m["value"], Target(page.stem, kind, number(page, counts[kind]), anchor_id(m["value"])))
            return


def scan(pages: list[Page]) -> Labels:
    """The labels of every page of the book."""
    labels = Labels(pages={p.stem: p for p in pages})
    unnumbered = None  # the counts carried from one unnumbered page to the next
    for page in pages:
        if page.number is None:
            unnumbered = scan_page(page, labels, unnumbered)
        else:
            scan_page(page, labels)
    return labels
