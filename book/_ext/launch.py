"""Launch buttons that lead somewhere, and notebooks that read like the site.

- The repository is `repository.url` in _config.yml (the one place a fork sets), or else the
  `origin` remote of the checkout when it is a GitHub URL (https or ssh form). With neither,
  the site has no repository, issue, Binder or JupyterHub button and names no repository.
- Binder and JupyterHub open the chapter's reader notebook, notebooks/<chapter>.ipynb, not the
  MyST source, which JupyterLab would show as raw MyST. Binder makes the notebooks in postBuild.
  The JupyterHub link is nbgitpuller's, as the theme builds it, and appears only when
  `launch_buttons.jupyterhub_url` is set; it pulls the branch `launch_buttons.jupyterhub_branch`
  (default "notebooks"), which scripts/publish-notebooks.sh fills, since notebooks/ is not
  committed on main.
- The header's ".ipynb" download is the same reader notebook (written by reader_notebooks.py).
"""
import re
import subprocess
from pathlib import Path
from urllib.parse import quote, urlencode

from bookmodel.pages import is_notebook as is_notebook_file

GITHUB = re.compile(
    r"^(?:https://github\.com/|git@github\.com:|ssh://git@github\.com/)"
    r"(?P<owner>[\w.-]+)/(?P<repo>[\w.-]+?)(?:\.git)?/?$"
)
NOTEBOOK_DIR = "notebooks"
NOTEBOOK_BRANCH = "notebooks"  # the branch scripts/publish-notebooks.sh writes, for nbgitpuller


def github_url(url: str) -> str | None:
    """The https form of a GitHub repository URL (https or ssh), or None if it is not one."""
    m = GITHUB.match(url.strip())
    return f"https://github.com/{m['owner']}/{m['repo']}" if m else None


def git_remote_url(root: Path) -> str | None:
    """The URL of the checkout's `origin` remote, or None."""
    try:
        out = subprocess.run(["git", "-C", str(root), "remote", "get-url", "origin"],
                             capture_output=True, text=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() if out.returncode == 0 and out.stdout.strip() else None


def repository_url(configured: str, root: Path) -> str:
    """The repository the site links to: the configured URL, else a GitHub `origin`, else ''."""
    if configured.strip():
        return configured.strip().rstrip("/")
    return github_url(git_remote_url(root) or "") or ""


def notebook_path(pagename: str) -> str:
    """The reader notebook of a page, relative to the repository root."""
    return f"{NOTEBOOK_DIR}/{Path(pagename).name}.ipynb"


def binder_url(binderhub: str, repo_url: str, branch: str, path: str, ui: str = "lab/tree") -> str:
    """A Binder link that builds the repository and opens `path` in JupyterLab."""
    gh = GITHUB.match(repo_url)
    spec = f"gh/{gh['owner']}/{gh['repo']}" if gh else f"git/{quote(repo_url, safe='')}"
    return f"{binderhub.rstrip('/')}/v2/{spec}/{branch}?urlpath={quote(f'{ui}/{path}', safe='/')}"


def jupyterhub_url(hub: str, repo_url: str, branch: str, path: str, ui: str = "lab/tree") -> str:
    """An nbgitpuller link: the hub pulls the repository into ~/<repo> and opens `path` there."""
    repo_name = repo_url.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")
    query = urlencode({"repo": repo_url, "urlpath": f"{ui}/{repo_name}/{path}", "branch": branch}, safe="/")
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def launch_buttons(opts: dict, launch: dict, pagename: str) -> list[dict]:
    """The theme's launch button entries for a notebook page (none without a repository)."""
    repo_url, launch = opts.get("repository_url", ""), launch
    if not repo_url:
        return []
    branch = opts.get("repository_branch") or "main"
    ui = {"classic": "tree", "jupyterlab": "lab/tree"}[launch.get("notebook_interface", "jupyterlab")]
    path, buttons = notebook_path(pagename), []
    if launch.get("binderhub_url"):
        buttons.append({"type": "link", "text": "Binder", "tooltip": "在 Binder 上运行本章",
                        "icon": "_static/images/logo_binder.svg",
                        "url": binder_url(launch["binderhub_url"], repo_url, branch, path, ui)})
    if launch.get("jupyterhub_url"):
        buttons.append({"type": "link", "text": "JupyterHub", "tooltip": "在 JupyterHub 上运行本章",
                        "icon": "_static/images/logo_jupyterhub.svg",
                        "url": jupyterhub_url(launch["jupyterhub_url"], repo_url,
                                              launch.get("jupyterhub_branch") or NOTEBOOK_BRANCH, path, ui)})
    return buttons


def configure(app, config) -> None:
    """Resolve the repository URL; take the launch settings over from the theme."""
    opts = config.html_theme_options
    url = repository_url(opts.get("repository_url", ""), Path(app.confdir))
    opts["repository_url"] = url
    for button in ("use_repository_button", "use_issues_button"):
        opts[button] = bool(url)
    # The theme would link book/<page>.md, which JupyterLab shows as raw MyST: we link the
    # reader notebook instead, so the theme gets no launch settings of its own.
    config.d2l_launch = opts.get("launch_buttons") or {}
    opts["launch_buttons"] = {}


def is_notebook(app, pagename: str) -> bool:
    """True for a page written as a notebook (bookmodel.pages.is_notebook of its source)."""
    return pagename in app.env.found_docs and is_notebook_file(Path(app.env.doc2path(pagename)))


def offer_notebook(app, pagename, templatename, context, doctree) -> None:
    """Offer the reader notebook as the page's .ipynb download (before the theme lists downloads)."""
    if is_notebook(app, pagename):
        context["ipynb_source"] = f"{pagename}.ipynb"


def add_launch_group(app, pagename, templatename, context, doctree) -> None:
    """Add the launch buttons, pointing at the reader notebook, to the page header."""
    if not is_notebook(app, pagename) or "header_buttons" not in context:
        return
    buttons = launch_buttons(app.config.html_theme_options, app.config.d2l_launch, pagename)
    if buttons:  # first, where the theme puts its own launch group
        context["header_buttons"].insert(0, {"type": "group", "tooltip": "运行本章", "icon": "fas fa-rocket",
                                          "buttons": buttons, "label": "launch-buttons"})


def setup(app):
    app.add_config_value("d2l_launch", {}, "html")
    app.connect("config-inited", configure)
    app.connect("html-page-context", offer_notebook, priority=500)
    app.connect("html-page-context", add_launch_group, priority=502)  # after the theme's buttons
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
