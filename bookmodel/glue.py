"""The values a chapter's run glued with myst_nb.glue: the numbers its prose quotes."""
import re
from pathlib import Path

MIME_PREFIX = "application/papermill.record/"  # myst_nb.glue(..., display=False) prefixes mime types
REFERENCE = re.compile(r"\{glue(?::\w+)?\}`([^`:]+)")


def glued(cells: list) -> dict[str, dict]:
    """{key: its mime bundle, unprefixed} for every value glued in the outputs of these cells.

    A key glued twice is an error: the prose would quote one of two values.
    """
    values = {}
    for cell in cells:
        for output in cell.get("outputs", []):
            scrap = output.get("metadata", {}).get("scrapbook")
            if not scrap:
                continue
            if scrap["name"] in values:
                raise ValueError(f"glue key {scrap['name']!r} is glued twice")
            prefix = len(scrap.get("mime_prefix", ""))
            values[scrap["name"]] = {mime[prefix:]: data for mime, data in output.get("data", {}).items()}
    return values


def glued_text(cells: list) -> dict[str, str]:
    """{key: its text/plain} for every glued value: what {glue:text} prints."""
    return {key: bundle.get("text/plain", "") for key, bundle in glued(cells).items()}


def references(path: Path) -> set[str]:
    """The glue keys a page's prose pastes, e.g. {glue:text}`ch2_w_error:.2e` gives ch2_w_error."""
    return set(REFERENCE.findall(Path(path).read_text(encoding="utf-8")))
