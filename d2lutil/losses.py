"""Loss functions of chapter 3, unreduced (one value per example) like d2l's."""
import torch


def squared_loss(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Half the squared error per example, with y reshaped to y_hat's shape."""
    if y.numel() != y_hat.numel():
        raise ValueError(f"y_hat has {y_hat.numel()} values (shape {tuple(y_hat.shape)}) but y has "
                         f"{y.numel()} (shape {tuple(y.shape)}); pass one label per prediction")
    return (y_hat - y.reshape(y_hat.shape)) ** 2 / 2


def cross_entropy(y_hat: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """-log of the probability `y_hat` gives to the true class, per example."""
    check_class_labels(y_hat, y)
    return -torch.log(y_hat[range(len(y_hat)), y.long()])


def softmax_cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Cross-entropy per example from raw scores, via log-sum-exp so it never overflows or underflows."""
    check_class_labels(logits, y)
    log_norm = torch.logsumexp(logits, dim=1)
    return log_norm - logits[range(len(logits)), y.long()]


def check_class_labels(y_hat: torch.Tensor, y: torch.Tensor) -> None:
    """Raise ValueError unless y holds one integer class id per row of y_hat, each in range."""
    if y_hat.dim() != 2:
        raise ValueError(f"y_hat must be [batch, classes], got shape {tuple(y_hat.shape)}")
    if y.dim() != 1 or len(y) != len(y_hat):
        raise ValueError(f"y must be a 1-D tensor with one label per row of y_hat ({len(y_hat)}), "
                         f"got shape {tuple(y.shape)}")
    if y.dtype.is_floating_point or y.dtype == torch.bool:
        raise ValueError(f"y must hold integer class ids (torch.int64), got {y.dtype}; "
                         "use y.long() if the values are whole numbers")
    if len(y) and (y.min() < 0 or y.max() >= y_hat.shape[1]):
        raise ValueError(f"class ids must lie in 0..{y_hat.shape[1] - 1}, got values "
                         f"{int(y.min())}..{int(y.max())}")
