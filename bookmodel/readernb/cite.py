"""Citations from book/references.bib in the site's author-year style, as plain Markdown."""
from dataclasses import dataclass
from pathlib import Path

from pybtex.database import parse_file


@dataclass(frozen=True)
class Reference:
    """One bibliography entry, reduced to what a reader needs."""

    key: str
    authors: tuple[str, ...]  # last names
    year: str
    entry: str  # the full reference, one line of Markdown

    @property
    def short(self) -> str:
        """'Huber', 'Xiao et al.' or 'Smith and Jones', as the site abbreviates authors."""
        if len(self.authors) == 1:
            return self.authors[0]
        if len(self.authors) == 2:
            return f"{self.authors[0]} and {self.authors[1]}"
        return f"{self.authors[0]} et al."


def _plain(text: str) -> str:
    """Drop BibTeX's protective braces."""
    return text.replace("{", "").replace("}", "")


def load(path: Path) -> dict[str, Reference]:
    """Every entry of a .bib file, by key."""
    refs = {}
    for key, entry in parse_file(str(path)).entries.items():
        people = entry.persons.get("author", [])
        last = tuple(_plain(" ".join(p.last_names)) for p in people)
        full = ", ".join(_plain(str(p)) for p in people)
        fields = entry.fields
        venue = fields.get("journal") or fields.get("publisher") or (
            f"arXiv:{fields['eprint']}" if "eprint" in fields else "")
        link = fields.get("url") or (f"https://doi.org/{fields['doi']}" if "doi" in fields else "")
        parts = [f"{full} ({fields.get('year', 'n.d.')}).", f"*{_plain(fields.get('title', ''))}*."]
        parts += [f"{_plain(venue)}." if venue else "", f"<{link}>" if link else ""]
        refs[key] = Reference(key, last, fields.get("year", "n.d."), " ".join(p for p in parts if p))
    return refs


def cite(refs: dict[str, Reference], role: str, content: str) -> tuple[str, list[str]]:
    """The text of a `{cite:p}` / `{cite:t}` role, and the keys it cites."""
    keys = [k.strip() for k in content.split(",") if k.strip()]
    missing = [k for k in keys if k not in refs]
    if missing:
        raise KeyError(f"citation key(s) {missing} not in references.bib")
    if role == "cite:t":
        return "; ".join(f"{refs[k].short} ({refs[k].year})" for k in keys), keys
    if role in ("cite:p", "cite"):
        return "(" + "; ".join(f"{refs[k].short}, {refs[k].year}" for k in keys) + ")", keys
    raise ValueError(f"unsupported citation role {{{role}}}: use cite:p or cite:t")
