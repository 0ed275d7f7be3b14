"""What a figure draws, read from its SVG, against what its alt text says it draws.

Matplotlib's SVG output keeps each string it draws as a comment (`<!-- 训练损失 -->`) at the head
of the text's group, and the groups say what a text is: a tick label (inside `xtick_*`/`ytick_*`),
an axis label (inside `matplotlib.axis_*`, outside a tick), a legend entry (inside `legend_*`) or
another text (a title, an annotation: `text_*` anywhere else). `conftest.py` runs `alt_text_problems`
on every figure a chapter cell draws under `pytest --nbval`, with the alt text of the cell's
`mystnb: image: alt:`; so an alt text that speaks of labels the figure does not draw (English names
where the figure is in Chinese, a learning rate the code no longer uses) fails the chapter.
"""
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

SVG_NS = "{http://www.w3.org/2000/svg}"
GROUP_ROLES = (("legend_", "legend"), ("xtick_", "tick"), ("ytick_", "tick"), ("matplotlib.axis_", "axis label"))
MATH = re.compile(r"\$([^$]*)\$")
TEX_COMMAND = re.compile(r"\\(mathrm|mathbf|text|operatorname|hat|boldsymbol)\b|\\[a-zA-Z]+")
LATIN_WORD = re.compile(r"[A-Za-z][A-Za-z0-9_.\-]*")
# Latin words an alt text may use without the figure drawing them: names of things the picture
# shows without writing them, and shapes (a V-shaped line: V 形).
GENERIC_WORDS = {"softmax", "Fashion-MNIST", "MNIST", "LogSumExp", "SGD", "PDF", "CDF", "V"}
# Width variants of the same mark, so that “μ = 0, σ = 1” in a legend matches “μ = 0，σ = 1” in prose.
SAME_MARK = str.maketrans({"−": "-", "，": ",", "：": ":", "（": "(", "）": ")", "₁": "1", "₂": "2", "_": None, "{": None, "}": None})
CJK = re.compile(r"[\u3400-\u9fff]")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")
LANGUAGE_CLAIMS = {"英文": re.compile(r"[A-Za-z]{2,}"), "中文": CJK}


@dataclass
class DrawnText:
    """The strings one figure draws, by role."""
    ticks: list[str] = field(default_factory=list)
    axis_labels: list[str] = field(default_factory=list)
    legend: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)   # titles, suptitles, annotations

    def all(self) -> list[str]:
        """Every drawn string."""
        return self.ticks + self.axis_labels + self.legend + self.other


def drawn_text(svg: str) -> DrawnText:
    """The strings a matplotlib SVG draws, sorted by role (tick, axis label, legend entry, other)."""
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    root = ET.fromstring(svg, parser=parser)
    drawn = DrawnText()

    def walk(node, role):
        for child in node:
            if child.tag is ET.Comment:
                text = (child.text or "").strip()
                if text and node.get("id", "").startswith("text_"):
                    {"tick": drawn.ticks, "axis label": drawn.axis_labels,
                     "legend": drawn.legend}.get(role, drawn.other).append(text)
                continue
            group = child.get("id", "") if child.tag == SVG_NS + "g" else ""
            child_role = next((r for prefix, r in GROUP_ROLES if group.startswith(prefix)), role)
            walk(child, child_role if role in (None, "axis label") else role)

    walk(root, None)
    return drawn


def plain(text: str) -> str:
    """A label or alt text reduced for comparison: maths delimiters and TeX commands gone, no spaces."""
    text = MATH.sub(lambda m: TEX_COMMAND.sub("", m.group(1)), text)
    return re.sub(r"[\s\\]+", "", text.translate(SAME_MARK))


def names(said: str, label: str) -> bool:
    """True if the alt text names the label; a number the code computed may be left out, not misquoted."""
    parts = NUMBER.split(label)
    numbers = NUMBER.findall(label)
    pattern = "".join(re.escape(part) + (rf"({NUMBER.pattern})?" if i < len(numbers) else "")
                      for i, part in enumerate(parts))
    return any(all(got is None or float(got) == float(want) for got, want in zip(m.groups(), numbers))
               for m in re.finditer(pattern, said))


def latin_words(alt: str) -> set[str]:
    """The Latin words (labels such as `epoch`, `train loss`, `w`) an alt text names."""
    return {w.rstrip(".-") for w in LATIN_WORD.findall(alt)} - GENERIC_WORDS


def alt_text_problems(alt: str, figures: list[DrawnText]) -> list[str]:
    """Where an alt text and the figures of its cell disagree; empty when they agree.

    - every axis label and legend entry drawn is named in the alt text, and so is every title
      when the figure has at most three of them; of an image grid's titles, at least one;
    - every Latin word of the alt text (an English label, a symbol such as w) is part of a string
      the figures draw: an alt text must not describe English labels the figure draws in Chinese;
    - an alt text that says the labels are English (英文) or Chinese (中文) is right about it.
    """
    problems = []
    said = plain(alt)
    drawn_all = [plain(t) for f in figures for t in f.all()]
    for figure in figures:
        named = figure.axis_labels + figure.legend + (figure.other if len(figure.other) <= 3 else [])
        for label in dict.fromkeys(named):
            if plain(label) and not names(said, plain(label)):
                problems.append(f"the figure draws {label!r} but the alt text does not say it")
        titles = [t for t in dict.fromkeys(figure.other) if CJK.search(t) or LATIN_WORD.search(t)]
        if len(figure.other) > 3 and titles and not any(names(said, plain(t)) for t in titles):
            problems.append(f"the figure's titles are {titles[:6]}... but the alt text names none of them")
    labels = [t for f in figures for t in f.axis_labels + f.legend + f.other]
    for claim, script in LANGUAGE_CLAIMS.items():
        if claim in alt and not any(script.search(t) for t in labels):
            problems.append(f"the alt text says {claim} labels, but the figure draws {labels[:6]}")
    for word in sorted(latin_words(alt)):
        if not any(plain(word) in text for text in drawn_all):
            problems.append(f"the alt text names {word!r}, which the figure does not draw")
    return problems
