"""The reader notebooks (bookmodel/readernb) and the launch links (book/_ext/launch.py).

Each MyST construct the book uses is converted on a small made-up book in a temporary folder;
the real book is checked for labels and citations that all resolve. The browser test of the
notebooks in JupyterLab is tests/test_notebooks.py (make test-notebooks).
"""
import json
import textwrap
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
import launch  # book/_ext/launch.py (pytest's pythonpath has book/_ext)
from bookmodel import chapter, pages as book
from bookmodel.readernb import cite, labels, markdown
from bookmodel.readernb.notebook import build, language_info, read_page
from d2lutil.narrowfig import with_narrow_layout

HEADER = """---
jupytext:
  text_representation:
    extension: .md
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
"""
CHAPTER_A = HEADER + textwrap.dedent("""
    (sec-a)=
    # 第一章

    见 {ref}`sec-b` 和 {doc}`b`，以及 {ref}`本章 <sec-a>`。引用 {cite:p}`huber1964robust`，
    {cite:t}`huber1964robust` 提出了它。`{ref}` 在代码里不动。

    $$
    y = wx + b
    $$ (eq-a-model)

    由式 {eq}`eq-a-model` 与第二章的式 {eq}`eq-b-loss`，误差为 {glue:text}`a_err:.2e`，共 {glue:text}`a_n` 个。

    ```{figure} figures/net.svg
    :name: fig-a-net
    :width: 300px
    :alt: 一张网络图

    单层网络。
    ```

    如 {numref}`fig-a-net` 所示。

    ```{code-cell} ipython3
    from myst_nb import glue
    glue("a_err", 0.000123, display=False)
    glue("a_n", 60000, display=False)
    print("hello")
    ```

    ```{code-cell} ipython3
    :tags: [hide-input]
    print("plot code")
    ```

    ```{code-cell} ipython3
    ---
    mystnb:
      figure:
        caption: 损失随 {glue:text}`a_n` 步下降。
        name: fig-a-loss
    ---
    print("a figure")
    ```

    ```{code-cell} ipython3
    :tags: [remove-cell]
    from d2lutil.expected import check
    ```

    ## 练习

    ```{exercise}
    :label: ex-a-1
    为什么？
    ```

    ````{solution} ex-a-1
    :class: dropdown
    因为 $x > 0$：

    ```python
    print(1)
    ```
    ````

    ```{exercise}
    :label: ex-a-2
    算一算。
    ```

    ````{solution-start} ex-a-2
    :class: dropdown
    ````

    算出来是：

    ```{code-cell} ipython3
    2 * 3
    ```

    这就是答案。

    ````{solution-end}
    ````

    ### 练习之后

    ## 术语

    ```{glossary}
    线性回归
    linear regression
      用加权和预测一个数，见 {ref}`sec-b`。

    特征
      一个输入量。
    ```

    :::{admonition} 源代码（`net.py`）
    :class: dropdown

    ```{literalinclude} figures/net.py
    :language: python
    ```
    :::
    """)
CHAPTER_B = HEADER + textwrap.dedent("""
    (sec-b)=
    # 第二章

    $$
    L = \\frac{1}{2}(y - \\hat y)^2
    $$ (eq-b-loss)

    ```{code-cell} ipython3
    1 + 1
    ```
    """)
BIB = """@article{huber1964robust,
  title = {Robust Estimation of a Location Parameter},
  author = {Huber, Peter J.},
  journal = {The Annals of Mathematical Statistics},
  year = {1964},
  doi = {10.1214/aoms/1177703732}
}
"""
TOC = """format: jb-book
root: book/index
parts:
  - caption: 一
    numbered: true
    chapters:
      - file: book/a
      - file: book/b
  - caption: 附录
    chapters:
      - file: book/bibliography
"""


WIDE_SVG = "<svg id='wide'/>\n"


