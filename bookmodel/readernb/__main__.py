"""Write the reader notebooks: `python -m bookmodel.readernb [--out DIR] [--cache DIR] [--execute]`."""
import argparse
import sys
from pathlib import Path

from ..pages import ROOT
from ..settings import settings
from .notebook import build


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and write the notebooks."""
    parser = argparse.ArgumentParser(prog="python -m bookmodel.readernb", description=__doc__)
    parser.add_argument("--out", type=Path, default=ROOT / "notebooks", help="where to write them")
    parser.add_argument("--cache", type=Path, default=settings(ROOT).cache,
                        help="the book's execution cache (outputs and glued numbers), from make book")
    parser.add_argument("--execute", action="store_true",
                        help="run the chapters whose current code the cache has no run of")
    args = parser.parse_args(argv)
    written = build(args.out, args.cache, args.execute)
    print(f"reader notebooks: {len(written)} written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
