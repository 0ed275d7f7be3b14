"""add_to_class and HyperParameters, d2l 1.0's two object-design helpers."""
import pytest

from d2lutil.hyperparams import HyperParameters, add_to_class


def test_add_to_class_reaches_existing_instances_and_returns_the_function():
    class A:
        def __init__(self):
            self.b = 1

    a = A()

    @add_to_class(A)
    def do(self):
        return self.b + 1

    assert a.do() == 2
    assert do(a) == 2  # the name still refers to the function


def test_add_to_class_replaces_an_existing_method():
    class A:
        def f(self):
            return "old"

    assert A().f() == "old"

    def f(self):
        return "new"
    add_to_class(A)(f)
    assert A().f() == "new"


def test_add_to_class_refuses_an_instance():
    with pytest.raises(TypeError, match="takes a class"):
        add_to_class(object())


def test_save_hyperparameters_takes_the_callers_arguments_minus_ignored_and_private():
    class B(HyperParameters):
        def __init__(self, a, b, c, _d=4):
            self.save_hyperparameters(ignore=["c"])

    b = B(1, 2, 3)
    assert (b.a, b.b) == (1, 2)
    assert not hasattr(b, "c") and not hasattr(b, "_d")
    assert b.hparams == {"a": 1, "b": 2}


def test_locals_defined_before_the_call_are_saved_and_later_ones_not():
    class C(HyperParameters):
        def __init__(self, n):
            double = 2 * n
            self.save_hyperparameters()
            later = 3  # noqa: F841

    c = C(5)
    assert c.hparams == {"n": 5, "double": 10}


def test_a_subclass_saving_again_overwrites_hparams_with_its_own_arguments():
    class Base(HyperParameters):
        def __init__(self, x=1):
            self.save_hyperparameters()

    class Child(Base):
        def __init__(self, y):
            super().__init__()
            self.save_hyperparameters()

    child = Child(7)
    assert (child.x, child.y, child.hparams) == (1, 7, {"y": 7})


def test_ignore_must_be_a_list_of_names():
    class D(HyperParameters):
        def __init__(self, c):
            self.save_hyperparameters(ignore="c")

    with pytest.raises(TypeError, match="list of argument names"):
        D(1)
