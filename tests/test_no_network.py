"""The book's data comes with the network cut off: nothing downloads at run time.

The only thing a chapter fetches is Fashion-MNIST, through d2lutil.fashion. A `sitecustomize`
module on the kernel's PYTHONPATH patches the socket module before any code runs (in the
kernel and in any Python process it starts): connecting to, resolving or sending to a
non-loopback address raises NetworkBlocked. Loopback stays open, since the kernel and this
test talk over ZMQ on 127.0.0.1. The kernel then reads Fashion-MNIST both ways (fast loader
and torchvision datasets), as the chapters do, and proves the guard is on and really blocks.
"""
import os
import textwrap
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parent.parent

GUARD = textwrap.dedent('''
    """Test guard (tests/test_no_network.py): block every non-loopback network access."""
    import ipaddress
    import socket

    class NetworkBlocked(OSError):
        """Raised instead of touching the network."""

    def _is_local(host):
        if isinstance(host, bytes):
            host = host.decode()
        if host in (None, "", "localhost", "localhost.localdomain", "ip6-localhost"):
            return True
        try:
            return ipaddress.ip_address(str(host).split("%")[0]).is_loopback
        except ValueError:
            return False

    def _check(address, what):
        host = address[0] if isinstance(address, tuple) and address else None
        if isinstance(address, tuple) and not _is_local(host):
            raise NetworkBlocked(f"network access blocked by test_no_network: {what} {address!r}")

    def _guard_method(name):
        original = getattr(socket.socket, name)
        def guarded(self, address, *args):
            if self.family in (socket.AF_INET, socket.AF_INET6):
                _check(address, name)
            return original(self, address, *args)
        setattr(socket.socket, name, guarded)

    def _guard_method_last(name):
        original = getattr(socket.socket, name)
        def guarded(self, data, *args):
            if self.family in (socket.AF_INET, socket.AF_INET6) and args:
                _check(args[-1], name)
            return original(self, data, *args)
        setattr(socket.socket, name, guarded)

    def _guard_function(name):
        original = getattr(socket, name)
        def guarded(host, *args, **kwargs):
            target = host if isinstance(host, tuple) else (host,)
            _check(target, name)
            return original(host, *args, **kwargs)
        setattr(socket, name, guarded)

    for _name in ("connect", "connect_ex"):
        _guard_method(_name)
    _guard_method_last("sendto")
    for _name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex"):
        _guard_function(_name)
    socket.NETWORK_GUARD = NetworkBlocked
''')

USE_THE_DATA = '''
from d2lutil.fashion import fashion_mnist_datasets, load_data_fashion_mnist
train_iter, test_iter = load_data_fashion_mnist(256)
X, y = next(iter(train_iter))
assert X.shape == (256, 1, 28, 28) and y.shape == (256,)
train, test = fashion_mnist_datasets()
assert (len(train), len(test)) == (60000, 10000)
assert train[0][0].shape == (1, 28, 28)
'''

PROVE_THE_GUARD = '''
import socket
import urllib.error
import urllib.request

assert getattr(socket, "NETWORK_GUARD", None) is not None, "the guard is not installed"
blocked = socket.NETWORK_GUARD
try:
    urllib.request.urlopen("http://example.com", timeout=5)
except urllib.error.URLError as error:
    assert isinstance(error.reason, blocked), f"urlopen failed, but not by the guard: {error!r}"
else:
    raise AssertionError("urlopen reached the network")
for attempt in (lambda: socket.create_connection(("93.184.215.14", 80), timeout=5),
                lambda: socket.getaddrinfo("example.com", 443),
                lambda: socket.socket().connect(("10.0.0.1", 80))):
    try:
        attempt()
    except blocked:
        pass
    else:
        raise AssertionError("a non-loopback address was let through")

# loopback stays open
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
client = socket.create_connection(server.getsockname(), timeout=5)
client.close()
server.close()
"NETWORK GUARD OK"
'''


@pytest.fixture
def guarded_env(tmp_path, monkeypatch):
    """PYTHONPATH with the guard's sitecustomize first, inherited by the kernel nbclient starts."""
    (tmp_path / "sitecustomize.py").write_text(GUARD, encoding="utf-8")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, [str(tmp_path), os.environ.get("PYTHONPATH")])))
    return tmp_path


def test_the_data_loads_offline(guarded_env):
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(USE_THE_DATA), nbformat.v4.new_code_cell(PROVE_THE_GUARD)]
    client = NotebookClient(nb, timeout=120, kernel_name="python3",
                            resources={"metadata": {"path": str(ROOT / "book")}})
    client.execute()  # a cell that raises fails the test with its traceback
    last = nb.cells[-1].outputs
    assert any("NETWORK GUARD OK" in o.get("data", {}).get("text/plain", "") for o in last), last
