"""Who holds an index's writer lock, told to a person, and whether that process is gone (any engine)."""

from __future__ import annotations

import os
import socket


def describe_holder(info: dict) -> str:
    """A person-readable name for the process described by a lock file.

    >>> describe_holder({"pid": 42, "host": "atelier", "started": "2026-01-02T03:04:05Z"})
    'pid 42 on atelier, writing since 2026-01-02T03:04:05Z'
    >>> describe_holder({})
    'another process'
    """
    if not info.get("pid"):
        return "another process"
    text = f"pid {info['pid']}"
    if info.get("host"):
        text += f" on {info['host']}"
    if info.get("started"):
        text += f", writing since {info['started']}"
    return text


def holder_ended(info: dict) -> bool:
    """Whether the lock holder named in ``info`` is a process of this host that no longer runs."""
    pid = info.get("pid")
    if not isinstance(pid, int) or info.get("host") != socket.gethostname():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except OSError:
        return False
    return False
