"""Trainer: d2l 1.0's training loop, fit -> prepare_data -> prepare_model -> configure_optimizers -> fit_epoch.

As d2l 1.0.3 (its final version, with GPUs): the same attributes and counters (epoch,
train_batch_idx, val_batch_idx, num_train_batches, num_val_batches), fit resets the counters
so one Trainer fits several models in turn, and chapters may replace any method with
@d2l.add_to_class(d2l.Trainer). Differences: max_epochs and num_gpus are checked
(ValueError), and clip_gradients skips parameters without a gradient.
"""
import numbers

import torch

from . import device
from .hyperparams import HyperParameters


class Trainer(HyperParameters):
    """Trains a Module on a DataModule for max_epochs; one Trainer can fit several models in turn."""

    def __init__(self, max_epochs, num_gpus=0, gradient_clip_val=0):
        for name, value in (("max_epochs", max_epochs), ("num_gpus", num_gpus)):
            if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < 0:
                raise ValueError(f"{name} must be a whole number >= 0, got {value!r}")
        self.save_hyperparameters()
        self.gpus = [device.gpu(i) for i in range(min(num_gpus, device.num_gpus()))]

    def prepare_data(self, data):
        """Take the data's loaders and count their batches."""
        self.train_dataloader = data.train_dataloader()
        self.val_dataloader = data.val_dataloader()
        self.num_train_batches = len(self.train_dataloader)
        self.num_val_batches = len(self.val_dataloader) if self.val_dataloader is not None else 0

    def prepare_model(self, model):
        """Link the model to this trainer, set its board's x range, and move it to the first GPU if any."""
        model.trainer = self
        model.board.xlim = [0, self.max_epochs]
        if self.gpus:
            model.to(self.gpus[0])
        self.model = model

    def fit(self, model, data):
        """Train `model` on `data` for max_epochs epochs."""
        self.prepare_data(data)
        self.prepare_model(model)
        self.optim = model.configure_optimizers()
        self.epoch = 0
        self.train_batch_idx = 0
        self.val_batch_idx = 0
        for self.epoch in range(self.max_epochs):
            self.fit_epoch()

    def prepare_batch(self, batch):
        """The batch, moved to the first GPU if the trainer uses one."""
        if self.gpus:
            batch = [a.to(self.gpus[0]) for a in batch]
        return batch

    def fit_epoch(self):
        """One pass over the training loader (a step per batch), then one over the validation loader."""
        self.model.train()
        for batch in self.train_dataloader:
            loss = self.model.training_step(self.prepare_batch(batch))
            self.optim.zero_grad()
            with torch.no_grad():
                loss.backward()
                if self.gradient_clip_val > 0:
                    self.clip_gradients(self.gradient_clip_val, self.model)
                self.optim.step()
            self.train_batch_idx += 1
        if self.val_dataloader is None:
            return
        self.model.eval()
        for batch in self.val_dataloader:
            with torch.no_grad():
                self.model.validation_step(self.prepare_batch(batch))
            self.val_batch_idx += 1

    def clip_gradients(self, grad_clip_val, model):
        """Scale the gradients down so that their global L2 norm is at most grad_clip_val."""
        params = [p for p in model.parameters() if p.requires_grad and p.grad is not None]
        if not params:
            return
        norm = torch.sqrt(sum(torch.sum(p.grad ** 2) for p in params))
        if norm > grad_clip_val:
            for param in params:
                param.grad[:] *= grad_clip_val / norm
