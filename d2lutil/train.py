"""The training loop of chapter 3's classifiers, and a look at their predictions."""
import functools
import inspect
import math

import torch
from torch import nn

from .animator import Animator
from .device import check_device
from .fashion import get_fashion_mnist_labels
from .metrics import count_correct, evaluate_accuracy
from .optim import sgd
from .plot import show_images, track_figure
from .validate import positive_int

REDUCTIONS = ("mean", "sum")


def loss_reduction(loss) -> str | None:
    """'mean' or 'sum' when `loss` says how it reduces (an nn loss, or a functools.partial with reduction=)."""
    reduction = getattr(loss, "reduction", None)
    if reduction is None and isinstance(loss, functools.partial):
        reduction = loss.keywords.get("reduction")
    return reduction if reduction in REDUCTIONS else None


def summed_loss(loss, l, batch_size: int) -> torch.Tensor:
    """The minibatch loss as a sum over its examples, whatever the loss's reduction; never a guess.

    One value per example is summed; a single value is taken as a mean or a sum only
    when the loss says which (`loss.reduction`, as nn losses have, or a functools.partial
    with reduction=...). Otherwise the two cannot be told apart and it is an error.
    """
    if not isinstance(l, torch.Tensor):
        raise ValueError(f"the loss returned a {type(l).__name__} ({l!r:.40}), not a tensor; it must return "
                         "a tensor that autograd can differentiate, e.g. one loss per example")
    if l.dim() > 0:
        if l.numel() != batch_size:
            raise ValueError(f"the loss returned {l.numel()} values (shape {tuple(l.shape)}) for a batch of "
                             f"{batch_size} examples; return one value per example, or their mean")
        return l.sum()  # reduction='none' or a hand-written loss: one value per example
    reduction = loss_reduction(loss)
    if batch_size == 1 or reduction == "sum":
        return l
    if reduction == "mean":
        return l * batch_size
    raise ValueError(f"the loss returned one number for a batch of {batch_size} examples and does not say "
                     "whether it is their mean or their sum; return one value per example "
                     "(e.g. F.cross_entropy(y_hat, y, reduction='none')), or pass an nn loss such as "
                     "nn.CrossEntropyLoss(reduction='sum'), or functools.partial(F.cross_entropy, "
                     "reduction='sum')")


def check_updater(updater):
    """Return a step function of (summed loss, batch size); ValueError for what cannot be an updater."""
    if isinstance(updater, torch.optim.Optimizer):
        def step(l_sum: torch.Tensor, n: int) -> None:
            updater.zero_grad()
            (l_sum / n).backward()
            updater.step()
        return step
    if inspect.isclass(updater):
        raise ValueError(f"updater is the class {updater.__name__}, not an optimizer; create one, e.g. "
                         f"{updater.__name__}(net.parameters(), lr=0.1)")
    if inspect.ismethod(updater) and isinstance(updater.__self__, torch.optim.Optimizer):
        raise ValueError(f"updater is the method {updater.__name__} of an optimizer; pass the optimizer "
                         "itself (trainer, not trainer.step)")
    if updater is sgd:
        raise ValueError("updater is d2l.sgd itself, which needs the parameters and the learning rate; "
                         "pass lambda batch_size: d2l.sgd([W, b], lr, batch_size)")
    if not callable(updater):
        raise ValueError(f"updater must be a torch optimizer or a function of the batch size, "
                         f"e.g. lambda n: sgd(params, lr, n); got {type(updater).__name__}")

    def step(l_sum: torch.Tensor, n: int) -> None:
        l_sum.backward()
        updater(n)
    return step


def check_finite(train_loss: float, where: str = "") -> float:
    """Return the mean training loss, or raise FloatingPointError if it is nan or infinite."""
    if not math.isfinite(train_loss):
        raise FloatingPointError(f"the training loss became {train_loss}{where}: lower the learning rate, "
                                 "or compute the loss from logits")
    return train_loss


