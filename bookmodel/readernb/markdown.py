"""MyST Markdown → the Markdown JupyterLab renders (CommonMark, LaTeX maths, a little HTML).

Every construct the book uses has a form here; anything else raises, so a new role or
directive in a chapter cannot reach readers as raw text unnoticed.
"""
import html
import re
from dataclasses import dataclass, field
from pathlib import Path

from myst_nb.core.variables import format_plain_text

from . import cite as cite_mod
from ..myst import DIRECTIVE, FENCE, MATH_CLOSE, OPTION, ROLE_OR_CODE, SECTION_LABEL, TEXT_AND_TARGET
from .labels import Labels, Target

MD_LINK_TO_PAGE = re.compile(r"\]\((?P<stem>[\w-]+)\.md(?P<frag>#[^)]*)?\)")
ADMONITIONS = {
    "note": "注意", "tip": "提示", "hint": "提示", "important": "重要", "warning": "警告",
    "caution": "小心", "attention": "注意", "danger": "危险", "error": "错误", "seealso": "另请参阅",
}


@dataclass
class Context:
    """What converting one page needs: its stem, the book's labels, glued values, references."""

    stem: str
    labels: Labels
    glue: dict[str, str]  # key → the text/plain of the glued value
    refs: dict[str, cite_mod.Reference]
    source_dir: Path = Path(".")  # the page's folder: literalinclude paths are relative to it
    cited: list[str] = field(default_factory=list)  # keys cited so far, in order

    def link(self, target: Target, text: str) -> str:
        """A Markdown link to a label's anchor, in this notebook or another chapter's."""
        page = "" if target.page == self.stem else f"{target.page}.ipynb"
        return f"[{text}]({page}#{target.anchor})"


def split_target(content: str) -> tuple[str | None, str]:
    """'text <target>' → (text, target); 'target' → (None, target)."""
    m = TEXT_AND_TARGET.match(content.strip())
    return (m["text"], m["target"].strip()) if m else (None, content.strip())


def glue_text(ctx: Context, content: str) -> str:
    """A `{glue:text}` role: the glued value, formatted as myst-nb formats it."""
    key, _, spec = content.partition(":")
    if key not in ctx.glue:
        raise KeyError(f"{ctx.stem}: glue key {key!r} has no value (did the chapter run?)")
    return format_plain_text(ctx.glue[key], spec)


def role(ctx: Context, name: str, content: str) -> str:
    """The Markdown of one MyST role."""
    text, target = split_target(content)
    if name in ("glue", "glue:", "glue:text", "glue:any"):
        return glue_text(ctx, content)
    if name in ("cite:p", "cite:t", "cite"):
        out, keys = cite_mod.cite(ctx.refs, name, content)
        ctx.cited += [k for k in keys if k not in ctx.cited]
        return out
    if name == "ref":
        t = ctx.labels.get(target)
        return ctx.link(t, text or t.text)
    if name == "numref":
        t = ctx.labels.get(target)
        word = {"figure": "图", "equation": "式", "exercise": "练习"}.get(t.kind, "")
        label = text.replace("%s", t.text).replace("{number}", t.text) if text else f"{word} {t.text}"
        return ctx.link(t, label)
    if name == "eq":  # equations have no anchor in a notebook: a link only to another chapter
        t = ctx.labels.get(target, "equation")
        return f"({t.text})" if t.page == ctx.stem else f"[({t.text})]({t.page}.ipynb)"
    if name == "doc":
        stem = Path(target).name
        page = ctx.labels.pages.get(stem)
        if page is None:
            raise KeyError(f"{ctx.stem}: {{doc}} names {target!r}, which is not a page of _toc.yml")
        return f"[{text or page.title}]({stem}.ipynb)"
    if name == "term":
        return text or target
    if name == "math":
        return f"${content}$"
    raise ValueError(f"{ctx.stem}: the role {{{name}}} has no notebook form: add one in {__name__}")


def inline(ctx: Context, line: str) -> str:
    """Convert the roles of a line of prose, leaving code spans alone; .md links become .ipynb."""
    def replace(m: re.Match) -> str:
        return role(ctx, m["name"], m["content"]) if m["role"] else m["code"]
    return MD_LINK_TO_PAGE.sub(lambda m: f"]({m['stem']}.ipynb{m['frag'] or ''})", ROLE_OR_CODE.sub(replace, line))


def read_block(lines: list[str], start: int, fence: str) -> tuple[dict[str, str], list[str], int]:
    """A directive's options, body lines and the index after its closing fence."""
    options, i = {}, start + 1
    while i < len(lines) and (m := OPTION.match(lines[i])):
        options[m["key"]] = m["value"]
        i += 1
    body, depth = [], 0
    while i < len(lines):
        stripped = lines[i].strip()
        if stripped == fence and depth == 0:
            return options, body, i + 1
        if (m := FENCE.match(stripped) or DIRECTIVE.match(stripped)) and m["fence"] == fence:
            depth += 1 if stripped != fence else -1
        body.append(lines[i])
        i += 1
    raise ValueError(f"unclosed {fence} block starting at line {start + 1}: {lines[start]!r}")


SOLUTION_HEADING = "#### "  # under the exercises' ### headings: collapsing it hides up to the next exercise
SOLUTION_HINT = "的解答（点击下面的按钮展开）"
SOLUTION_END = "<!-- solution-end -->"  # where the collapsed cells of a solution stop (a cell boundary)