@pytest.fixture
def small_book(tmp_path):
    """A two-chapter book with every construct, and runs of its chapters in an execution cache."""
    (tmp_path / "book" / "figures").mkdir(parents=True)
    (tmp_path / "book" / "figures" / "net.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    (tmp_path / "book" / "figures" / "net.py").write_text("def net(x):\n    return x\n")
    (tmp_path / "_toc.yml").write_text(TOC)
    (tmp_path / "book" / "index.md").write_text("# 首页\n\n见 {doc}`a`。\n")
    (tmp_path / "book" / "a.md").write_text(CHAPTER_A)
    (tmp_path / "book" / "b.md").write_text(CHAPTER_B)
    (tmp_path / "book" / "bibliography.md").write_text("# 参考文献\n\n```{bibliography}\n:all:\n```\n")
    (tmp_path / "book" / "references.bib").write_text(BIB)
    from jupyter_cache import get_cache
    cache = get_cache(tmp_path / "_build" / ".jupyter_cache")
    glue = [{"output_type": "display_data", "data": {"application/papermill.record/text/plain": value},
             "metadata": {"scrapbook": {"name": key, "mime_prefix": "application/papermill.record/"}}}
            for key, value in (("a_err", "0.000123"), ("a_n", "60000"))]
    figure = {"output_type": "display_data", "metadata": {},
              "data": {"image/svg+xml": with_narrow_layout(WIDE_SVG, "<svg id='narrow'/>\n"), "text/plain": "<Figure>"}}
    for stem, outputs in (("a", [[{"output_type": "stream", "name": "stdout", "text": "hello\n"}, *glue],
                                 [], [figure], [], []]),
                          ("b", [[{"output_type": "execute_result", "data": {"text/plain": "2"},
                                   "metadata": {}, "execution_count": 1}]])):
        source = tmp_path / "book" / f"{stem}.md"
        nb = chapter.read(source, tmp_path)
        for cell, outs in zip([c for c in nb.cells if c.cell_type == "code"], outputs):
            cell.outputs = [nbformat.from_dict(o) for o in outs]
        nbformat.write(nb, tmp_path / f"{stem}.ipynb")
        cache.cache_notebook_file(tmp_path / f"{stem}.ipynb", uri=str(source), check_validity=False)
    return tmp_path


def reader(small_book, stem: str) -> nbformat.NotebookNode:
    """Build the small book's reader notebooks and read one."""
    out = small_book / "notebooks"
    build(out, cache_dir=small_book / "_build" / ".jupyter_cache", root=small_book, sign=False)
    return nbformat.read(out / f"{stem}.ipynb", as_version=4)


def markdown_of(nb) -> str:
    """All the Markdown of a notebook."""
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def test_pages_are_numbered_as_the_site_numbers_them(small_book):
    pages = book.pages(small_book)
    assert [(p.stem, p.number, p.title) for p in pages] == [
        ("index", None, "首页"), ("a", 1, "第一章"), ("b", 2, "第二章"), ("bibliography", None, "参考文献")]
    assert [p.is_notebook for p in pages] == [False, True, True, False]


def test_labels_get_the_site_numbers(small_book):
    found = labels.scan(book.pages(small_book))
    assert found.get("eq-a-model").text == "1.1" and found.get("eq-b-loss").text == "2.1"
    assert found.get("ex-a-2").text == "1.2"
    assert found.get("fig-a-net").text == "1.1" and found.get("ex-a-1").text == "1.1"
    assert found.get("fig-a-loss").text == "1.2", "code-cell figures count in document order"
    assert found.get("sec-b").kind == "section" and found.get("sec-b").anchor == "第二章"
    with pytest.raises(KeyError, match="eq-nope"):
        found.get("eq-nope")


def test_roles_become_links_numbers_and_citations(small_book):
    text = markdown_of(reader(small_book, "a"))
    assert "[第二章](b.ipynb#第二章)" in text and "[第二章](b.ipynb)" in text
    assert "[本章](#第一章)" in text
    assert "(Huber, 1964)" in text and "Huber (1964) 提出了它" in text
    assert "`{ref}` 在代码里不动" in text
    assert "由式 (1.1) 与第二章的式 [(2.1)](b.ipynb)" in text
    assert "误差为 1.23e-04，共 60000 个" in text
    assert "[图 1.1](#fig-a-net)" in text


def test_equations_figures_and_exercises(small_book):
    text = markdown_of(reader(small_book, "a"))
    assert "y = wx + b\n\\tag{1.1}\n$$" in text
    assert '<a id="fig-a-net"></a><img src="figures/net.svg" alt="一张网络图" width="300">' in text
    assert "*图 1.1：单层网络。*" in text
    assert "### 练习 1.1\n\n为什么？" in text
    assert "<details>\n<summary>练习 1.1 的解答（点击展开）</summary>\n\n因为 $x > 0$：" in text
    assert "```python\nprint(1)\n```\n\n</details>" in text
    prose = text.replace("`{ref}`", "").replace("\\frac{", "").replace("\\tag{", "")
    for raw in ("{", ":label:", ":class:", "(sec-", "(eq-"):
        assert raw not in prose, raw


def test_solutions_with_code_glossary_and_included_source(small_book):
    nb = reader(small_book, "a")
    heads = [i for i, c in enumerate(nb.cells) if c.source.startswith("#### 练习 1.2 的解答")]
    assert len(heads) == 1, "a solution with code cells starts with a heading of its own"
    head = nb.cells[heads[0]]
    assert head.metadata == {"jp-MarkdownHeadingCollapsed": True}, "collapsed: its cells are hidden"
    assert nb.cells[heads[0] + 1].source == "算出来是：" and nb.cells[heads[0] + 2].source == "2 * 3"
    assert nb.cells[heads[0] + 3].source == "这就是答案。", "the solution's last text is a cell of its own"
    assert nb.cells[heads[0] + 4].source.startswith("### 练习之后"), "what follows is not hidden with it"
    text = markdown_of(nb)
    assert "solution-end" not in text and "solution-start" not in text
    assert "- **线性回归**（linear regression）：用加权和预测一个数，见 [第二章](b.ipynb#第二章)。" in text
    assert "- **特征**：一个输入量。" in text
    assert "<details>\n<summary>源代码（`net.py`）</summary>\n\n```python\ndef net(x):\n    return x\n```" in text


def test_references_close_the_chapter(small_book):
    last = reader(small_book, "a").cells[-1].source
    assert last.startswith("## 参考文献") and "Huber, Peter J. (1964)" in last
    assert "<https://doi.org/10.1214/aoms/1177703732>" in last


def test_code_cells_tags_outputs_and_metadata(small_book):
    nb = reader(small_book, "a")
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert len(code) == 4, "the remove-cell check cell is left out"
    caption = nb.cells[nb.cells.index(code[2]) + 1]
    assert caption.cell_type == "markdown"
    assert caption.source == '<a id="fig-a-loss"></a>*图 1.2：损失随 60000 步下降。*'
    assert [o.get("text") for o in code[0].outputs] == ["hello\n"], "the glue records are left out"
    assert code[2].outputs[0]["data"]["image/svg+xml"] == WIDE_SVG, "the phone layout is left out"
    assert code[1].metadata["jupyter"] == {"source_hidden": True}
    assert nb.metadata["kernelspec"]["display_name"] == "Python 3 (ipykernel)"
    assert nb.metadata["language_info"] == language_info()
    assert "jupytext" not in nb.metadata
    nbformat.validate(nb)


def test_notebooks_are_stable_and_in_jupyterlabs_format(small_book):
    out = small_book / "notebooks"
    build(out, cache_dir=small_book / "_build" / ".jupyter_cache", root=small_book, sign=False)
    first = (out / "a.ipynb").read_bytes()
    build(out, cache_dir=small_book / "_build" / ".jupyter_cache", root=small_book, sign=False)
    assert (out / "a.ipynb").read_bytes() == first, "two builds of the same chapter differ"
    nb = nbformat.read(out / "a.ipynb", as_version=4)
    assert nbformat.writes(nb) + "\n" == first.decode(), "not the bytes JupyterLab would save"
    assert (out / "figures" / "net.svg").is_file()


def test_every_page_has_a_notebook_and_the_bibliography_lists_all(small_book):
    nb = reader(small_book, "bibliography")
    assert "Huber, Peter J. (1964)" in markdown_of(nb)
    assert "[第一章](a.ipynb)" in markdown_of(reader(small_book, "index"))


def test_unknown_constructs_and_missing_values_are_errors(small_book):
    found = labels.scan(book.pages(small_book))
    ctx = markdown.Context("a", found, {}, cite.load(small_book / "book" / "references.bib"))
    with pytest.raises(ValueError, match=r"role \{kbd\} has no notebook form"):
        markdown.convert(ctx, "press {kbd}`Ctrl`")
    with pytest.raises(ValueError, match=r"directive \{mermaid\} has no notebook form"):
        markdown.convert(ctx, "```{mermaid}\ngraph\n```")
    with pytest.raises(KeyError, match="glue key 'a_err' has no value"):
        markdown.convert(ctx, "{glue:text}`a_err:.2f`")
    with pytest.raises(KeyError, match="not in references.bib"):
        markdown.convert(ctx, "{cite:p}`nobody2020`")
    with pytest.raises(ValueError, match="not closed"):
        markdown.convert(ctx, "$$\nx")


def test_unnumbered_pages_number_on(small_book):
    """As on the site (Sphinx's numfig): an appendix's numbers continue the previous appendix's."""
    appendix = HEADER + textwrap.dedent("""
        # 附录{n}

        $$
        y = {n}
        $$ (eq-app{n})

        ```{{code-cell}} ipython3
        ---
        mystnb:
          figure:
            name: fig-app{n}
        ---
        1
        ```

        ```{{exercise}}
        :label: ex-app{n}
        题目。
        ```
        """)
    for n in (1, 2):
        (small_book / "book" / f"app{n}.md").write_text(appendix.format(n=n))
    (small_book / "_toc.yml").write_text(TOC + "      - file: book/app1\n      - file: book/app2\n")
    found = labels.scan(book.pages(small_book))
    assert [found.get(f"fig-app{n}").text for n in (1, 2)] == ["1", "2"]
    assert [found.get(f"ex-app{n}").text for n in (1, 2)] == ["1", "2"]
    assert [found.get(f"eq-app{n}").text for n in (1, 2)] == ["1", "2"]
    assert found.get("fig-a-net").text == "1.1", "numbered chapters keep their own numbers"


def test_a_run_of_older_code_is_never_used(small_book):
    (small_book / "book" / "b.md").write_text(CHAPTER_B.replace("1 + 1", "1 + 2"))
    code = [c for c in reader(small_book, "b").cells if c.cell_type == "code"]
    assert code[0].source == "1 + 2" and code[0].outputs == [], "outputs of 1 + 1 shown under 1 + 2"
    (small_book / "book" / "a.md").write_text(CHAPTER_A.replace('print("hello")', 'print("bye")'))
    with pytest.raises(KeyError, match="glue key 'a_err' has no value"):
        reader(small_book, "a")


def test_the_real_book_converts_without_outputs_except_glue():
    """Every label, page, citation and directive of the book resolves (glue needs a run)."""
    pages = book.pages()
    found = labels.scan(pages)
    refs = cite.load(ROOT / "book" / "references.bib")
    for page in pages:
        ctx = markdown.Context(page.stem, found, GlueAnything(), refs, source_dir=page.path.parent)
        for cell in read_page(page).cells:
            if cell.cell_type == "markdown":
                text = markdown.convert(ctx, cell.source)
                for raw in ("{ref}", "{eq}", "{doc}", "{cite", "{glue", ":label:", "{exercise}", "{solution}"):
                    assert raw not in text, (page.stem, raw)


class GlueAnything(dict):
    """Glued values for a check that runs no chapter: every key is 0."""

    def __contains__(self, key):
        return True

    def __getitem__(self, key):
        return "0"


@pytest.mark.parametrize("url, expected", [
    ("https://github.com/o/r", "https://github.com/o/r"),
    ("https://github.com/o/r.git", "https://github.com/o/r"),
    ("git@github.com:o/r.git", "https://github.com/o/r"),
    ("ssh://git@github.com/o/r-2.git", "https://github.com/o/r-2"),
    ("https://gitlab.com/o/r", None),
    ("/work/main", None),
    ("", None),
])
def test_github_urls_in_both_forms(url, expected):
    assert launch.github_url(url) == expected


def test_repository_url_prefers_the_configuration(tmp_path):
    import subprocess
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert launch.repository_url("", tmp_path) == ""
    subprocess.run(["git", "-C", str(tmp_path), "remote", "add", "origin", "git@github.com:me/fork.git"], check=True)
    assert launch.repository_url("", tmp_path) == "https://github.com/me/fork"
    assert launch.repository_url("https://github.com/course/book/", tmp_path) == "https://github.com/course/book"


def test_launch_links_open_the_reader_notebook():
    binder = launch.binder_url("https://mybinder.org/", "https://github.com/o/r", "main",
                               launch.notebook_path("book/mse-mle"))
    assert binder == "https://mybinder.org/v2/gh/o/r/main?urlpath=lab/tree/notebooks/mse-mle.ipynb"
    hub = launch.jupyterhub_url("https://hub.example.edu/", "https://github.com/o/r", launch.NOTEBOOK_BRANCH,
                                launch.notebook_path("book/mse-mle"))
    parts = urlsplit(hub)
    assert (parts.scheme, parts.netloc, parts.path) == ("https", "hub.example.edu", "/hub/user-redirect/git-pull")
    query = parse_qs(parts.query, strict_parsing=True)
    assert query == {"repo": ["https://github.com/o/r"], "branch": [launch.NOTEBOOK_BRANCH],
                     "urlpath": ["lab/tree/r/notebooks/mse-mle.ipynb"]}


def test_no_buttons_without_a_repository():
    assert launch.launch_buttons({"repository_url": ""}, {"binderhub_url": "https://mybinder.org"}, "book/a") == []
    both = launch.launch_buttons({"repository_url": "https://github.com/o/r", "repository_branch": "main"},
                                 {"binderhub_url": "https://mybinder.org", "jupyterhub_url": "https://hub.x"},
                                 "book/a")
    assert [b["text"] for b in both] == ["Binder", "JupyterHub"]
    assert "urlpath=lab/tree/notebooks/a.ipynb" in both[0]["url"]
