"""Evidence files kept outside the database, by the SHA-256 of their content."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def store_file(directory: Path, sha256: str, content: bytes) -> tuple[Path, bool]:
    """Write ``content`` as ``directory/sha256`` (atomically); True when this call created it."""
    path = directory / sha256
    if path.exists():
        return path, False
    directory.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(content)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path, True
