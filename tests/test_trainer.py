"""d2l 1.0's Module, DataModule, Trainer and SGD: call order, counters, plotting, reuse and errors."""
import math

import pytest
import torch
from torch import nn

from d2lutil import torch as d2l
from d2lutil.fashion import get_dataloader_workers


class Line(d2l.DataModule):
    """y = 3x + 1 on num_train + num_val points."""

    def __init__(self, num_train=8, num_val=4, batch_size=2):
        super().__init__()
        self.save_hyperparameters()
        self.X = torch.linspace(-1, 1, num_train + num_val).reshape(-1, 1)
        self.y = 3 * self.X + 1

    def get_dataloader(self, train):
        i = slice(0, self.num_train) if train else slice(self.num_train, None)
        return self.get_tensorloader((self.X, self.y), train, i)


class Model(d2l.Module):
    def __init__(self, lr=0.1):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Linear(1, 1)

    def loss(self, y_hat, y):
        return ((y_hat - y) ** 2).mean()


class RecordingTrainer(d2l.Trainer):
    calls: list

    def prepare_data(self, data):
        self.calls.append("prepare_data")
        super().prepare_data(data)

    def prepare_model(self, model):
        self.calls.append("prepare_model")
        super().prepare_model(model)

    def fit_epoch(self):
        self.calls.append(f"fit_epoch {self.epoch}")
        super().fit_epoch()


def test_fit_calls_the_steps_in_d2ls_order():
    calls = []

    class RecordingModel(Model):
        def configure_optimizers(self):
            calls.append("configure_optimizers")
            return super().configure_optimizers()

    trainer = RecordingTrainer(max_epochs=2)
    trainer.calls = calls
    trainer.fit(RecordingModel(), Line())
    assert calls == ["prepare_data", "prepare_model", "configure_optimizers", "fit_epoch 0", "fit_epoch 1"]


def test_counters_links_and_board_range_after_fit():
    model, data, trainer = Model(), Line(num_train=8, num_val=4, batch_size=2), d2l.Trainer(max_epochs=3)
    trainer.fit(model, data)
    assert (trainer.num_train_batches, trainer.num_val_batches) == (4, 2)
    assert (trainer.epoch, trainer.train_batch_idx, trainer.val_batch_idx) == (2, 12, 6)
    assert model.trainer is trainer and trainer.model is model
    assert model.board.xlim == [0, 3] and model.board.xlabel == "epoch"
    assert isinstance(trainer.optim, torch.optim.SGD)


def test_plot_draws_train_loss_per_half_epoch_and_val_loss_per_epoch():
    model, trainer = Model(), d2l.Trainer(max_epochs=2)
    trainer.fit(model, Line(num_train=8, num_val=4, batch_size=2))  # 4 train, 2 val batches
    train_x = [p.x for p in model.board.data["train_loss"]]
    val_x = [p.x for p in model.board.data["val_loss"]]
    # x = train_batch_idx / num_train_batches before the step's increment, averaged by 2
    assert train_x == pytest.approx([0.125, 0.625, 1.125, 1.625])
    assert val_x == [1.0, 2.0]


def test_a_trainer_is_reused_for_several_fits_with_fresh_counters():
    data, trainer = Line(), d2l.Trainer(max_epochs=2)
    first, second = Model(), Model()
    trainer.fit(first, data)
    trainer.fit(second, data)
    assert trainer.model is second and second.trainer is trainer
    assert (trainer.epoch, trainer.train_batch_idx, trainer.val_batch_idx) == (1, 8, 4)
    assert len(first.board.data["val_loss"]) == len(second.board.data["val_loss"]) == 2


def test_training_reduces_the_loss():
    torch.manual_seed(0)
    model = Model(lr=0.2)
    d2l.Trainer(max_epochs=30).fit(model, Line())
    assert model.board.data["val_loss"][-1].y < 0.01 * model.board.data["val_loss"][0].y


def test_a_method_added_to_trainer_replaces_d2ls(monkeypatch):
    monkeypatch.setattr(d2l.Trainer, "prepare_batch", d2l.Trainer.prepare_batch)  # restored afterwards
    seen = []

    @d2l.add_to_class(d2l.Trainer)
    def prepare_batch(self, batch):
        seen.append(len(batch[0]))
        return batch

    d2l.Trainer(max_epochs=1).fit(Model(), Line(num_train=8, num_val=4, batch_size=4))
    assert seen == [4, 4, 4]


def test_no_validation_loader_is_allowed():
    class TrainOnly(Line):
        def val_dataloader(self):
            return None

    trainer = d2l.Trainer(max_epochs=1)
    trainer.fit(Model(), TrainOnly())
    assert (trainer.num_val_batches, trainer.val_batch_idx) == (0, 0)


