"""d2lutil.metrics: Accumulator, accuracy and evaluate_accuracy."""
import warnings

import pytest
import torch
from torch import nn

from d2lutil.metrics import Accumulator, accuracy, evaluate_accuracy


def test_accumulator_sums_resets_and_indexes():
    metric = Accumulator(3)
    metric.add(1, 2.5, torch.tensor(3))
    metric.add(1, 0.5, 4)
    assert metric.data == [2.0, 3.0, 7.0]
    assert metric[1] == 3.0 and metric[-1] == 7.0 and metric[0:2] == [2.0, 3.0]
    assert all(type(v) is float for v in metric.data)
    metric.reset()
    assert metric.data == [0.0, 0.0, 0.0]


def test_accumulator_takes_a_loss_that_requires_grad_without_warning():
    w = torch.ones(3, requires_grad=True)
    metric = Accumulator(1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        metric.add((2 * w).sum())
    assert metric[0] == 6.0


def test_accumulator_rejects_the_wrong_number_of_values():
    with pytest.raises(ValueError, match="holds 2 sums, got 3"):
        Accumulator(2).add(1, 2, 3)


@pytest.mark.parametrize("n", [0, -1, 2.0, "2"])
def test_accumulator_rejects_a_bad_size(n):
    with pytest.raises(ValueError, match="n must"):
        Accumulator(n)


def test_accuracy_counts_correct_predictions_from_scores():
    y_hat = torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7], [0.6, 0.4]])
    y = torch.tensor([1, 1, 1, 0])
    assert accuracy(y_hat, y) == 3.0
    assert isinstance(accuracy(y_hat, y), float)


def test_accuracy_takes_predicted_classes_directly():
    assert accuracy(torch.tensor([2, 0, 1]), torch.tensor([2, 1, 1])) == 2.0


@pytest.mark.parametrize("y", [torch.tensor([1.0, 2.0, 3.0, 4.0]), torch.tensor([[1], [2], [3], [4]]),
                               torch.tensor([1, 2])], ids=["float", "column", "too-short"])
def test_accuracy_rejects_labels_that_are_not_one_class_id_per_row(y):
    """Float labels used to be compared with the argmax silently; a column broadcast to [4, 4]."""
    with pytest.raises(ValueError, match=r"^y must (hold integer class ids|be a 1-D tensor with one label per row)"):
        accuracy(torch.rand(4, 10), y)


def test_accuracy_rejects_labels_outside_the_classes():
    with pytest.raises(ValueError, match=r"class ids must lie in 0..9, got values 10..13"):
        accuracy(torch.rand(4, 10), torch.tensor([10, 11, 12, 13]))


def test_uint8_labels_count_like_int64_labels_without_warning():
    y_hat = torch.softmax(torch.randn(5, 10, generator=torch.Generator().manual_seed(0)), dim=1)
    y = torch.tensor([0, 3, 9, 3, 1])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert accuracy(y_hat, y.to(torch.uint8)) == accuracy(y_hat, y) == float((y_hat.argmax(1) == y).sum())


def test_nan_scores_are_an_error_not_a_count():
    y_hat = torch.full((3, 10), float("nan"))
    with pytest.raises(ValueError, match="y_hat holds nan"):
        accuracy(y_hat, torch.tensor([0, 0, 0]))
    with pytest.raises(ValueError, match="y_hat holds nan"):
        evaluate_accuracy(lambda X: y_hat, [(torch.zeros(3, 2), torch.tensor([0, 0, 0]))])


def test_evaluate_accuracy_of_a_net_on_another_device_says_which_to_move():
    """A net on another device (the meta device stands in for CUDA) fed CPU batches."""
    net = nn.Linear(2, 3).to("meta")
    with pytest.raises(ValueError, match=r"parameters are on meta but the batch X is on cpu.*X.to\('meta'\)"):
        evaluate_accuracy(net, [(torch.zeros(4, 2), torch.zeros(4, dtype=torch.long))])


def test_accuracy_rejects_predictions_that_would_broadcast():
    # d2l would compare a [n, 1] column with n labels by broadcasting and count n*n pairs.
    with pytest.raises(ValueError, match="do not match labels"):
        accuracy(torch.tensor([[1], [0]]), torch.tensor([1, 0]))


class FirstFeature(nn.Module):
    """Predicts class int(x[0]) with certainty (a fixed, known classifier)."""

    def forward(self, X):
        return nn.functional.one_hot(X[:, 0].long(), 3).float()


def test_evaluate_accuracy_is_the_fraction_correct_over_all_batches():
    X = torch.tensor([[0.0], [1.0], [2.0], [1.0], [0.0]])
    y = torch.tensor([0, 1, 1, 1, 2])  # 3 of 5 right
    data_iter = [(X[:2], y[:2]), (X[2:], y[2:])]
    net = FirstFeature()
    assert evaluate_accuracy(net, data_iter) == pytest.approx(0.6)
    assert not net.training  # evaluation mode


def test_evaluate_accuracy_works_with_a_plain_function_and_no_grad():
    def net(X):
        assert not torch.is_grad_enabled()
        return X
    data_iter = [(torch.eye(4), torch.tensor([0, 1, 2, 0]))]
    assert evaluate_accuracy(net, data_iter) == 0.75


def test_evaluate_accuracy_rejects_an_empty_iterator():
    with pytest.raises(ValueError, match="no examples"):
        evaluate_accuracy(FirstFeature(), [])
