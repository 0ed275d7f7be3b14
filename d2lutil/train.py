"""The training loop of chapter 3's classifiers, and a look at their predictions."""
import math

import torch
from torch import nn

from .animator import Animator
from .fashion import get_fashion_mnist_labels
from .metrics import Accumulator, accuracy, evaluate_accuracy
from .plot import show_images
from .validate import positive_int


def _summed_loss(loss, l: torch.Tensor, batch_size: int) -> torch.Tensor:
    """The minibatch loss as a sum over examples, whatever the loss's reduction."""
    if l.dim() > 0:
        return l.sum()  # reduction='none' or a hand-written loss: one value per example
    if getattr(loss, "reduction", "mean") == "sum":
        return l
    return l * batch_size  # reduction='mean'


def train_epoch_ch3(net, train_iter, loss, updater) -> tuple[float, float]:
    """Train for one epoch; return (mean training loss, training accuracy).

    `loss` may return one value per example or their mean (or sum); `updater`
    may be a torch optimizer or a function of the batch size such as
    `lambda n: sgd(params, lr, n)`. Either way each step uses the gradient of
    the minibatch's mean loss.
    """
    is_optimizer = isinstance(updater, torch.optim.Optimizer)
    if not is_optimizer and not callable(updater):
        raise ValueError(f"updater must be a torch optimizer or a function of the batch size, "
                         f"e.g. lambda n: sgd(params, lr, n); got {type(updater).__name__}")
    if isinstance(net, nn.Module):
        net.train()
    metric = Accumulator(3)  # summed loss, correct predictions, examples
    for X, y in train_iter:
        y_hat = net(X)
        l_sum = _summed_loss(loss, loss(y_hat, y), len(y))
        if is_optimizer:
            updater.zero_grad()
            (l_sum / len(y)).backward()
            updater.step()
        else:
            l_sum.backward()
            updater(len(y))
        metric.add(float(l_sum.detach()), accuracy(y_hat, y), y.numel())
    if metric[2] == 0:
        raise ValueError("train_iter yielded no examples")
    return metric[0] / metric[2], metric[1] / metric[2]


def train_ch3(net, train_iter, test_iter, loss, num_epochs: int, updater) -> tuple[float, float, float]:
    """Train and plot loss and accuracies per epoch; return (train loss, train acc, test acc)."""
    num_epochs = positive_int("num_epochs", num_epochs)
    animator = Animator(xlabel="epoch", xlim=[1, num_epochs], ylim=[0.3, 0.9],
                        legend=["train loss", "train acc", "test acc"])
    for epoch in range(num_epochs):
        train_loss, train_acc = train_epoch_ch3(net, train_iter, loss, updater)
        if not math.isfinite(train_loss):
            raise FloatingPointError(f"the training loss became {train_loss} in epoch {epoch + 1}: "
                                     "lower the learning rate, or compute the loss from logits")
        test_acc = evaluate_accuracy(net, test_iter)
        animator.add(epoch + 1, (train_loss, train_acc, test_acc))
    return train_loss, train_acc, test_acc


def predict_ch3(net, test_iter, n: int = 6) -> None:
    """Show the first n test images with their true label above the predicted one."""
    n = positive_int("n", n)
    X, y = next(iter(test_iter))
    n = min(n, len(y))
    with torch.no_grad():
        preds = get_fashion_mnist_labels(net(X).argmax(dim=1))
    trues = get_fashion_mnist_labels(y)
    titles = [true + "\n" + pred for true, pred in zip(trues, preds)]
    show_images(X[0:n].reshape((n, X.shape[-2], X.shape[-1])), 1, n, titles=titles[0:n])
