"""The kernels myst-nb starts for this build get the book's environment flags (bookmodel.kernels)."""
from bookmodel import kernels


def setup(app):
    kernels.set_flags()  # inherited by every kernel this build starts
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
