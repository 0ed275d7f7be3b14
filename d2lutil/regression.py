"""d2l 1.0's linear regression: the synthetic data and the two models (from scratch and with nn)."""
import torch
from torch import nn

from .datamodule import DataModule
from .module import Module
from .optim import SGD


class SyntheticRegressionData(DataModule):
    """y = Xw + b + noise, with X and the noise drawn from torch's global generator."""

    def __init__(self, w, b, noise=0.01, num_train=1000, num_val=1000, batch_size=32):
        super().__init__()
        self.save_hyperparameters()
        n = num_train + num_val
        self.X = torch.randn(n, len(w))
        noise = torch.randn(n, 1) * noise
        self.y = torch.matmul(self.X, w.reshape((-1, 1))) + b + noise

    def get_dataloader(self, train):
        """The first num_train rows (shuffled) for training, the rest for validation."""
        i = slice(0, self.num_train) if train else slice(self.num_train, None)
        return self.get_tensorloader((self.X, self.y), train, i)


class LinearRegressionScratch(Module):
    """Linear regression from scratch: w ~ N(0, sigma^2), b = 0, squared loss / 2, the SGD class."""

    def __init__(self, num_inputs, lr, sigma=0.01):
        super().__init__()
        self.save_hyperparameters()
        self.w = torch.normal(0, sigma, (num_inputs, 1), requires_grad=True)
        self.b = torch.zeros(1, requires_grad=True)

    def forward(self, X):
        """Xw + b."""
        return torch.matmul(X, self.w) + self.b

    def loss(self, y_hat, y):
        """The mean over the batch of (y_hat - y)^2 / 2."""
        return ((y_hat - y) ** 2 / 2).mean()

    def configure_optimizers(self):
        """SGD on [w, b] with self.lr."""
        return SGD([self.w, self.b], self.lr)


class LinearRegression(Module):
    """Linear regression with nn.LazyLinear(1), MSELoss and torch.optim.SGD.

    As in d2l 1.0, __init__ sets the lazy layer's weight with .data.normal_(0, 0.01) and its
    bias to 0 before the layer has a shape; the first forward pass then materialises the
    layer with PyTorch's default initialisation, which replaces those values. The chapters'
    numbers come from this, so it is kept.
    """

    def __init__(self, lr):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.LazyLinear(1)
        self.net.weight.data.normal_(0, 0.01)
        self.net.bias.data.fill_(0)

    def forward(self, X):
        """self.net(X)."""
        return self.net(X)

    def loss(self, y_hat, y):
        """Mean squared error (without the 1/2)."""
        return nn.functional.mse_loss(y_hat, y)

    def configure_optimizers(self):
        """torch.optim.SGD on all parameters with self.lr."""
        return torch.optim.SGD(self.parameters(), self.lr)

    def get_w_b(self):
        """The learned weight and bias tensors."""
        return (self.net.weight.data, self.net.bias.data)
