"""d2lutil.validate: the argument checks shared by the helpers."""
import math

import numpy as np
import pytest
import torch

from d2lutil.validate import finite_positive, positive_int


@pytest.mark.parametrize("value", [1, 256, np.int64(3), torch.tensor(4).item()])
def test_positive_int_accepts_whole_numbers(value):
    assert positive_int("n", value) == value and type(positive_int("n", value)) is int


@pytest.mark.parametrize("value, match", [(0, ">= 1"), (-3, ">= 1"), (2.0, "whole number"),
                                          (2.5, "whole number"), ("2", "whole number"),
                                          (True, "whole number"), (None, "whole number")])
def test_positive_int_rejects_with_the_argument_name(value, match):
    with pytest.raises(ValueError, match=match) as err:
        positive_int("batch_size", value)
    assert "batch_size" in str(err.value)


@pytest.mark.parametrize("value", [0.1, 3, np.float32(0.5), 1e-8])
def test_finite_positive_accepts_positive_numbers(value):
    assert finite_positive("lr", value) == pytest.approx(float(value))
    assert type(finite_positive("lr", value)) is float


@pytest.mark.parametrize("value, match", [(math.nan, "finite"), (-math.inf, "finite"),
                                          (math.inf, "finite"), (0.0, "> 0"), (-1, "> 0"),
                                          ("0.1", "positive number"), (False, "positive number"),
                                          (torch.tensor(0.1), "positive number")])
def test_finite_positive_rejects_with_the_argument_name(value, match):
    with pytest.raises(ValueError, match=match) as err:
        finite_positive("lr", value)
    assert "lr" in str(err.value)
