"""Files and folders that hold private data: files 0600, folders 0700, whatever the umask.

The database and its `-wal`/`-shm`, backups, exports, kept photos and scans and listener lists
all go through here. A mode given to `open`/`mkdir` is only an upper bound (the process umask
takes bits away, and an existing file keeps its mode), so each is also set with (f)chmod.
`partnerdesk run` and `demo` set the umask to 077 as well, for files a library creates on its
own; the modes below do not depend on it.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path
from typing import IO, Any

FILE_MODE = 0o600
DIR_MODE = 0o700
PRIVATE_UMASK = 0o077

log = logging.getLogger(__name__)


def make_dirs(folder: Path) -> None:
    """Create `folder` and its missing parents as 0700 folders; existing ones stay as they are
    (a mount point or the working folder is the administrator's choice)."""
    missing: list[Path] = []
    while not folder.exists():
        missing.append(folder)
        if folder.parent == folder:
            break
        folder = folder.parent
    for path in reversed(missing):
        try:
            os.mkdir(path, DIR_MODE)
        except FileExistsError:  # made meanwhile by a concurrent twin
            continue
        os.chmod(path, DIR_MODE)


def open_private(path: Path, mode: str = "wb", **kwargs: Any) -> IO[Any]:
    """`open(path, mode)` for writing, the file created (or truncated) with mode 0600."""
    if not mode.startswith("w"):
        raise ValueError(f"open_private writes; mode {mode!r}")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, FILE_MODE)
    try:
        if stat.S_ISREG(os.fstat(fd).st_mode):  # never chmod a terminal or a pipe
            os.fchmod(fd, FILE_MODE)
        return os.fdopen(fd, mode, **kwargs)
    except BaseException:
        os.close(fd)
        raise


def write_bytes(path: Path, data: bytes) -> None:
    """`path.write_bytes(data)` with a 0600 file in a 0700 folder."""
    make_dirs(path.parent)
    with open_private(path) as file:
        file.write(data)


def create_empty(path: Path) -> None:
    """An empty 0600 file at `path` (SQLite then creates its database in it, keeping the mode);
    an existing file is only made 0600."""
    make_dirs(path.parent)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
    except FileExistsError:
        restrict(path)
        return
    try:
        os.fchmod(fd, FILE_MODE)
    finally:
        os.close(fd)


def restrict(path: Path, mode: int = FILE_MODE) -> None:
    """Make an existing file (or folder, with DIR_MODE) private; what is missing or not ours
    is left as it is (logged)."""
    try:
        if stat.S_IMODE(path.stat().st_mode) != mode:
            os.chmod(path, mode)
    except FileNotFoundError:
        return
    except OSError as exc:  # not its owner, a read-only mount: reading it may still work
        log.warning("could not make %s private (mode %o): %s", path, mode, exc.strerror)
