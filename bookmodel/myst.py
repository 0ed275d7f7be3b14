"""The MyST Markdown syntax the book's tools parse line by line: one set of patterns for all of them.

bookmodel.readernb (labels and the MyST → JupyterLab conversion) and tests/test_prose.py (the
prose lint, the glossary's term links) read chapters with these.
"""
import re

SECTION_LABEL = re.compile(r"^\((?P<label>[\w.:-]+)\)=\s*$")  # (sec-x)= before a heading
HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)\s*#*\s*$")
MATH_CLOSE = re.compile(r"^\$\$\s*(?:\((?P<label>[\w.:-]+)\))?\s*$")  # $$ (eq-x) ends a labelled equation
DIRECTIVE = re.compile(r"^(?P<fence>`{3,}|:{3,}|~{3,})\{(?P<name>[\w:-]+)\}\s*(?P<arg>.*?)\s*$")
OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*?)\s*$")  # :label: x, right after a directive
FENCE = re.compile(r"^(?P<fence>`{3,}|~{3,})")
FIGURE_NAME = re.compile(r"^\s+name:\s*(?P<name>[\w.:-]+)\s*$")  # a code cell's mystnb figure name
ROLE = re.compile(r"\{(?P<name>[a-zA-Z][\w:.-]*)\}`(?P<content>[^`]*)`")  # {term}`交叉熵`
ROLE_OR_CODE = re.compile(rf"(?P<role>{ROLE.pattern})|(?P<code>(?P<ticks>`+).+?(?P=ticks))")
TEXT_AND_TARGET = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)  # {ref}`text <target>`


def role_targets(text: str, name: str) -> list[str]:
    """What each {name} role of a text points at: `text <target>` gives target, else the content."""
    targets = []
    for m in ROLE.finditer(text):
        if m["name"] == name:
            explicit = TEXT_AND_TARGET.match(m["content"].strip())
            targets.append(explicit["target"].strip() if explicit else m["content"].strip())
    return targets
