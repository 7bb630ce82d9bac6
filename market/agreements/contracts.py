"""Scanned contracts: PDF only, size-limited, stored outside the web root under generated names."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _

PDF_MAGIC = b"%PDF-"
NAME_MAX = 200


class ContractFileError(ValueError):
    """An uploaded file is not an acceptable scanned contract; the message says why."""


def max_bytes() -> int:
    """The largest scanned contract accepted, from MARKET_CONTRACT_MAX_BYTES."""
    return int(current_app.config["MARKET_CONTRACT_MAX_BYTES"])


def max_megabytes() -> str:
    return f"{max_bytes() / (1024 * 1024):g}"


def contract_dir() -> Path:
    return Path(current_app.config["MARKET_CONTRACT_DIR"])


def is_upload(upload) -> bool:
    """True when a file was chosen (browsers send an empty part for an unused file field)."""
    return upload is not None and bool(getattr(upload, "filename", None))


def read_upload(upload) -> tuple[bytes, str]:
    """The PDF's bytes and its original name, or ContractFileError with a Chinese message."""
    name = os.path.basename((upload.filename or "").replace("\\", "/")).strip()[-NAME_MAX:]
    limit = max_bytes()
    content = upload.stream.read(limit + 1)
    if len(content) > limit:
        raise ContractFileError(_("合同扫描件不能超过 %(mb)s MB。", mb=max_megabytes()))
    if not content:
        raise ContractFileError(_("合同扫描件是空文件，请重新选择。"))
    if not name.lower().endswith(".pdf") or not content.startswith(PDF_MAGIC):
        raise ContractFileError(_("合同扫描件只能是 PDF 文件。"))
    return content, name


def store(content: bytes) -> str:
    """Write the PDF under a new random name and return that name (never the uploader's)."""
    folder = contract_dir()
    folder.mkdir(parents=True, exist_ok=True)
    stored = f"{secrets.token_hex(16)}.pdf"
    partial = folder / f".{stored}.part"
    partial.write_bytes(content)
    os.replace(partial, folder / stored)  # readers never see half a file
    return stored


def path_of(stored: str) -> Path | None:
    """Where a stored contract lives; None for a name that is not one of ours."""
    if not stored or "/" in stored or "\\" in stored or stored.startswith("."):
        return None
    path = contract_dir() / stored
    return path if path.is_file() else None


def remove(stored: str | None) -> None:
    """Delete a stored contract whose agreement was never saved (no orphan files left behind)."""
    path = path_of(stored or "")
    if path is not None:
        path.unlink(missing_ok=True)
