"""book/_ext/d2l_cjk_fonts.py: Noto CJK's Simplified Chinese faces as fonts of their own, for the PDF."""
import io

import pytest
from fontTools.fontBuilder import FontBuilder
from fontTools.pens.t2CharStringPen import T2CharStringPen
from fontTools.ttLib import TTFont

import d2l_cjk_fonts  # book/_ext, on pytest's pythonpath


def tiny_cff_font(name: str) -> TTFont:
    """A one-glyph OpenType font with a CFF table named `name`."""
    fb = FontBuilder(1000, isTTF=False)
    fb.setupGlyphOrder([".notdef"])
    fb.setupCharacterMap({})
    pen = T2CharStringPen(500, None)
    pen.moveTo((0, 0)), pen.lineTo((0, 500)), pen.lineTo((500, 0)), pen.closePath()
    fb.setupCFF(name, {"FullName": name}, {".notdef": pen.getCharString()}, {})
    fb.setupHorizontalMetrics({".notdef": (500, 0)})
    fb.setupHorizontalHeader(ascent=800, descent=-200)
    fb.setupNameTable({"familyName": "Tiny", "styleName": "Regular"})
    fb.setupOS2()
    fb.setupPost()
    buffer = io.BytesIO()
    fb.save(buffer)
    buffer.seek(0)
    return TTFont(buffer)


def test_rename_cff_renames_the_font_in_place():
    font = tiny_cff_font("NotoSerifCJKjp-Regular")
    data = d2l_cjk_fonts.rename_cff(font.reader["CFF "], "NotoSerifCJKsc-Regular")
    assert len(data) == len(font.reader["CFF "])
    from fontTools.cffLib import CFFFontSet
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(data), None)
    assert cff.fontNames == ["NotoSerifCJKsc-Regular"]


def test_a_name_of_another_length_is_rebuilt_by_fonttools():
    font = tiny_cff_font("NotoSansCJKjp-Regular")
    with pytest.raises(ValueError, match="lengths differ"):
        d2l_cjk_fonts.rename_cff(font.reader["CFF "], "NotoSansMonoCJKsc-Regular")
    data = d2l_cjk_fonts.renamed_cff(font, "NotoSansMonoCJKsc-Regular")
    from fontTools.cffLib import CFFFontSet
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(data), None)
    assert cff.fontNames == ["NotoSansMonoCJKsc-Regular"]


def test_a_missing_family_says_how_to_install_it():
    with pytest.raises(d2l_cjk_fonts.FontError, match="system-packages.sh --pdf"):
        d2l_cjk_fonts.locate("No Such Font CJK XX")


def test_the_sc_face_of_the_collection_is_written_with_its_own_name(tmp_path):
    """With fonts-noto-cjk installed (make pdf installs it): the SC face, SC name, SC glyph for 直."""
    try:
        path, index, postscript = d2l_cjk_fonts.locate("Noto Serif CJK SC")
    except d2l_cjk_fonts.FontError as error:
        pytest.skip(str(error))
    written = d2l_cjk_fonts.write_face("Noto Serif CJK SC", tmp_path)
    assert written.name == "NotoSerifCJKsc-Regular.otf" == f"{postscript}.otf"
    font = TTFont(str(written))
    assert font["CFF "].cff.fontNames == ["NotoSerifCJKsc-Regular"]
    from fontTools.ttLib import TTCollection
    faces = {f["name"].getDebugName(6): f for f in TTCollection(str(path), lazy=True).fonts}
    sc, jp = faces["NotoSerifCJKsc-Regular"].getBestCmap(), faces["NotoSerifCJKjp-Regular"].getBestCmap()
    assert font.getBestCmap()[ord("直")] == sc[ord("直")] != jp[ord("直")]
