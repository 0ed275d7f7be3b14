"""ProgressBoard: d2l 1.0's API, every_n averaging, cheap redraws, and d2l's bugs fixed."""
import numpy as np
import pytest
import torch
from matplotlib import pyplot as plt

from d2lutil.board import ProgressBoard


def sine_cosine(board, n=100):
    for x in np.arange(0, n / 10, 0.1):
        board.draw(x, np.sin(x), "sin", every_n=2)
        board.draw(x, np.cos(x), "cos", every_n=10)


def test_attributes_are_d2ls_hyperparameters():
    board = ProgressBoard("x", ylim=(0, 1))
    assert (board.xlabel, board.ylabel, board.xlim, board.ylim) == ("x", None, None, (0, 1))
    assert (board.xscale, board.yscale, board.figsize, board.display) == ("linear", "linear", (3.5, 2.5), True)
    assert board.ls == ["-", "--", "-.", ":"] and board.colors == ["C0", "C1", "C2", "C3"]


def test_every_n_averages_groups_of_n_points():
    board = ProgressBoard("x", display=False)
    for x in range(6):
        board.draw(x, x * 10, "a", every_n=3)
    board.draw(6, 60, "a", every_n=3)  # an incomplete group is not drawn yet
    assert [tuple(p) for p in board.data["a"]] == [(1.0, 10.0), (4.0, 40.0)]
    assert [tuple(p) for p in board.raw_points["a"]] == [(6, 60.0)]


def test_the_sine_cosine_demo_makes_one_line_per_series():
    board = ProgressBoard("x")
    sine_cosine(board)
    assert (len(board.data["sin"]), len(board.data["cos"])) == (50, 10)
    assert len(board.axes.lines) == 2  # d2l 1.0.3 piles up a new Line2D per series at every draw
    xs, ys = board.lines["sin"].get_data()
    assert np.allclose(ys[0], (np.sin(0) + np.sin(0.1)) / 2)
    assert [t.get_text() for t in board.axes.get_legend().get_texts()] == ["sin", "cos"]
    assert board.axes.get_xlabel() == "x"
    low, high = board.axes.get_ylim()  # no limits given: the axes fit the data
    assert low < -0.99 and high > 0.99 and board.axes.get_xlim()[1] > 9.8


def test_unset_xlabel_draws_without_error():
    board = ProgressBoard()
    board.draw(0, 1.0, "a")  # d2l 1.0.3: AttributeError 'ProgressBoard' object has no attribute 'x'
    assert board.axes.get_xlabel() == ""


def test_more_than_four_series_are_all_drawn_with_cycling_styles():
    board = ProgressBoard("x")
    for k in range(6):
        board.draw(0, k, f"s{k}")
        board.draw(1, k + 1, f"s{k}")
    assert len(board.axes.lines) == 6
    assert len(board.axes.get_legend().get_texts()) == 6
    assert board.lines["s4"].get_linestyle() == board.lines["s0"].get_linestyle()


def test_attributes_changed_after_creation_apply_at_the_next_draw():
    board = ProgressBoard("x")
    board.draw(1, 1.0, "a")
    board.yscale, board.xlim = "log", [0, 5]
    board.draw(2, 10.0, "a")
    assert board.axes.get_yscale() == "log"
    assert tuple(board.axes.get_xlim()) == (0, 5)


def test_y_may_be_a_tensor_or_array_scalar():
    board = ProgressBoard(display=False)
    board.draw(0, torch.tensor(2.0, requires_grad=True) * 1, "a")
    board.draw(1, np.float32(4.0), "a")
    assert [p.y for p in board.data["a"]] == [2.0, 4.0]
    with pytest.raises(ValueError, match="one number"):
        board.draw(2, torch.ones(3), "a")


@pytest.mark.parametrize("bad", [0, -1, 1.5, True, "2"])
def test_every_n_must_be_a_positive_whole_number(bad):
    with pytest.raises(ValueError, match="every_n must be a positive whole number"):
        ProgressBoard().draw(0, 1.0, "a", every_n=bad)


def test_display_false_keeps_the_points_and_draws_nothing():
    board = ProgressBoard(display=False)
    sine_cosine(board, 20)
    assert board.fig is None and len(board.data["sin"]) == 10


def test_given_axes_are_used():
    fig, ax = plt.subplots()
    board = ProgressBoard(axes=ax)
    board.draw(0, 1.0, "a")
    assert board.fig is fig and ax.lines


def test_a_script_prints_no_figure_reprs_and_can_save_the_final_figure(run_script, tmp_path):
    out = tmp_path / "board.png"
    result = run_script(
        "import numpy as np\n"
        "from d2lutil import torch as d2l\n"
        "board = d2l.ProgressBoard('x')\n"
        "for x in np.arange(0, 10, 0.1):\n"
        "    board.draw(x, np.sin(x), 'sin', every_n=2)\n"
        "    board.draw(x, np.cos(x), 'cos', every_n=10)\n"
        f"board.fig.savefig({str(out)!r})\n"
        "print('lines', len(board.axes.lines), len(board.lines['sin'].get_xdata()))\n")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "lines 2 50\n"  # d2l 1.0.3 prints '<Figure size 350x250 with 1 Axes>' per draw
    assert out.stat().st_size > 1000
