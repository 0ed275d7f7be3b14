"""`make hub-sim`: the book's JupyterHub path and a class's load, on this machine (scripts/hub_sim.py)."""
