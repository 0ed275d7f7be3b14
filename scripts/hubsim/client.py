"""A student without a browser: the hub's REST API to start the server, nbgitpuller's API to
pull the notebooks, the Jupyter server's session and kernel API to run the chapter's cells."""
import asyncio
import json
import time
import uuid
from urllib.parse import quote, urlencode

from tornado.httpclient import AsyncHTTPClient, HTTPRequest
from tornado.websocket import websocket_connect

FIGURE_TYPES = {"image/svg+xml", "image/png"}


class Hub:
    """The hub's REST API with the harness's service token."""

    def __init__(self, base: str, token: str):
        self.base, self.headers = base.rstrip("/"), {"Authorization": f"token {token}"}
        self.http = AsyncHTTPClient(force_instance=True, defaults={"request_timeout": 600, "connect_timeout": 60})

    async def call(self, method: str, path: str, body: dict | None = None, ok=(200, 201, 202, 204)):
        """One request; the decoded JSON answer (or None)."""
        data = None if body is None and method in ("GET", "DELETE") else json.dumps(body or {})
        response = await self.http.fetch(HTTPRequest(f"{self.base}{path}", method=method, headers=self.headers,
                                                     body=data, allow_nonstandard_methods=True), raise_error=False)
        if response.code not in ok:
            raise RuntimeError(f"{method} {path}: HTTP {response.code} {response.body[:300]!r}")
        return json.loads(response.body) if response.body else None

    async def start_server(self, user: str, timeout: float = 600) -> None:
        """Ask the hub to start `user`'s server; return once it is ready."""
        await self.call("POST", f"/hub/api/users/{user}/server")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            model = await self.call("GET", f"/hub/api/users/{user}")
            server = model.get("servers", {}).get("", {})
            if server.get("ready"):
                return
            await asyncio.sleep(0.5)
        raise TimeoutError(f"{user}'s server not ready after {timeout} s")

    async def running(self) -> list[str]:
        """The users whose default server runs or starts."""
        return [u["name"] for u in await self.call("GET", "/hub/api/users") if u.get("servers", {}).get("")]

    async def pull(self, user: str, repo: str, branch: str) -> None:
        """nbgitpuller's event-stream API, as its page calls it: clone or merge the branch."""
        query = urlencode({"repo": repo, "branch": branch})
        response = await self.http.fetch(HTTPRequest(f"{self.base}/user/{user}/git-pull/api?{query}",
                                                     headers=self.headers, request_timeout=600), raise_error=False)
        events = [json.loads(line[5:]) for line in response.body.decode().splitlines() if line.startswith("data:")]
        if response.code != 200 or not events or events[-1].get("phase") != "finished":
            raise RuntimeError(f"nbgitpuller for {user}: HTTP {response.code}, last event {events[-1:]!r}")

    async def run_notebook(self, user: str, path: str, on_figure, on_idle, timeout: float = 900) -> list[str]:
        """Run every code cell of the notebook at `path` (relative to the user's home) in a new
        kernel started in its folder; call on_idle() once the kernel answers, before the first
        cell, and on_figure() at the first figure; return the errors."""
        notebook = await self.call("GET", f"/user/{user}/api/contents/{quote(path)}?content=1")
        cells = [c["source"] for c in notebook["content"]["cells"] if c["cell_type"] == "code"]
        session = await self.call("POST", f"/user/{user}/api/sessions",
                                  {"path": path, "type": "notebook", "name": path, "kernel": {"name": "python3"}})
        kernel = session["kernel"]["id"]
        ws_url = self.base.replace("http", "ws", 1) + f"/user/{user}/api/kernels/{kernel}/channels"
        ws = await websocket_connect(HTTPRequest(ws_url, headers=self.headers), max_message_size=256 * 2**20)
        errors, figure_seen = [], False
        try:
            await self._kernel_info(ws, user, session["id"])
            on_idle()
            for source in cells:
                msg_id = self._send(ws, user, session["id"], "execute_request", {
                    "code": source, "silent": False, "store_history": True,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
                deadline = time.monotonic() + timeout
                while True:
                    raw = await ws.read_message()
                    if raw is None:
                        errors.append("the kernel's connection closed (kernel died?)")
                        return errors
                    if isinstance(raw, bytes):
                        continue
                    msg = json.loads(raw)
                    if msg.get("parent_header", {}).get("msg_id") != msg_id:
                        continue
                    kind, content = msg["msg_type"], msg["content"]
                    if kind == "error":
                        errors.append(f"{content['ename']}: {content['evalue']}")
                    elif kind == "stream" and content.get("name") == "stderr" and "Traceback" in content["text"]:
                        errors.append(content["text"][-300:])
                    elif kind in ("display_data", "execute_result", "update_display_data") and not figure_seen:
                        if FIGURE_TYPES & set(content.get("data", {})):
                            figure_seen = True
                            on_figure()
                    elif kind == "status" and content["execution_state"] == "restarting":
                        errors.append("the kernel died and is restarting")
                        return errors
                    elif kind == "status" and content["execution_state"] == "idle":
                        break
                    if time.monotonic() > deadline:
                        errors.append("a cell ran past the timeout")
                        return errors
                if errors:
                    return errors
            if not figure_seen:
                errors.append("no figure drawn")
            return errors
        finally:
            ws.close()

    @staticmethod
    def _send(ws, user: str, session: str, kind: str, content: dict) -> str:
        """Send a shell message over the kernel's websocket; its msg_id."""
        msg_id = uuid.uuid4().hex
        ws.write_message(json.dumps({
            "header": {"msg_id": msg_id, "msg_type": kind, "username": user, "session": session,
                       "version": "5.3", "date": ""},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [], "content": content}))
        return msg_id

    async def _kernel_info(self, ws, user: str, session: str, timeout: float = 300) -> None:
        """Wait until the kernel answers a kernel_info_request (it has started)."""
        deadline = time.monotonic() + timeout
        msg_id = self._send(ws, user, session, "kernel_info_request", {})
        while time.monotonic() < deadline:
            raw = await asyncio.wait_for(ws.read_message(), timeout)
            if raw is None:
                raise RuntimeError("the kernel's connection closed before it answered")
            if isinstance(raw, str):
                msg = json.loads(raw)
                if msg["msg_type"] == "kernel_info_reply" and msg["parent_header"].get("msg_id") == msg_id:
                    return
        raise TimeoutError("the kernel did not answer")
