"""The two helpers of d2l 1.0's object design: add_to_class and HyperParameters."""
import inspect


def add_to_class(Class):
    """Decorator: attach the decorated function to `Class` as a method (also to existing instances).

    Unlike d2l 1.0.3, whose wrapper returns None, the function is returned, so its name
    in the notebook still refers to it after decorating.
    """
    if not isinstance(Class, type):
        raise TypeError(f"add_to_class takes a class, e.g. @d2l.add_to_class(d2l.Trainer), got {Class!r}")

    def wrapper(obj):
        setattr(Class, obj.__name__, obj)
        return obj
    return wrapper


class HyperParameters:
    """Base class whose `save_hyperparameters` stores the caller's arguments as attributes."""

    def save_hyperparameters(self, ignore=[]):  # noqa: B006 (d2l's signature; the list is never changed)
        """Store every argument of the calling function (its frame's locals) as self.<name>.

        `self`, names in `ignore` and names starting with an underscore are left out; what
        is stored is also kept in self.hparams, as d2l does.
        """
        if isinstance(ignore, str) or not hasattr(ignore, "__iter__"):
            raise TypeError(f"ignore must be a list of argument names, e.g. ignore=['c'], got {ignore!r}")
        frame = inspect.currentframe().f_back
        try:
            local_vars = dict(frame.f_locals)
        finally:
            del frame
        skip = set(ignore) | {"self"}
        self.hparams = {k: v for k, v in local_vars.items() if k not in skip and not k.startswith("_")}
        for k, v in self.hparams.items():
            setattr(self, k, v)
