"""The acceptance dossier: one zip with the workbook, the report, evidence files, a manifest.

Every file is listed in ``manifest.json`` and ``目录.txt`` with its size and SHA-256, so a
reviewer can check that nothing was changed; evidence files whose content is missing from
the store are listed as missing instead of failing the whole dossier.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from nearzero.formatting import CHINA_TZ, china_time

MANIFEST = "manifest.json"
CONTENTS = "目录.txt"


@dataclass(frozen=True)
class Entry:
    """A file of the dossier: its path in the zip, what it is, its bytes."""

    path: str
    description: str
    data: bytes


@dataclass(frozen=True)
class Missing:
    """A file that should be in the dossier but could not be read."""

    path: str
    description: str
    sha256: str
    reason: str


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_dossier(
    title: str,
    entries: Sequence[Entry],
    missing: Sequence[Missing] = (),
    created: dt.datetime | None = None,
) -> bytes:
    """The zip: ``entries``, then the manifest (JSON) and the contents list (text)."""
    created = (created or dt.datetime.now(dt.UTC)).astimezone(CHINA_TZ)
    files = [
        {
            "path": e.path,
            "description": e.description,
            "size": len(e.data),
            "sha256": sha256(e.data),
        }
        for e in entries
    ]
    manifest: dict[str, Any] = {
        "schema": "nearzero.dossier/1",
        "title": title,
        "created": created.isoformat(timespec="seconds"),
        "files": files,
        "missing": [
            {"path": x.path, "description": x.description, "sha256": x.sha256, "reason": x.reason}
            for x in missing
        ],
    }
    made = f"生成时间：{china_time(created, seconds=True)}（北京时间）"
    lines = [title, made, "", "文件清单（SHA-256）："]
    lines += [f"{f['sha256']}  {f['path']}  （{f['description']}，{f['size']}字节）" for f in files]
    if missing:
        lines += ["", "缺失文件："]
        lines += [f"{x.sha256}  {x.path}  （{x.description}；{x.reason}）" for x in missing]
    buffer = io.BytesIO()
    stamp = created.timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for e in entries:
            archive.writestr(zipfile.ZipInfo(e.path, stamp), e.data, zipfile.ZIP_DEFLATED)
        body = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
        archive.writestr(zipfile.ZipInfo(MANIFEST, stamp), body, zipfile.ZIP_DEFLATED)
        text = ("\r\n".join(lines) + "\r\n").encode("utf-8-sig")
        archive.writestr(zipfile.ZipInfo(CONTENTS, stamp), text, zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
