"""DataModule: d2l 1.0's base class of data sets with a training and a validation loader."""
import torch

from .hyperparams import HyperParameters


class DataModule(HyperParameters):
    """The base class of data: define get_dataloader(self, train)."""

    def __init__(self, root="../data", num_workers=4):
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
