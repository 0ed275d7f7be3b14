"""The two models of chapter 3 written from scratch: linear regression and softmax regression."""
import torch


def linreg(X: torch.Tensor, w: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """The linear regression model Xw + b."""
    if X.shape[-1] != w.shape[0]:
        raise ValueError(f"X has {X.shape[-1]} features but w has {w.shape[0]} rows; "
                         "they must match for Xw")
    if X.dtype != w.dtype:
        raise ValueError(f"X is {X.dtype} but w is {w.dtype}; make them the same, e.g. "
                         f"X = X.to(w.dtype), or create both under the same torch.set_default_dtype")
    return torch.matmul(X, w) + b


def softmax(X: torch.Tensor) -> torch.Tensor:
    """Row-wise softmax, computed after subtracting each row's maximum so exp never overflows."""
    if X.dim() == 0 or X.shape[-1] == 0:
        raise ValueError(f"X must have at least one class score per row, got shape {tuple(X.shape)}")
    X_exp = torch.exp(X - X.max(dim=-1, keepdim=True).values)
    return X_exp / X_exp.sum(dim=-1, keepdim=True)