def is_solution_heading(line: str) -> bool:
    """True for the heading that starts a solution with code cells."""
    return line.startswith(SOLUTION_HEADING) and line.endswith(SOLUTION_HINT)


def details(summary: str, inner: str) -> str:
    """A block the reader opens with a click (JupyterLab renders <details>)."""
    return f"<details>\n<summary>{summary}</summary>\n\n{inner}\n\n</details>"


def glossary(ctx: Context, body: list[str]) -> str:
    """A Sphinx glossary (terms, then their indented definition) as a list of bold terms."""
    entries, terms, definition = [], [], []
    for line in body + [""]:
        if line.strip() and not line[0].isspace():
            if definition:
                entries.append((terms, definition))
                terms, definition = [], []
            terms.append(line.strip())
        elif line.strip():
            definition.append(line.strip())
        elif terms and definition:
            entries.append((terms, definition))
            terms, definition = [], []
    items = []
    for names, text in entries:
        also = f"（{'，'.join(names[1:])}）" if names[1:] else ""
        items.append(f"- **{names[0]}**{also}：{inline(ctx, ' '.join(text))}")
    return "\n".join(items)


def directive(ctx: Context, name: str, arg: str, options: dict, body: list[str]) -> str:
    """The Markdown of one MyST directive."""
    inner = convert(ctx, "\n".join(body)).strip()
    if name == "exercise":
        t = ctx.labels.get(options["label"], "exercise")
        return f"### 练习 {t.text}\n\n{inner}"
    if name == "solution":
        t = ctx.labels.get(arg, "exercise")
        return details(f"练习 {t.text} 的解答（点击展开）", inner)
    if name == "solution-start":  # a solution with code cells: a heading whose cells start collapsed
        t = ctx.labels.get(arg, "exercise")
        return f"{SOLUTION_HEADING}练习 {t.text} {SOLUTION_HINT}\n\n{inner}"
    if name == "solution-end":
        return SOLUTION_END
    if name == "figure":
        t = ctx.labels.get(options["name"], "figure") if "name" in options else None
        width = f' width="{options["width"].removesuffix("px")}"' if "width" in options else ""
        alt = html.escape(options.get("alt", inner), quote=True)
        img = f'<img src="{arg}" alt="{alt}"{width}>'
        anchor = f'<a id="{t.anchor}"></a>' if t else ""
        caption = f"*图 {t.text}：{inner}*" if t else f"*{inner}*"
        return f"{anchor}{img}\n\n{caption}"
    if name in ADMONITIONS or name == "admonition":
        title = inline(ctx, arg) if name == "admonition" else ADMONITIONS[name]
        if "dropdown" in options.get("class", "").split():
            return details(title, inner)
        quoted = "\n".join(f"> {line}" if line else ">" for line in inner.splitlines())
        return f"> **{title}**\n>\n{quoted}"
    if name == "bibliography":
        return "\n\n".join(f"- {ref.entry}" for ref in ctx.refs.values())
    if name == "glossary":
        return glossary(ctx, body)
    if name == "exec-status":  # a table the site build makes from its execution records
        return "> 这张表由网站的构建过程生成，只在本书的网站和 PDF 中显示。"
    if name == "only":  # builder-specific text: a notebook is read like the HTML
        return inner if "html" in arg else ""
    if name == "literalinclude":
        path = (ctx.source_dir / arg).resolve()
        if not path.is_file():
            raise FileNotFoundError(f"{ctx.stem}: literalinclude {arg!r}: no file {path}")
        return "```" + options.get("language", "") + "\n" + path.read_text(encoding="utf-8").rstrip("\n") + "\n```"
    if name in ("code-block", "code", "sourcecode"):
        return "```" + arg + "\n" + "\n".join(body) + "\n```"
    raise ValueError(f"{ctx.stem}: the directive {{{name}}} has no notebook form: add one in {__name__}")


def convert(ctx: Context, text: str) -> str:
    """Convert the MyST Markdown of a cell (or a directive's body) to JupyterLab Markdown."""
    lines, out, i = text.splitlines(), [], 0
    in_math = False
    while i < len(lines):
        line = lines[i]
        if in_math:
            if m := MATH_CLOSE.match(line.strip()):
                indent = line[:len(line) - len(line.lstrip())]
                if m["label"]:
                    t = ctx.labels.get(m["label"], "equation")
                    out.append(f"{indent}\\tag{{{t.text}}}")
                in_math = False
                out.append(f"{indent}$$")
            else:
                out.append(line)
            i += 1
        elif line.strip() == "$$":
            in_math = True
            out.append(line)
            i += 1
        elif SECTION_LABEL.match(line):  # the heading below it is the anchor
            i += 1
        elif line.startswith("% ") or line == "%":  # a MyST comment
            i += 1
        elif m := DIRECTIVE.match(line):
            options, body, i = read_block(lines, i, m["fence"])
            out.append(directive(ctx, m["name"], m["arg"], options, body))
        elif m := FENCE.match(line):
            _, body, end = read_block(lines, i, m["fence"])
            out += lines[i:end]
            i = end
        else:
            out.append(inline(ctx, line))
            i += 1
    if in_math:
        raise ValueError(f"{ctx.stem}: a $$ block is not closed")
    return "\n".join(out)


def references(ctx: Context) -> str:
    """A closing 参考文献 section listing the works this page cited, or '' if none."""
    if not ctx.cited:
        return ""
    return "## 参考文献\n\n" + "\n".join(f"- {ctx.refs[k].entry}" for k in ctx.cited)
