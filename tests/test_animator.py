"""d2lutil.animator: the Animator in a test process, a plain script and an executed notebook."""
import hashlib
import re

import pytest
from matplotlib import pyplot as plt

from d2lutil.animator import Animator, in_kernel


def image_outputs(cell) -> list[dict]:
    """The outputs of a notebook cell that carry an image."""
    return [o for o in cell.outputs if any(k.startswith("image/") for k in o.get("data", {}))]


@pytest.mark.parametrize("shell, expected", [(None, False), (type("TerminalShell", (), {})(), False),
                                             (type("KernelShell", (), {"kernel": object()})(), True)],
                         ids=["no-ipython", "terminal-ipython", "kernel"])
def test_in_kernel_only_in_a_shell_with_a_kernel(monkeypatch, shell, expected):
    """A terminal IPython has a shell but no kernel: figures there are drawn by the backend, not displayed."""
    import IPython
    monkeypatch.setattr(IPython, "get_ipython", lambda: shell)
    assert in_kernel() is expected


def test_add_grows_each_curve_and_redraws_with_labels_and_legend():
    animator = Animator(xlabel="epoch", ylabel="loss", xlim=[1, 3], ylim=[0, 1], legend=["a", "b"])
    for epoch in (1, 2, 3):
        animator.add(epoch, (0.1 * epoch, 1 - 0.1 * epoch))
    ax = animator.axes[0]
    assert animator.X == [[1, 2, 3], [1, 2, 3]]
    assert animator.Y[0] == pytest.approx([0.1, 0.2, 0.3])
    assert animator.Y[1] == pytest.approx([0.9, 0.8, 0.7])
    assert len(ax.lines) == 2  # redrawn, not stacked
    assert ax.lines[1].get_ydata().tolist() == pytest.approx([0.9, 0.8, 0.7])
    assert ax.lines[1].get_linestyle() == "--" and ax.lines[1].get_color() == "m"
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("epoch", "loss")
    assert ax.get_xlim() == (1, 3) and ax.get_ylim() == (0, 1)
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["a", "b"]
    assert plt.fignum_exists(animator.fig.number)  # outside a kernel the figure stays open


def test_add_takes_a_scalar_and_skips_missing_values():
    animator = Animator()
    animator.add(1, 0.5)
    animator.add(2, 0.25)
    assert animator.X == [[1, 2]] and animator.Y == [[0.5, 0.25]]
    two = Animator(legend=["train", "test"])
    two.add(1, (0.5, None))  # no test value in this epoch
    two.add([2, 2], [0.4, 0.6])
    assert two.X == [[1, 2], [2]] and two.Y == [[0.5, 0.4], [0.6]]


def test_several_subplots_and_scales():
    animator = Animator(nrows=1, ncols=2, yscale="log", figsize=(5, 2))
    animator.add(1, 10.0)
    assert len(animator.axes) == 2 and animator.axes[0].get_yscale() == "log"
    assert tuple(animator.fig.get_size_inches()) == (5, 2)


def test_animator_runs_in_a_plain_script_without_ipython(run_script, tmp_path):
    out = tmp_path / "curve.png"
    done = run_script(
        "from d2lutil.animator import Animator, in_kernel\n"
        "assert not in_kernel()\n"
        "animator = Animator(xlabel='轮次', legend=['loss'])\n"
        "for epoch in range(1, 6):\n"
        "    animator.add(epoch, 1 / epoch)\n"
        f"animator.fig.savefig({str(out)!r})\n"
        "print(len(animator.X[0]))")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "5"
    assert "Traceback" not in done.stderr and "Warning" not in done.stderr
    assert out.stat().st_size > 1000


def test_executed_notebook_keeps_one_final_figure(executed_notebook):
    cells = executed_notebook.cells
    assert "in_kernel True" in cells[0].outputs[0]["text"]
    images = image_outputs(cells[2])
    assert len(images) == 1, [o.get("output_type") for o in cells[2].outputs]
    assert [o for o in cells[2].outputs if o["output_type"] == "error"] == []
    svg = images[0]["data"]["image/svg+xml"]
    assert "image/png" not in images[0]["data"]
    final = re.search(r"final (\w+) (\d+)", cells[3].outputs[0]["text"])
    assert final.group(2) == "5"
    assert hashlib.sha256(svg.encode()).hexdigest() == final.group(1)  # the last state, not the first


