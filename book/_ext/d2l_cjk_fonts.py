"""The PDF's Chinese: the Simplified Chinese (SC) faces of Noto CJK, each as a font file of its own.

Debian's fonts-noto-cjk ships OpenType collections (.ttc): one file holds the JP, KR, SC, TC and HK
faces of a family. Each face has its own cmap and layout tables (they pick the glyph shapes of its
region), but all share one CFF table, whose name is the JP face's. XeTeX selects the SC face by
name, yet xdvipdfmx names the embedded font after the CFF table, so the PDF says `NotoSerifCJKjp`
and nobody can tell from it which shapes the Chinese text has. For the LaTeX build this module
writes each face the preamble names (FACES) to `<latex output>/fonts/<PostScript name>.otf`: the SC
face's own tables, with the CFF renamed to the face's PostScript name, as in Adobe's one-region
fonts. The preamble (_config.yml) loads these files, so pdffonts shows `NotoSerifCJKsc-Regular`,
and tests/test_pdf.py checks that no JP, KR, TC or HK face is embedded.
"""
import struct
import subprocess
from pathlib import Path

# The families the PDF sets Chinese in (_config.yml, latex_elements.preamble), by fontconfig name.
FACES = ("Noto Serif CJK SC", "Noto Sans CJK SC", "Noto Sans Mono CJK SC")
FONT_DIR = "fonts"   # in the LaTeX output folder; the preamble's Path=./fonts/


class FontError(RuntimeError):
    """A face the PDF needs is missing or not what this module expects."""


def locate(family: str) -> tuple[Path, int, str]:
    """(file, index in the collection, PostScript name) of a font family, as fontconfig finds it."""
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}|%{index}|%{postscriptname}|%{family}", family],
                             capture_output=True, text=True, check=True, timeout=60).stdout
    except (OSError, subprocess.SubprocessError) as error:
        raise FontError(f"fc-match failed ({error}); install fontconfig and the PDF tools with "
                        "'sudo scripts/system-packages.sh --pdf'") from error
    path, index, postscript, families = out.split("|", 3)
    if family not in families.split(","):
        raise FontError(f"fontconfig has no {family!r} (it offers {families!r} instead); install "
                        "fonts-noto-cjk with 'sudo scripts/system-packages.sh --pdf'")
    return Path(path), int(index), postscript


def rename_cff(cff: bytes, name: str) -> bytes:
    """The CFF table with its one font renamed in place (the Name INDEX entry; same length only)."""
    header_size = cff[2]
    count, off_size = struct.unpack(">HB", cff[header_size:header_size + 3])
    if count != 1:
        raise FontError(f"a CFF table with {count} fonts; expected one")
    offsets_at = header_size + 3
    first, last = (int.from_bytes(cff[offsets_at + i * off_size:offsets_at + (i + 1) * off_size], "big")
                   for i in (0, 1))
    data_at = offsets_at + 2 * off_size - 1   # offsets count from the byte before the data
    old = cff[data_at + first:data_at + last]
    new = name.encode("ascii")
    if len(new) != len(old):
        raise ValueError(f"cannot rename CFF font {old.decode()!r} to {name!r} in place: the lengths differ")
    return cff[:data_at + first] + new + cff[data_at + last:]


def renamed_cff(font, name: str) -> bytes:
    """The face's CFF table named `name`: patched in place, or rebuilt by fontTools (slow: ~40 s)."""
    try:
        return rename_cff(font.reader["CFF "], name)
    except ValueError:
        table = font["CFF "]
        table.cff.fontNames = [name]
        return table.compile(font)


def write_face(family: str, out_dir: Path) -> Path:
    """Write one face of a collection as <PostScript name>.otf in out_dir (kept if up to date)."""
    from fontTools.ttLib import TTCollection, TTFont
    from fontTools.ttLib.sfnt import SFNTWriter

    path, index, postscript = locate(family)
    target = out_dir / f"{postscript}.otf"
    if target.is_file() and target.stat().st_mtime >= path.stat().st_mtime:
        return target
    font = (TTCollection(str(path), lazy=True).fonts[index] if path.suffix.lower() in (".ttc", ".otc")
            else TTFont(str(path), lazy=True))
    tags = sorted(font.reader.keys())
    if "CFF " not in tags:
        raise FontError(f"{path} (face {index}) has no CFF table")
    out_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(".part")
    with open(partial, "wb") as file:   # the face's tables as they are, only the CFF renamed
        writer = SFNTWriter(file, len(tags), font.reader.sfntVersion)
        for tag in tags:
            data = font.reader[tag]
            writer[tag] = renamed_cff(font, postscript) if tag == "CFF " else data
        writer.close()
    partial.replace(target)
    return target


def _write_faces(app):
    """For the LaTeX builder: the SC faces into <outdir>/fonts before XeLaTeX runs."""
    if app.builder.format != "latex":
        return
    for family in FACES:
        write_face(family, Path(app.outdir) / FONT_DIR)


def setup(app):
    app.connect("builder-inited", _write_faces)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
