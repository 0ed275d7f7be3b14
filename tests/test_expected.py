"""d2lutil.expected: chapter figures checked against book/expected.toml."""
import math
from pathlib import Path

import pytest

from d2lutil import expected
from d2lutil.expected import ExpectationError, check, find_expected_file, load_expected

TOML = """
["toy"]
acc = { min = 0.8 }
err = { max = 0.01 }
n = { min = 10, max = 10 }
"""


@pytest.fixture
def toml(tmp_path):
    path = tmp_path / "expected.toml"
    path.write_text(TOML)
    return path


def test_check_passes_and_returns_plain_floats(toml):
    got = check("toy", path=toml, acc=0.85, err=0.001, n=10)
    assert got == {"acc": 0.85, "err": 0.001, "n": 10.0}
    assert all(type(v) is float for v in got.values())


def test_bounds_are_inclusive(toml):
    check("toy", path=toml, acc=0.8, err=0.01, n=10)


@pytest.mark.parametrize("figures, match", [
    ({"acc": 0.79, "err": 0.0, "n": 10}, r"acc = 0\.79 is below its bound min = 0\.8"),
    ({"acc": 0.9, "err": 0.02, "n": 10}, r"err = 0\.02 is above its bound max = 0\.01"),
    ({"acc": 0.9, "err": 0.0, "n": 11}, "n = 11 is above"),
    ({"acc": math.nan, "err": 0.0, "n": 10}, "acc = nan is below"),
])
def test_check_fails_outside_the_bounds(toml, figures, match):
    with pytest.raises(ExpectationError, match=match):
        check("toy", path=toml, **figures)


def test_check_wants_exactly_the_listed_figures(toml):
    with pytest.raises(ExpectationError, match=r"not given \['n'\].*not listed .*\['extra'\]"):
        check("toy", path=toml, acc=0.9, err=0.0, extra=1.0)


def test_check_rejects_an_unknown_chapter(toml):
    with pytest.raises(ExpectationError, match=r"no section \[nope\] in .*expected\.toml"):
        check("nope", path=toml)


def test_find_expected_file_prefers_the_environment_variable(toml, monkeypatch):
    monkeypatch.setenv("D2LUTIL_EXPECTED", str(toml))
    assert find_expected_file() == toml
    assert "toy" in load_expected()


def test_the_bounds_are_the_books_whatever_the_working_directory(tmp_path, monkeypatch):
    """A tests/expected.toml (or none) around the working directory changes nothing."""
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "expected.toml").write_text(TOML)
    monkeypatch.delenv("D2LUTIL_EXPECTED", raising=False)
    monkeypatch.chdir(tmp_path / "tests")
    assert find_expected_file() == Path(expected.__file__).resolve().parent.parent / "book" / "expected.toml"
    assert "toy" not in load_expected() and "linear-regression" in load_expected()


def test_a_missing_bounds_file_says_how_to_fix_it(tmp_path, monkeypatch):
    monkeypatch.setenv("D2LUTIL_EXPECTED", str(tmp_path / "nowhere.toml"))
    with pytest.raises(FileNotFoundError, match=r"nowhere\.toml.*book/expected\.toml.*D2LUTIL_EXPECTED"):
        check("toy", acc=1.0)


def test_the_repository_file_is_well_formed():
    table = load_expected()
    assert table, "no chapter in book/expected.toml"
    for chapter, bounds in table.items():
        assert bounds, f"[{chapter}] lists no figure"
        for name, bound in bounds.items():
            assert bound and set(bound) <= {"min", "max"}, f"{chapter}.{name}: {bound}"
            assert bound.get("min", -math.inf) <= bound.get("max", math.inf), f"{chapter}.{name}"
