"""DataModule: d2l 1.0's base class of data sets with a training and a validation loader."""
import torch

from .fashion import get_dataloader_workers
from .hyperparams import HyperParameters


class DataModule(HyperParameters):
    """The base class of data: define get_dataloader(self, train).

    `num_workers` (for the DataLoaders subclasses build) defaults to what the usable CPUs
    allow (get_dataloader_workers: 0 in a notebook or with one CPU, else up to 4), where
    d2l 1.0.3 always asks for 4.
    """

    def __init__(self, root="../data", num_workers=None):
        if num_workers is None:
            num_workers = get_dataloader_workers()
        self.save_hyperparameters()

    def get_dataloader(self, train):
        """The loader of the training (train=True) or validation split; subclasses define it."""
        raise NotImplementedError(f"{type(self).__name__} has no get_dataloader: define "
                                  "get_dataloader(self, train) returning the loader of each split, e.g. with "
                                  "self.get_tensorloader((self.X, self.y), train, indices)")

    def train_dataloader(self):
        """The training loader."""
        return self.get_dataloader(train=True)

    def val_dataloader(self):
        """The validation loader."""
        return self.get_dataloader(train=False)

    def get_tensorloader(self, tensors, train, indices=slice(0, None)):
        """A DataLoader over the rows `indices` of `tensors`, shuffled when train, of self.batch_size."""
        if not hasattr(self, "batch_size"):
            raise AttributeError(f"{type(self).__name__} has no batch_size: take batch_size in __init__ "
                                 "and call self.save_hyperparameters()")
        tensors = tuple(a[indices] for a in tensors)
        dataset = torch.utils.data.TensorDataset(*tensors)
        return torch.utils.data.DataLoader(dataset, self.batch_size, shuffle=train)
