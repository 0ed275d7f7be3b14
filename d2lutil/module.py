"""Module: d2l 1.0's base class of models (an nn.Module that plots its own progress).

Differences from d2l 1.0.3's Module: plot averages groups of at least one point
(every_n = max(1, batches / plots per epoch); d2l draws nothing when a loader has fewer
batches than plot_train_per_epoch) and, without a Trainer, raises a RuntimeError saying to
call Trainer.fit (d2l: an AssertionError); loss, forward without self.net, and
configure_optimizers without lr say what to define. configure_optimizers is d2l 1.0.3's
final one: torch.optim.SGD on all parameters with self.lr.
"""
import torch
from torch import nn

from .board import ProgressBoard
from .hyperparams import HyperParameters


class Module(nn.Module, HyperParameters):
    """The base class of models: define forward (or self.net) and loss; Trainer.fit trains it."""

    def __init__(self, plot_train_per_epoch=2, plot_valid_per_epoch=1):
        super().__init__()
        self.save_hyperparameters()
        self.board = ProgressBoard()

    def loss(self, y_hat, y):
        """The loss of a batch; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} has no loss: define loss(self, y_hat, y) in the class "
                                  f"or add it with @d2l.add_to_class({type(self).__name__})")

    def forward(self, X):
        """self.net(X); subclasses without a `net` define forward themselves."""
        if not hasattr(self, "net"):
            raise NotImplementedError(f"{type(self).__name__} has no network: set self.net in __init__ "
                                      "or define forward(self, X)")
        return self.net(X)

    def plot(self, key, value, train):
        """Plot `value` of `key` on the board: train points per step at fractional epochs, val per epoch."""
        trainer = getattr(self, "trainer", None)
        if trainer is None:
            raise RuntimeError(f"{type(self).__name__}.plot needs the Trainer that trains the model: "
                               "call d2l.Trainer(max_epochs=...).fit(model, data) (it sets model.trainer)")
        self.board.xlabel = "epoch"
        if train:
            x = trainer.train_batch_idx / trainer.num_train_batches
            n = trainer.num_train_batches / self.plot_train_per_epoch
        else:
            x = trainer.epoch + 1
            n = trainer.num_val_batches / self.plot_valid_per_epoch
        if isinstance(value, torch.Tensor):
            value = value.detach().to("cpu")
        self.board.draw(x, value, ("train_" if train else "val_") + key, every_n=max(1, int(n)))

    def training_step(self, batch):
        """The loss of a training batch (plotted)."""
        l = self.loss(self(*batch[:-1]), batch[-1])
        self.plot("loss", l, train=True)
        return l

    def validation_step(self, batch):
        """Plot the loss of a validation batch."""
        l = self.loss(self(*batch[:-1]), batch[-1])
        self.plot("loss", l, train=False)

    def configure_optimizers(self):
        """Minibatch SGD on all parameters with the model's learning rate self.lr."""
        if not hasattr(self, "lr"):
            raise AttributeError(f"{type(self).__name__} has no lr: take lr in __init__ and call "
                                 "self.save_hyperparameters(), or define configure_optimizers")
        return torch.optim.SGD(self.parameters(), lr=self.lr)

    def apply_init(self, inputs, init=None):
        """Run a forward pass on `inputs` (materialising lazy layers), then apply `init` to self.net."""
        self.forward(*inputs)
        if init is not None:
            self.net.apply(init)
