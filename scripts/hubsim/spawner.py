"""The hub's spawner: a system user's server as a local process, in a cgroup of its own with
Binder-like limits (scripts/binder_sim.py's Group, cgroup v1 or v2). Loaded by the hub."""
import asyncio
from pathlib import Path

from binder_sim import Group  # scripts/ is on the hub's PYTHONPATH (scripts/hub_sim.py, start_hub)
from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Float, Integer

from hubsim.config import group_name


class CgroupSpawner(LocalProcessSpawner):
    """LocalProcessSpawner whose server (and so every kernel it starts) runs in a user's cgroup."""

    cgroup_cpus = Float(1.0, help="CPU quota of a user's server").tag(config=True)
    cgroup_memory = Integer(2 * 2**30, help="memory limit of a user's server, bytes").tag(config=True)

    async def start(self):
        """Start the server, then move it into its group (before it starts any kernel)."""
        url = await super().start()
        group = Group(group_name(self.user.name), self.cgroup_cpus, self.cgroup_memory)
        for procs in group.procs_files():
            Path(procs).write_text(str(self.pid))
        return url

    async def stop(self, now=False):
        """Stop the server, then remove its group once its processes are gone."""
        await super().stop(now=now)
        group = Group(group_name(self.user.name), self.cgroup_cpus, self.cgroup_memory)
        for _ in range(50):
            if not any(Path(p).read_text().strip() for p in group.procs_files()):
                break
            await asyncio.sleep(0.2)
        group.remove()