def _epoch(net, train_iter, loss, updater) -> tuple[float, float]:
    """One epoch of training; (mean loss over examples, accuracy), not checked for nan."""
    step = check_updater(updater)
    if isinstance(net, nn.Module):
        net.train()
    loss_sum, correct, examples = 0.0, 0, 0
    for i, (X, y) in enumerate(train_iter):
        if i == 0:
            check_device(net, X)
        y_hat = net(X)
        l_sum = summed_loss(loss, loss(y_hat, y), len(y))
        step(l_sum, len(y))
        loss_sum = loss_sum + l_sum.detach()
        # the labels are checked on each epoch's first batch (the loss checks them too); nan
        # scores later in the epoch give a nan loss, which raises at the end of the epoch
        correct = correct + count_correct(y_hat.detach(), y, check=i == 0)
        examples += y.numel()
    if examples == 0:
        raise ValueError("train_iter yielded no examples")
    return float(loss_sum) / examples, float(correct) / examples


def train_epoch_ch3(net, train_iter, loss, updater) -> tuple[float, float]:
    """Train for one epoch; return (mean training loss, training accuracy), both over examples.

    `loss` may return one value per example, or their mean or sum when it says which
    (an nn loss's `reduction`); `updater` may be a torch optimizer or a function of the
    batch size such as `lambda n: sgd(params, lr, n)`. Either way each step uses the
    gradient of the minibatch's mean loss. A nan or infinite loss raises FloatingPointError.
    """
    train_loss, train_acc = _epoch(net, train_iter, loss, updater)
    return check_finite(train_loss), train_acc


def train_ch3(net, train_iter, test_iter, loss, num_epochs: int, updater) -> tuple[float, float, float]:
    """Train and plot loss and accuracies per epoch; return (train loss, train acc, test acc)."""
    num_epochs = positive_int("num_epochs", num_epochs)
    check_updater(updater)
    animator = Animator(xlabel="epoch", xlim=[1, num_epochs] if num_epochs > 1 else [0.5, 1.5],
                        ylim=[0.3, 0.9], legend=["train loss", "train acc", "test acc"])
    track_figure("train_ch3", animator.fig)
    for epoch in range(num_epochs):
        train_loss, train_acc = _epoch(net, train_iter, loss, updater)
        check_finite(train_loss, f" in epoch {epoch + 1}")
        test_acc = evaluate_accuracy(net, test_iter)
        animator.add(epoch + 1, (train_loss, train_acc, test_acc), last=epoch + 1 == num_epochs)
    return train_loss, train_acc, test_acc


def image_side(X: torch.Tensor) -> tuple[int, int]:
    """Height and width of the images in a batch: [B, H, W], [B, 1, H, W] or flat [B, H*W] (square)."""
    if X.dim() >= 3:
        return X.shape[-2], X.shape[-1]
    side = math.isqrt(X.shape[-1]) if X.dim() == 2 else 0
    if X.dim() != 2 or side * side != X.shape[-1]:
        raise ValueError(f"cannot show a batch of shape {tuple(X.shape)} as images; test_iter must yield "
                         "images [B, 1, H, W] or [B, H, W], or flat square images [B, H*W]")
    return side, side


def predict_ch3(net, test_iter, n: int = 6) -> None:
    """Show the first n test images with their true label above the predicted one."""
    n = positive_int("n", n)
    batch = next(iter(test_iter), None)
    if batch is None:
        raise ValueError("test_iter yielded no batches; pass a non-empty iterator such as test_iter")
    X, y = batch
    n = min(n, len(y))
    height, width = image_side(X)
    check_device(net, X)
    with torch.no_grad():
        preds = get_fashion_mnist_labels(net(X).argmax(dim=1))
    trues = get_fashion_mnist_labels(y)
    titles = [true + "\n" + pred for true, pred in zip(trues, preds)]
    axes = show_images(X[0:n].reshape((n, height, width)), 1, n, titles=titles[0:n])
    track_figure("predict_ch3", axes[0].figure)
