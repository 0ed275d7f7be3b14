"""The book as code: its pages, its chapters, running them, their cached runs and glued values.

Every tool that needs to know the book (the build's extensions in book/_ext, the root
conftest.py behind `pytest --nbval`, scripts/, benchmarks/ and the tests) asks this package
instead of reading _toc.yml, _config.yml or a chapter itself:

- `pages`: the pages of _toc.yml in reading order, with their parts, numbers and titles, and
  which of them are notebooks (MyST Markdown with a kernelspec);
- `settings`: what _config.yml says about execution (the one timeout, the execution cache);
- `chapter`: a chapter read as myst-nb reads it, and run in a new kernel;
- `kernels`: the environment flags the book's kernels get (documented there, set only there);
- `cache`: the execution cache (myst-nb's jupyter-cache) and whether a run is current;
- `glue`: the values a run glued (myst_nb.glue);
- `myst`: the MyST syntax the tools parse line by line (labels, roles, fences);
- `readernb`: the chapters as reader notebooks for JupyterLab.
"""