def test_executed_notebook_html_has_one_figure_per_plot(executed_notebook):
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.v4.new_notebook(cells=executed_notebook.cells[:4])  # setup, plot, Animator, its final SVG
    assert [len(image_outputs(cell)) for cell in nb.cells] == [0, 1, 1, 0]
    html, _ = HTMLExporter().from_notebook_node(nb)
    assert len(re.findall(r'<img[^>]* src="data:image/svg\+xml', html)) == 2  # plot + Animator


def test_short_epochs_skip_intermediate_redraws_but_always_draw_the_last(monkeypatch):
    """Issue 13 (speed): train_ch3 passes last=...; redraws stay within 5% of the elapsed time."""
    from d2lutil import animator as animator_module
    clock = [100.0]
    monkeypatch.setattr(animator_module.time, "perf_counter", lambda: clock[0])
    drawn = []
    animator = animator_module.Animator(legend=["a"])
    monkeypatch.setattr(animator, "draw", lambda: drawn.append(len(animator.X[0])))
    for epoch in range(1, 11):
        clock[0] += 0.1  # a 0.1 s epoch: a 0.05 s redraw would be half of it
        animator.add(epoch, epoch / 10, last=epoch == 10)
    assert drawn == [10] and animator.X[0] == list(range(1, 11))
    for epoch in range(11, 14):
        clock[0] += 10.0  # long epochs: redrawing is cheap next to them
        animator.add(epoch, epoch / 10, last=False)
    assert drawn == [10, 11, 12, 13]
    animator.add(14, 1.4)  # d2l's call, without last: always redraws
    assert drawn[-1] == 14


@pytest.mark.parametrize("given, free", [("xlim", "y"), ("ylim", "x")])
def test_an_axis_without_limits_follows_the_data_when_the_other_has_them(given, free):
    """Limits on one axis only: the other axis still rescales at each redraw as the curves grow."""
    animator = Animator(legend=["a"], **{given: [0, 1]})
    for step in range(1, 6):
        animator.add(step / 5 if free == "y" else step * 10, step * 10 if free == "y" else step / 5)
    ax = animator.axes[0]
    fixed, grown = (ax.get_xlim(), ax.get_ylim()) if free == "y" else (ax.get_ylim(), ax.get_xlim())
    assert fixed == (0, 1) and grown[1] >= 50


@pytest.mark.parametrize("limits", [dict(xlim=[1, 6], ylim=[0, 2]), dict(), dict(yscale="log")])
def test_redrawing_each_epoch_gives_the_figure_drawn_once_at_the_end(limits):
    """Later draws only move the curves' points: the figure is pixel for pixel the one drawn from scratch."""
    import numpy as np
    points = [(epoch, (1 / epoch, None if epoch == 3 else 0.1 * epoch, 0.3 * epoch)) for epoch in range(1, 7)]
    each = Animator(xlabel="epoch", legend=["loss", "acc", "test"], **limits)
    for x, y in points:
        each.add(x, y)  # d2l's call: a redraw per epoch
    once = Animator(xlabel="epoch", legend=["loss", "acc", "test"], **limits)
    for x, y in points:
        once.add(x, y, last=False)  # short epochs: no redraw until the end
    assert once.lines is None
    once.draw()
    for animator in (each, once):
        animator.fig.canvas.draw()
    assert len(each.axes[0].lines) == 3
    assert each.axes[0].get_xlim() == once.axes[0].get_xlim()
    assert each.axes[0].get_ylim() == once.axes[0].get_ylim()
    assert np.array_equal(np.asarray(each.fig.canvas.buffer_rgba()), np.asarray(once.fig.canvas.buffer_rgba()))
    if not limits:  # an axis without limits follows the data as it grows
        assert each.axes[0].get_xlim()[1] >= 6 and each.axes[0].get_ylim()[1] >= 1.8
