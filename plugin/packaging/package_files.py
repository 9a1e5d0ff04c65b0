"""An app package as its files: read from a directory or a zip, written to a zip."""

from __future__ import annotations

import json
import re
import struct
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# Tokens the builder fills from the deployment; one left in a package means it was not built.
DEPLOYMENT_TOKEN = re.compile(r"\{\{\s*payverify\.([a-z_]+)\s*\}\}")
IGNORED = re.compile(r"(^|/)(\.[^/]*|__pycache__|node_modules|dist|coverage)(/|$)")


class PackageFiles:
    """The files of one app package, by their path relative to the package root."""

    def __init__(self, files: dict[str, bytes], origin: str) -> None:
        self.files = files
        self.origin = origin

    @classmethod
    def read(cls, path: str | Path) -> PackageFiles:
        """Read a package directory or zip; raise FileNotFoundError when there is neither."""
        path = Path(path)
        if path.is_dir():
            files = {
                item.relative_to(path).as_posix(): item.read_bytes()
                for item in sorted(path.rglob("*"))
                if item.is_file() and not IGNORED.search(item.relative_to(path).as_posix())
            }
            return cls(files, str(path))
        if path.is_file() and zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                files = {
                    info.filename: archive.read(info)
                    for info in archive.infolist()
                    if not info.is_dir()
                }
            return cls(files, str(path))
        raise FileNotFoundError(f"{path}: not a package directory or zip file")

    def has(self, name: str) -> bool:
        """Whether the package holds this file."""
        return name in self.files

    def under(self, folder: str) -> list[str]:
        """The files below `folder/`, sorted."""
        prefix = folder.rstrip("/") + "/"
        return sorted(name for name in self.files if name.startswith(prefix))

    def json(self, name: str, problems: list[str]) -> Any:
        """The parsed JSON file, or None with a problem noted when it is missing or broken."""
        if name not in self.files:
            problems.append(f"{name}: missing")
            return None
        try:
            return json.loads(self.files[name].decode("utf-8"))
        except UnicodeDecodeError:
            problems.append(f"{name}: not UTF-8 text")
        except json.JSONDecodeError as exc:
            problems.append(f"{name}: not valid JSON ({exc.msg} at line {exc.lineno})")
        return None

    def unfilled_tokens(self) -> list[str]:
        """Problems for every deployment token still present in a text file."""
        problems = []
        for name, data in self.files.items():
            if not name.endswith((".json", ".html", ".js")):
                continue
            found = sorted(set(DEPLOYMENT_TOKEN.findall(data.decode("utf-8", "replace"))))
            if found:
                tokens = ", ".join("{{payverify." + token + "}}" for token in found)
                problems.append(
                    f"{name}: {tokens} not filled in; build the package with "
                    "`payverify package ... --backend-url URL` instead of shipping the source"
                )
        return problems

    def write_zip(self, out: Path, names: Iterable[str] | None = None) -> Path:
        """Write the package (or the given files of it) as a zip with fixed timestamps."""
        out.parent.mkdir(parents=True, exist_ok=True)
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in sorted(names if names is not None else self.files):
                # A fixed date keeps the zip byte-identical for the same sources.
                info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
                info.external_attr = 0o644 << 16
                info.compress_type = zipfile.ZIP_DEFLATED
                archive.writestr(info, self.files[name])
        return out


def png_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG image, or None when the bytes are not a PNG."""
    if len(data) < 24 or not data.startswith(PNG_SIGNATURE) or data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height
