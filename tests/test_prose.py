"""Prose lint: Chinese prose in the chapters uses full-width punctuation, not ASCII , ; : ? !"""
import re
from pathlib import Path

import pytest

from bookmodel import chapter as book_chapter
from bookmodel.myst import OPTION, ROLE, SECTION_LABEL, role_targets
from bookmodel.pages import is_notebook, pages

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
        if OPTION.match(line.strip()) or SECTION_LABEL.match(line.strip()) or line.startswith("%"):  # % a MyST comment
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


def glue_calls(source: str) -> list[int]:
    """Line numbers (1-based, in the cell) of every glue(...) call or import of glue in a cell's code."""
    import ast
    try:
        tree = ast.parse(source)
    except SyntaxError:         # IPython magics: fall back to the text
        return [n for n, line in enumerate(source.splitlines(), 1) if re.search(r"\bglue\b", line)]
    return sorted({node.lineno for node in ast.walk(tree)
                   if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "glue")
                   or (isinstance(node, ast.ImportFrom) and any(a.name == "glue" for a in node.names))})


def visible_glue(text: str) -> list[str]:
    """The first line of each code cell a reader sees (not tagged remove-cell) that calls or imports glue."""
    jupytext = pytest.importorskip("jupytext")
    found = []
    for cell in jupytext.reads(text, fmt="md:myst").cells:
        if cell.cell_type != "code" or "remove-cell" in cell.metadata.get("tags", []):
            continue
        lines = glue_calls(cell.source)
        if lines:
            found.append(cell.source.splitlines()[lines[0] - 1].strip())
    return found


@pytest.mark.parametrize("chapter", [p for p in CHAPTERS if "kernelspec:" in p.read_text(encoding="utf-8")],
                         ids=lambda p: p.name)
def test_no_glue_in_the_code_a_reader_sees(chapter):
    """glue(...) is the book's plumbing: it goes in a hidden cell (:tags: [remove-cell]) after the teaching cell."""
    found = visible_glue(chapter.read_text(encoding="utf-8"))
    assert not found, (f"{chapter.name}: visible code cells call glue; move these lines to a cell tagged "
                       f"remove-cell after them: {found}")


def test_glue_lint_sees_visible_and_hidden_cells():
    """A glue call in a plain or hide-input cell is found (also inside a loop); one in a remove-cell cell is not."""
    def chapter(*cells):
        return ("---\nkernelspec: {display_name: Python 3, language: python, name: python3}\n---\n\n"
                + "\n\n".join(cells) + "\n")
    shown = "```{code-cell} ipython3\nx = 1\nfor k in 'ab':\n    glue(k, x, display=False)\n```"
    folded = "```{code-cell} ipython3\n:tags: [hide-input]\nfrom myst_nb import glue\n```"
    hidden = "```{code-cell} ipython3\n:tags: [remove-cell]\nglue('x', 1, display=False)\n```"
    assert visible_glue(chapter(shown, hidden)) == ["glue(k, x, display=False)"]
    assert visible_glue(chapter(folded)) == ["from myst_nb import glue"]
    assert visible_glue(chapter(hidden, "```{code-cell} ipython3\nprint('glue')\n```")) == []


TOC_ORDER = [page.stem for page in pages()[1:]]  # _toc.yml's pages after the root page
LABEL_DEFINITIONS = [
    re.compile(r"^\(([\w-]+)\)=\s*$", re.M),            # (sec-x)=
    re.compile(r"^\s*:?(?:label|name):\s*([\w-]+)\s*$", re.M),  # :label: ex-x, name: fig-x, :name: tab-x
    re.compile(r"^\$\$\s*\(([\w-]+)\)\s*$", re.M),      # $$ (eq-x)
]
RELATIVE = re.compile(r"(上一|下一|前一|后一)(章|节)")
REFERENCE = re.compile(r"\{(ref|numref|doc|eq)\}`(?:[^`<]*<)?([^`>]+)>?`")
SENTENCE_END = re.compile(r"[。；！？]")


def label_pages(chapters=CHAPTERS) -> dict[str, str]:
    """{label: the stem of the page that defines it} for the book's section, figure, exercise and equation labels."""
    pages = {}
    for path in chapters:
        text = path.read_text(encoding="utf-8")
        for pattern in LABEL_DEFINITIONS:
            pages.update({label: path.stem for label in pattern.findall(text)})
    return pages


def relative_reference_problems(text: str, stem: str, labels: dict[str, str], order=TOC_ORDER) -> list[str]:
    """上一章/下一章 (and 上一节/下一节 next to another chapter) that do not name the adjacent chapter.

    A chapter is referred to by its {ref}: 上一章/下一章 must have one in its sentence, and the
    reference after it (else the one before it) must be the previous/next page of _toc.yml;
    a 上一节/下一节 next to a reference to another chapter must point to the adjacent one too.
    """
    problems = []
    for number, line in prose_lines(text):
        for match in RELATIVE.finditer(line):
            start = max((m.end() for m in SENTENCE_END.finditer(line, 0, match.start())), default=0)
            end = next((m.start() for m in SENTENCE_END.finditer(line, match.end())), len(line))
            refs = [(m.start(), labels.get(m[2], m[2].split("/")[-1]) if m[1] != "doc" else m[2].split("/")[-1])
                    for m in REFERENCE.finditer(line, start, end)]
            refs = [(at, page) for at, page in refs if page != stem]
            after = [page for at, page in refs if at > match.start()]
            before = [page for at, page in refs if at < match.start()]
            page = (after or before[::-1] or [None])[0]
            if page is None:
                if match[2] == "章":
                    problems.append(f"{number}: “{match[0]}” without a reference: name the chapter with {{ref}}")
                continue
            step = -1 if match[1] in ("上一", "前一") else 1
            index = order.index(stem) + step if stem in order else None
            expected = order[index] if index is not None and 0 <= index < len(order) else None
            if page != expected:
                problems.append(f"{number}: “{match[0]}” next to a reference to {page}, "
                                f"but the {'previous' if step < 0 else 'next'} chapter is {expected}")
    return problems


