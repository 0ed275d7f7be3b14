"""Write the reader notebooks: `python book/_ext/readernb [--out DIR] [--executed DIR] [--execute]`."""
import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):  # run as a directory: make the package importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    __package__ = "readernb"

from readernb.book import ROOT  # noqa: E402
from readernb.notebook import build  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and write the notebooks."""
    parser = argparse.ArgumentParser(prog="readernb", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "notebooks", help="where to write them")
    parser.add_argument("--cache", type=Path, default=ROOT / "_build" / ".jupyter_cache",
                        help="the book's execution cache (outputs and glued numbers), from make book")
    parser.add_argument("--execute", action="store_true",
                        help="run the chapters whose current code the cache has no run of")
    args = parser.parse_args(argv)
    written = build(args.out, args.cache, args.execute)
    print(f"reader notebooks: {len(written)} written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
