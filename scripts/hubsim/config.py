"""The throw-away configurations of the hub simulation: JupyterHub's and the book's override."""
import copy
from dataclasses import dataclass, field
from pathlib import Path

GROUP_PREFIX = "d2l-hub-sim-"
CULLER_SCOPES = ["list:users", "read:users:activity", "read:servers", "delete:servers"]
HARNESS_SCOPES = ["admin:users", "admin:servers", "access:servers", "list:users", "read:users"]


def group_name(user: str) -> str:
    """The cgroup of a user's server."""
    return GROUP_PREFIX + user


@dataclass
class HubSettings:
    """What the generated jupyterhub_config.py needs to know."""

    workdir: Path                 # database, cookie secret, proxy pid file
    port: int                     # the public proxy port on 127.0.0.1
    hub_port: int
    proxy_api_port: int
    proxy_command: list[str]      # configurable-http-proxy from node_modules
    hub_python: str               # the tool environment's python (scripts/tool-env.sh hub)
    singleuser_cmd: list[str]     # binder/start jupyterhub-singleuser
    users: list[str]
    password: str
    api_token: str                # the harness's service token
    cull_timeout: int = 60        # seconds idle before the culler stops a server
    cull_every: int = 10
    cpus: float = 1.0             # per-user cgroup: Binder's CPU quota ...
    memory: int = 2 * 2**30       # ... and memory limit
    environment: dict[str, str] = field(default_factory=dict)

    def __post_init__(self):
        """Refuse settings that cannot work, saying which."""
        if not self.users:
            raise ValueError("HubSettings.users is empty: name at least one student")
        if self.cull_every <= 0 or self.cull_timeout <= self.cull_every:
            raise ValueError(f"cull_timeout ({self.cull_timeout} s) must exceed cull_every ({self.cull_every} s) > 0")
        if not 0 < self.cpus <= 64 or self.memory < 256 * 2**20:
            raise ValueError(f"limits {self.cpus} CPU, {self.memory} bytes: give 0-64 CPUs and at least 256 MiB")


def hub_config(s: HubSettings) -> str:
    """jupyterhub_config.py: dummy authentication, system users spawned as local processes
    each in a cgroup of their own, configurable-http-proxy, the idle culler and the harness."""
    culler = [s.hub_python, "-m", "jupyterhub_idle_culler", f"--timeout={s.cull_timeout}",
              f"--cull-every={s.cull_every}"]
    lines = [
        "c = get_config()  # noqa: F821",
        "c.JupyterHub.ip = '127.0.0.1'",
        f"c.JupyterHub.port = {s.port}",
        "c.JupyterHub.hub_ip = '127.0.0.1'",
        f"c.JupyterHub.hub_port = {s.hub_port}",
        f"c.JupyterHub.db_url = {'sqlite:///' + str(s.workdir / 'jupyterhub.sqlite')!r}",
        f"c.JupyterHub.cookie_secret_file = {str(s.workdir / 'cookie_secret')!r}",
        "c.JupyterHub.cleanup_servers = True",
        "c.JupyterHub.last_activity_interval = 5",
        f"c.ConfigurableHTTPProxy.command = {s.proxy_command!r}",
        f"c.ConfigurableHTTPProxy.api_url = 'http://127.0.0.1:{s.proxy_api_port}'",
        f"c.ConfigurableHTTPProxy.pid_file = {str(s.workdir / 'proxy.pid')!r}",
        "c.JupyterHub.authenticator_class = 'dummy'",
        f"c.DummyAuthenticator.password = {s.password!r}",
        f"c.Authenticator.allowed_users = {set(s.users)!r}",
        "c.JupyterHub.spawner_class = 'hubsim.spawner.CgroupSpawner'",
        f"c.CgroupSpawner.cgroup_cpus = {s.cpus!r}",
        f"c.CgroupSpawner.cgroup_memory = {s.memory!r}",
        f"c.Spawner.cmd = {s.singleuser_cmd!r}",
        "c.Spawner.ip = '127.0.0.1'",
        "c.Spawner.default_url = '/lab'",
        "c.Spawner.start_timeout = 300",
        "c.Spawner.http_timeout = 300",
        f"c.Spawner.environment = {s.environment!r}",
        f"c.JupyterHub.services = [{{'name': 'idle-culler', 'command': {culler!r}}},",
        f"                         {{'name': 'hub-sim', 'api_token': {s.api_token!r}}}]",
        f"c.JupyterHub.load_roles = [{{'name': 'idle-culler', 'scopes': {CULLER_SCOPES!r}, 'services': ['idle-culler']}},",
        f"                           {{'name': 'hub-sim', 'scopes': {HARNESS_SCOPES!r}, 'services': ['hub-sim']}}]",
    ]
    return "\n".join(lines) + "\n"


def book_override(config: dict, hub_url: str, repo_url: str, root: Path) -> dict:
    """_config.yml with the launch buttons pointed at the simulated hub and repository, for a
    config file outside `root` (Jupyter Book reads local extensions relative to the file)."""
    if not hub_url.startswith(("http://", "https://")):
        raise ValueError(f"hub URL {hub_url!r}: give an http(s) URL such as http://127.0.0.1:8000")
    if not repo_url:
        raise ValueError("no repository URL: give the bare repository the notebooks are published to")
    new = copy.deepcopy(config)
    new.setdefault("repository", {})["url"] = repo_url
    new.setdefault("launch_buttons", {})["jupyterhub_url"] = hub_url
    # the theme names a repository's host from its URL; a local one needs telling (its links
    # then read <url>/issues etc., which the simulation never follows)
    sphinx = new.setdefault("sphinx", {}).setdefault("config", {})
    sphinx.setdefault("html_theme_options", {})["repository_provider"] = "github"
    extensions = new["sphinx"].get("local_extensions") or {}
    for name, folder in extensions.items():
        extensions[name] = str((root / folder).resolve())
    return new
