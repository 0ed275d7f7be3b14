"""Reader notebooks: the book's MyST chapters as plain Jupyter notebooks that read like the site.

JupyterLab renders Markdown cells as CommonMark + LaTeX: MyST's roles, directives and labels
would show as raw text there. This package turns each chapter (the single source, book/*.md)
into notebooks/<chapter>.ipynb for readers who open the book in Binder, on a JupyterHub or
with `make lab`:

- labels disappear; references become links (to a heading in the same notebook or to another
  chapter's notebook); equations, figures and exercises carry the site's numbers;
- citations read "(Huber, 1964)" and each notebook ends with its references;
- glued numbers are the values the chapter's run produced (the executed notebook's outputs);
- exercises are bold headings, solutions are collapsed `<details>` blocks;
- `hide-input` code is collapsed, `remove-cell` cells are left out.

The pages, their order and numbers come from bookmodel.pages. Modules: `labels` (what every label points at),
`cite` (references.bib), `markdown` (MyST → JupyterLab Markdown), `notebook` (assembling and
writing the notebooks), `__main__` (the command line).
"""
