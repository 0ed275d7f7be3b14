"""Prose lint: Chinese prose in the chapters uses full-width punctuation, not ASCII , ; : ? !"""
import re
from pathlib import Path

import pytest

from bookmodel import chapter as book_chapter
from bookmodel.myst import OPTION, ROLE, SECTION_LABEL, role_targets
from bookmodel.pages import is_notebook

ROOT = Path(__file__).resolve().parent.parent
CHAPTERS = sorted((ROOT / "book").glob("*.md"))
FULL_WIDTH = {",": "，", ";": "；", ":": "：", "?": "？", "!": "！"}

CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
FENCE = re.compile(r"^(\s*)(`{3,}|~{3,})\s*(\S*)")
# Removed from a prose line before looking at its punctuation: roles, inline code, maths, links, URLs, HTML tags.
NOT_PROSE = [
    re.compile(r"^\s*:{3,}(\{[\w-]+\})?"),       # a ::: directive fence (its title is prose)
    ROLE,                                      # {role}`...`
    re.compile(r"(`+)[^`]*?\1"),               # `code`, ``code``
    re.compile(r"\$\$.*?\$\$|\$[^$]*\$"),      # $maths$
    re.compile(r"\]\([^)]*\)"),                # the target of [text](target)
    re.compile(r"https?://\S+"),
    re.compile(r"<[^>]+>"),
]
NUMBER_PUNCTUATION = re.compile(r"(?<=\d)[,:](?=\d)")  # 60,000 and 3:2 are fine
ASCII_MARK = re.compile(r"[,;:?!]")
CODE_INFO = re.compile(r"^\{(code-cell|code-block|code|literalinclude|math)\}|^[^{]")


def prose_lines(text: str):
    """(line number, text) of each prose line: outside front matter, code, maths blocks and options."""
    lines = text.splitlines()
    start = 0
    if lines and lines[0].strip() == "---":
        start = next(i for i in range(1, len(lines)) if lines[i].strip() == "---") + 1
    fences = []      # open fences: (marker, is_code)
    in_maths = False
    for number, line in enumerate(lines[start:], start=start + 1):
        match = FENCE.match(line)
        if match:
            marker, info = match.group(2), match.group(3)
            top = fences[-1] if fences else None
            closes = (top and not info and marker[0] == top[0][0] and len(marker) >= len(top[0]))
            if closes:
                fences.pop()
            elif not (top and top[1]):
                fences.append((marker, bool(CODE_INFO.match(info)) if info else True))
            continue
        if fences and fences[-1][1]:
            continue
        if line.strip().startswith("$$") or in_maths:
            opened_or_closed = line.count("$$") % 2 == 1
            in_maths = in_maths != opened_or_closed if line.count("$$") else in_maths
            continue
        if OPTION.match(line.strip()) or SECTION_LABEL.match(line.strip()):
            continue
        yield number, line


def ascii_punctuation(text: str) -> list[tuple[int, str, str]]:
    """Every ASCII , ; : ? ! in a Chinese prose line: (line number, mark, excerpt)."""
    found = []
    for number, line in prose_lines(text):
        stripped = line
        for pattern in NOT_PROSE:
            stripped = pattern.sub(" ", stripped)
        if not CJK.search(stripped):
            continue
        stripped = NUMBER_PUNCTUATION.sub("", stripped)
        for match in ASCII_MARK.finditer(stripped):
            lo = max(0, match.start() - 12)
            found.append((number, match.group(), stripped[lo:match.end() + 12].strip()))
    return found


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_no_ascii_punctuation_in_chinese_prose(chapter):
    """Chinese prose uses full-width , ; : ? ! (code, maths, roles and links are left alone)."""
    problems = ascii_punctuation(chapter.read_text(encoding="utf-8"))
    report = "\n".join(f"  {chapter.name}:{n}: ASCII '{mark}' in “{excerpt}”, use '{FULL_WIDTH[mark]}'"
                       for n, mark, excerpt in problems)
    assert not problems, f"ASCII punctuation in Chinese prose:\n{report}"