def test_gradient_clipping_caps_the_global_norm():
    model = Model()
    model.net.weight.grad = torch.tensor([[3.0]])
    model.net.bias.grad = torch.tensor([4.0])
    d2l.Trainer(max_epochs=1).clip_gradients(1.0, model)
    norm = math.hypot(float(model.net.weight.grad), float(model.net.bias.grad))
    assert norm == pytest.approx(1.0)


def test_gradient_clip_val_is_applied_during_fit(monkeypatch):
    clipped = []
    monkeypatch.setattr(d2l.Trainer, "clip_gradients", lambda self, v, m: clipped.append(v))
    d2l.Trainer(max_epochs=1, gradient_clip_val=0.5).fit(Model(), Line())
    assert clipped == [0.5] * 4


def test_num_gpus_on_a_machine_without_gpus_trains_on_the_cpu():
    trainer = d2l.Trainer(max_epochs=1, num_gpus=1)
    assert trainer.gpus == [d2l.gpu(i) for i in range(min(1, d2l.num_gpus()))]
    assert d2l.cpu() == torch.device("cpu") and d2l.gpu(1) == torch.device("cuda:1")


@pytest.mark.parametrize("kwargs", [{"max_epochs": -1}, {"max_epochs": 2.5}, {"max_epochs": 1, "num_gpus": "1"}])
def test_bad_trainer_arguments(kwargs):
    with pytest.raises(ValueError, match="whole number"):
        d2l.Trainer(**kwargs)


def test_a_module_without_loss_says_what_to_define():
    class NoLoss(d2l.Module):
        def __init__(self):
            super().__init__()
            self.lr = 0.1
            self.net = nn.Linear(1, 1)

    with pytest.raises(NotImplementedError, match=r"NoLoss has no loss: define loss\(self, y_hat, y\)"):
        d2l.Trainer(max_epochs=1).fit(NoLoss(), Line())


def test_a_module_without_net_or_forward_says_what_to_define():
    with pytest.raises(NotImplementedError, match="set self.net"):
        d2l.Module()(torch.ones(1))


def test_a_data_module_without_get_dataloader_says_what_to_define():
    with pytest.raises(NotImplementedError, match=r"define get_dataloader\(self, train\)"):
        d2l.Trainer(max_epochs=1).fit(Model(), d2l.DataModule())


def test_plot_before_fit_asks_for_a_trainer():
    with pytest.raises(RuntimeError, match="needs the Trainer"):
        Model().plot("loss", 1.0, train=True)


def test_configure_optimizers_without_lr_says_so():
    class NoLr(d2l.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match="has no lr"):
        NoLr().configure_optimizers()


def test_data_module_defaults():
    data = d2l.DataModule()
    assert data.root == "../data"
    assert data.num_workers == get_dataloader_workers()
    assert d2l.DataModule(num_workers=3).num_workers == 3


def test_get_tensorloader_slices_and_shuffles_only_training():
    data = Line(num_train=8, num_val=4, batch_size=4)
    val = [y for _, y in data.val_dataloader()]
    assert torch.equal(torch.cat(val), data.y[8:])
    assert len(data.train_dataloader()) == 2


def test_sgd_steps_by_lr_times_grad_without_dividing_by_the_batch_size():
    w = torch.tensor([1.0, 2.0], requires_grad=True)
    (w * torch.tensor([2.0, 4.0])).sum().backward()
    opt = d2l.SGD([w], lr=0.1)
    opt.step()
    assert torch.allclose(w.detach(), torch.tensor([0.8, 1.6]))
    opt.zero_grad()
    assert torch.equal(w.grad, torch.zeros(2))
    assert opt.hparams == {"params": [w], "lr": 0.1}


def test_sgd_keeps_parameters_given_as_a_generator():
    net = nn.Linear(1, 1)
    opt = d2l.SGD(net.parameters(), lr=0.1)
    assert len(opt.params) == 2 == len(list(opt.params))
    with pytest.raises(ValueError, match="not one tensor"):
        d2l.SGD(torch.ones(2), 0.1)


def test_apply_init_materialises_lazy_layers_then_initialises():
    model = d2l.SoftmaxRegression(num_outputs=3, lr=0.1)
    model.apply_init([torch.ones(2, 1, 2, 2)], init=lambda m: nn.init.zeros_(m.weight) if isinstance(m, nn.Linear) else None)
    assert model.net[1].weight.shape == (3, 4) and not model.net[1].weight.any()