@pytest.mark.parametrize("chapter", CHAPTERS, ids=lambda p: p.name)
def test_previous_and_next_chapter_name_the_adjacent_chapter(chapter):
    """上一章/下一章 name the adjacent chapter of _toc.yml by {ref} (chapters were inserted before)."""
    problems = relative_reference_problems(chapter.read_text(encoding="utf-8"), chapter.stem, label_pages())
    assert not problems, f"{chapter.name}:\n  " + "\n  ".join(problems)


def test_relative_reference_lint_flags_a_wrong_or_missing_chapter():
    """Non-adjacent and bare 上一章 are flagged; an adjacent one, and 上一节 within the chapter, pass."""
    order = ["a", "b", "c"]
    labels = {"sec-a": "a", "sec-b": "b", "sec-c": "c", "fig-c": "c"}
    check = lambda text: relative_reference_problems(text, "c", labels, order)  # noqa: E731
    assert check("上一章 {ref}`sec-b` 讲了模型。") == []
    assert check("{ref}`图 <fig-c>` 和上一节的例子。") == []
    assert check("和上一章 {ref}`第一章 <sec-a>` 一样。") == [
        "1: “上一章” next to a reference to a, but the previous chapter is b"]
    assert check("数据和上一章一样。") == ["1: “上一章” without a reference: name the chapter with {ref}"]
    assert check("上一节的式子见 {ref}`sec-a`；下一章 {ref}`sec-b`。") == [
        "1: “上一节” next to a reference to a, but the previous chapter is b",
        "1: “下一章” next to a reference to b, but the next chapter is None"]
    assert check("```{code-cell} ipython3\n# 上一章\n```\n") == []


SYNONYM_LINE = re.compile(r"^% synonym (?P<term>[^:]+):\s*(?P<words>.+)$", re.M)
FIGURE_TEXT = re.compile(r"^\s*(?:caption|alt):\s*(.+)$")


def glossary_synonyms(text: str | None = None) -> dict[str, str]:
    """{non-preferred word: the glossary term to use instead}, from the synonym lines of glossary.md."""
    text = GLOSSARY.read_text(encoding="utf-8") if text is None else text
    return {word.strip(): m["term"].strip() for m in SYNONYM_LINE.finditer(text) for word in m["words"].split(",")}


def non_preferred_words(text: str, synonyms: dict[str, str]) -> list[tuple[int, str, str]]:
    """(line, word, term) for each non-preferred synonym in a chapter's prose, captions and alt texts."""
    lines = dict(prose_lines(text))
    for number, line in enumerate(text.splitlines(), 1):
        if (m := FIGURE_TEXT.match(line)) and number not in lines:
            lines[number] = m[1]
    found = []
    for number, line in sorted(lines.items()):
        stripped = re.sub(r"(`+)[^`]*?\1|\$\$.*?\$\$|\$[^$]*\$", " ", line)
        found += [(number, word, term) for word, term in synonyms.items() if word in stripped]
    return found


def test_the_glossary_lists_synonyms_of_its_own_terms():
    """Each synonym line names a glossary entry, and no word is both a term and a synonym."""
    synonyms = glossary_synonyms()
    terms = {name for names in glossary_terms() for name in names}
    assert {"规范化", "置信度"} <= set(synonyms)
    assert set(synonyms.values()) <= terms, f"not glossary entries: {set(synonyms.values()) - terms}"
    assert not set(synonyms) & terms


@pytest.mark.parametrize("chapter", [p for p in CHAPTERS if p != GLOSSARY], ids=lambda p: p.name)
def test_chapters_use_the_glossary_term_not_a_synonym(chapter):
    """One vocabulary: a word the glossary lists as a non-preferred synonym is not used in the chapters."""
    found = non_preferred_words(chapter.read_text(encoding="utf-8"), glossary_synonyms())
    assert not found, "\n".join(f"  {chapter.name}:{n}: “{word}”: say “{term}” (book/glossary.md)"
                                for n, word, term in found)


def test_synonym_lint_reads_prose_captions_and_alt_texts():
    """Synonyms are found in prose, captions and alt texts, not in code, inline code or maths."""
    synonyms = glossary_synonyms("% synonym 归一化: 规范化\n% synonym 得分: 置信度, 分数\n")
    assert synonyms == {"规范化": "归一化", "置信度": "得分", "分数": "得分"}
    text = "\n".join(["输出是置信度。", "```{code-cell} ipython3", "---", "mystnb:", "  figure:",
                      "    caption: '规范化的结果'", "---", "x = '置信度'  # 规范化", "```", "`规范化` 和 $分数$。"])
    assert non_preferred_words(text, synonyms) == [(1, "置信度", "得分"), (6, "规范化", "归一化")]