def test_lint_finds_ascii_punctuation():
    """The lint flags ASCII marks in Chinese sentences and their line numbers."""
    text = "# 标题\n\n概率密度函数（probability density function,PDF）是\n\nMNIST:7 万张图像;很多\n"
    assert [(n, mark) for n, mark, _ in ascii_punctuation(text)] == [(3, ","), (5, ":"), (5, ";")]


def test_lint_ignores_code_maths_roles_and_numbers():
    """Code cells, fenced code in directives, maths, roles, inline code, options and 60,000 pass."""
    text = "\n".join([
        "---", "kernelspec: {name: python3}", "---",
        "(sec-x)=",
        "```{code-cell} ipython3", "print('a, b: c')  # 中文, 注释", "```",
        "````{solution} ex-1", ":class: dropdown",
        "答案是 $f(x, y)$，见 {eq}`a:b` 和 `x[:, 0]`。",
        "```python", "y = x[:, 1]  # 中文, 注释", "```",
        "训练集 60,000 张，比例 3:2。",
        "````",
        "$$", "a, b; c: d \\quad \\text{中文}", "$$ (eq-x)",
        "见 [文档](https://example.org/a,b:c)。",
        "An English line, with ASCII: fine.",
    ])
    assert ascii_punctuation(text) == []


GLOSSARY = ROOT / "book" / "glossary.md"


def glossary_terms() -> list[list[str]]:
    """The entries of the glossary page: each a list of its term names (Chinese first, then English)."""
    text = GLOSSARY.read_text(encoding="utf-8")
    entries = []
    for block in re.findall(r"```\{glossary\}\n(.*?)```", text, re.S):
        for entry in block.strip().split("\n\n"):
            names = [line.strip() for line in entry.splitlines() if line and not line.startswith(" ")]
            entries.append(names)
    return entries


def linked_terms() -> dict[str, set[str]]:
    """{chapter file name: the terms its {term} roles point to}."""
    return {p.name: set(role_targets(p.read_text(encoding="utf-8"), "term")) for p in CHAPTERS if p != GLOSSARY}


def test_every_term_role_points_to_a_glossary_entry():
    """A {term} role whose term is not in book/glossary.md would be a broken link."""
    defined = {name for names in glossary_terms() for name in names}
    unknown = {f"{chapter}: {term}" for chapter, terms in linked_terms().items() for term in terms - defined}
    assert not unknown, f"terms linked but not defined in {GLOSSARY.name}: {sorted(unknown)}"


def test_every_glossary_entry_is_linked_from_a_chapter():
    """Each glossary entry is reached from its first use in at least one chapter."""
    used = set().union(*linked_terms().values())
    orphans = [names[0] for names in glossary_terms() if not used & set(names)]
    assert not orphans, f"glossary entries no chapter links to: {orphans}"


def test_each_entry_has_a_chinese_and_an_english_name_and_a_definition():
    """Glossary entries are Chinese–English with a definition (LogSumExp and logits are English in both)."""
    entries = glossary_terms()
    assert len(entries) >= 40
    for names in entries:
        if names[0] not in ("LogSumExp",):
            assert len(names) >= 2, f"{names[0]}: give the English name on the next line"
    assert len({n for names in entries for n in names}) == sum(map(len, entries)), "a term is defined twice"


@pytest.mark.parametrize("chapter", [p for p in CHAPTERS if is_notebook(p)], ids=lambda p: p.name)
def test_every_code_cell_fence_is_a_notebook_cell(chapter):
    """Each ```{code-cell} is a cell of the notebook the book runs (a ````-fenced block around one would hide it)."""
    fences = len(re.findall(r"^```\{code-cell\}", chapter.read_text(encoding="utf-8"), re.M))
    cells = [c for c in book_chapter.read(chapter).cells if c.cell_type == "code"]
    assert len(cells) == fences, (f"{chapter.name}: {fences} code-cell fences but the book reads {len(cells)} "
                                  "code cells; use a ::: fence for a directive that holds fenced code")
