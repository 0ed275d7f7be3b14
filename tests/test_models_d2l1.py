"""d2l 1.0's ready-made models and data: SyntheticRegressionData, the linear regressions, Classifier, SoftmaxRegression."""
import pytest
import torch
from torch import nn

from d2lutil import torch as d2l


def test_synthetic_regression_data_saves_its_arguments_and_splits():
    torch.manual_seed(0)
    w = torch.tensor([2, -3.4])
    data = d2l.SyntheticRegressionData(w, 4.2, num_train=100, num_val=50, batch_size=10)
    assert data.X.shape == (150, 2) and data.y.shape == (150, 1)
    assert data.w is w and data.b == 4.2 and data.noise == 0.01
    residual = data.y - (data.X @ w.reshape(-1, 1) + 4.2)
    assert float(residual.std()) == pytest.approx(0.01, rel=0.3)
    assert len(data.train_dataloader()) == 10 and len(data.val_dataloader()) == 5


def test_linear_regression_scratch_recovers_the_parameters():
    torch.manual_seed(0)
    model = d2l.LinearRegressionScratch(2, lr=0.03)
    assert model.w.shape == (2, 1) and float(model.b.detach()) == 0.0
    data = d2l.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2)
    d2l.Trainer(max_epochs=10).fit(model, data)
    assert isinstance(model.configure_optimizers(), d2l.SGD)
    assert torch.allclose(model.w.detach().reshape(-1), data.w, atol=0.02)
    assert float(model.b.detach()) == pytest.approx(4.2, abs=0.02)


def test_linear_regression_keeps_d2ls_lazy_init_quirk():
    torch.manual_seed(1)
    model = d2l.LinearRegression(lr=0.03)
    model(torch.zeros(1, 2))
    torch.manual_seed(1)
    plain = nn.LazyLinear(1)
    plain(torch.zeros(1, 2))
    # the .data.normal_(0, 0.01) of __init__ is overwritten when the lazy layer materialises
    assert torch.equal(model.get_w_b()[0], plain.weight.data)
    assert float(model.get_w_b()[0].abs().max()) > 0.05


def test_linear_regression_trains_with_mse_and_torch_sgd():
    torch.manual_seed(0)
    model = d2l.LinearRegression(lr=0.03)
    data = d2l.SyntheticRegressionData(w=torch.tensor([2, -3.4]), b=4.2)
    d2l.Trainer(max_epochs=3).fit(model, data)
    w, b = model.get_w_b()
    assert torch.allclose(w.reshape(-1), data.w, atol=0.05) and float(b) == pytest.approx(4.2, abs=0.05)
    assert model.loss(torch.ones(2, 1), torch.zeros(2, 1)) == 1.0  # no 1/2


def test_classifier_accuracy_and_loss():
    model = d2l.Classifier()
    Y_hat = torch.tensor([[0.1, 0.9], [0.8, 0.2], [0.3, 0.7]])
    Y = torch.tensor([1, 1, 1])
    assert float(model.accuracy(Y_hat, Y)) == pytest.approx(2 / 3)
    assert model.accuracy(Y_hat, Y, averaged=False).tolist() == [1.0, 0.0, 1.0]
    expected = torch.nn.functional.cross_entropy(Y_hat, Y)
    assert torch.allclose(model.loss(Y_hat, Y), expected)
    assert model.loss(Y_hat, Y, averaged=False).shape == (3,)


def test_classifier_validation_plots_loss_and_accuracy_per_epoch():
    torch.manual_seed(0)

    class Blobs(d2l.DataModule):
        def __init__(self, batch_size=16):
            super().__init__()
            self.save_hyperparameters()
            self.y = torch.arange(96) % 2
            self.X = torch.randn(96, 4) + 3 * self.y.reshape(-1, 1)

        def get_dataloader(self, train):
            i = slice(0, 64) if train else slice(64, None)
            return self.get_tensorloader((self.X, self.y), train, i)

    model = d2l.SoftmaxRegression(num_outputs=2, lr=0.5)
    d2l.Trainer(max_epochs=3).fit(model, Blobs())
    assert list(model.board.data) == ["train_loss", "val_loss", "val_acc"]
    assert [p.x for p in model.board.data["val_acc"]] == [1, 2, 3]
    assert model.board.data["val_acc"][-1].y > 0.9


def test_layer_summary_prints_each_layers_output_shape(capsys):
    model = d2l.SoftmaxRegression(num_outputs=10, lr=0.1)
    model.layer_summary((2, 1, 28, 28))
    assert capsys.readouterr().out.splitlines() == [
        "Flatten output shape:\t torch.Size([2, 784])", "Linear output shape:\t torch.Size([2, 10])"]
