"""Where the console's URL and token come from, and the file ``sweep login`` writes.

Order: the arguments given, then ``SWEEP_URL`` / ``SWEEP_TOKEN``, then the login file
(``$SWEEP_CONFIG``, else ``$XDG_CONFIG_HOME/sweep/config.json``, else
``~/.config/sweep/config.json``; ``%APPDATA%\\sweep\\config.json`` on Windows). The file
holds a token, so it is written with mode 0600 in a 0700 folder.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["Credentials", "config_path", "read_config", "resolve", "write_config"]


def config_path() -> Path:
    explicit = os.environ.get("SWEEP_CONFIG")
    if explicit:
        return Path(explicit).expanduser()
    if os.name == "nt" and os.environ.get("APPDATA"):
        return Path(os.environ["APPDATA"]) / "sweep" / "config.json"
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "sweep" / "config.json"


def read_config() -> dict[str, Any]:
    path = config_path()
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def write_config(data: dict[str, Any]) -> Path:
    """Write the login file with mode 0600 (readable by its owner only), atomically."""
    path = config_path()
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    # O_CREAT with 0600 so the token is never readable by others, not even for a moment.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=2)
        handle.write("\n")
    os.chmod(tmp, 0o600)  # an existing file keeps its old mode through O_CREAT
    os.replace(tmp, path)
    return path


def normalise_url(url: str) -> str:
    """The console's root address as the client keeps it: a scheme (http by default), no
    trailing slash, and no API path (a URL copied from the API, ``.../api/v1/``, means
    the console it belongs to).

    >>> normalise_url("127.0.0.1:8000/"), normalise_url("https://c.example/api/v1/algorithms/")
    ('http://127.0.0.1:8000', 'https://c.example')
    """
    url = url.strip().rstrip("/")
    if url and "://" not in url:
        url = "http://" + url
    cut = (url + "/").find("/api/")
    if cut != -1 and cut > url.find("://") + 2:
        url = url[:cut]
    return url


@dataclass(frozen=True)
class Credentials:
    url: str
    token: str | None
    # Where the token came from, for messages ("run sweep login again" only fits the file).
    token_source: str


def resolve(url: str | None = None, token: str | None = None) -> Credentials:
    config = read_config()
    chosen = normalise_url(url or os.environ.get("SWEEP_URL") or config.get("url") or "")
    if token:
        return Credentials(chosen, token, "argument")
    if os.environ.get("SWEEP_TOKEN"):
        return Credentials(chosen, os.environ["SWEEP_TOKEN"], "SWEEP_TOKEN")
    if config.get("token") and normalise_url(str(config.get("url", ""))) == chosen:
        return Credentials(chosen, str(config["token"]), "login")
    return Credentials(chosen, None, "none")
