"""d2l 1.0's classifiers: the Classifier base class (loss, accuracy) and SoftmaxRegression."""
import torch
from torch import nn
from torch.nn import functional as F

from .module import Module


class Classifier(Module):
    """A model whose validation plots the loss and the accuracy of each batch, averaged per epoch.

    As in d2l 1.0, the validation figures are means of per-batch means, so a smaller last
    batch weighs as much as a full one.
    """

    def validation_step(self, batch):
        """Plot the loss and the accuracy of a validation batch."""
        Y_hat = self(*batch[:-1])
        self.plot("loss", self.loss(Y_hat, batch[-1]), train=False)
        self.plot("acc", self.accuracy(Y_hat, batch[-1]), train=False)

    def accuracy(self, Y_hat, Y, averaged=True):
        """The share of rows whose largest score is the label (averaged=False: 1.0/0.0 per row)."""
        Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))
        preds = Y_hat.argmax(axis=1).type(Y.dtype)
        compare = (preds == Y.reshape(-1)).type(torch.float32)
        return compare.mean() if averaged else compare

    def loss(self, Y_hat, Y, averaged=True):
        """Cross-entropy of the scores (logits) Y_hat and the labels Y; averaged=False: per row."""
        Y_hat = Y_hat.reshape((-1, Y_hat.shape[-1]))
        Y = Y.reshape((-1,))
        return F.cross_entropy(Y_hat, Y, reduction="mean" if averaged else "none")

    def layer_summary(self, X_shape):
        """Print each layer of self.net with the shape of its output for a random input of X_shape."""
        X = torch.randn(*X_shape)
        for layer in self.net:
            X = layer(X)
            print(layer.__class__.__name__, "output shape:\t", X.shape)


class SoftmaxRegression(Classifier):
    """Softmax regression: Flatten then LazyLinear(num_outputs); the loss is Classifier's cross-entropy."""

    def __init__(self, num_outputs, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(num_outputs))

    def forward(self, X):
        """The scores (logits) of each class."""
        return self.net(X)
