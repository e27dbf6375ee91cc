"""The raw files a run reads: their names as text, their hashes, and the parser version.

What both the planner (which files to read) and the parse workers (read them) need, so that the
workers never import the planner. ``parser_version`` hashes every file of ``transforms/`` and
``expectations/``, sub-packages included.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path, PurePath

from flows.dataset.storage import Location, location

_PARSER_PACKAGES = ("transforms", "expectations")


@cache
def parser_version() -> str:
    """A hash of every file the parsing and the per-report rules are made of (code and data)."""
    digest = hashlib.sha256()
    for package in _PARSER_PACKAGES:
        for name, data in _package_files(resources.files(package), ""):
            digest.update(name.encode())
            digest.update(data)
    return digest.hexdigest()[:16]


def _package_files(folder, prefix: str):
    """(relative name, bytes) of every code and data file under ``folder``, sub-folders too, sorted."""
    for path in sorted(folder.iterdir(), key=lambda p: p.name):
        if path.is_dir() and path.name != "__pycache__":
            yield from _package_files(path, f"{prefix}{path.name}/")
        elif path.is_file() and path.name.endswith((".py", ".csv", ".toml")):
            yield prefix + path.name, path.read_bytes()


@dataclass(frozen=True)
class RawFile:
    path: Location  # a local file, or an object in a bucket
    name: str  # relative to the raw folder, POSIX
    size: int
    mtime_ns: int
    pages: tuple[str, ...] | None = None  # of a crawl container: the pages to read (None: every page)
    not_a_file: str | None = None  # why it is no regular file to read (a FIFO, a link out of the folder)


# A name decoded as GB18030 is taken only if it reads as a name: CJK, ASCII and full-width
# characters. (GB18030 decodes most byte strings, so Latin-1 "été" would otherwise become CJK.)
_PLAUSIBLE_NAME = re.compile(r"[\x20-\x7e\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]*")


def file_name(relative: PurePath) -> str:
    """A raw file's name as text, whatever bytes the file system holds.

    UTF-8 names as they are. Others (unzip writes the GBK names of archives made on Chinese
    Windows as raw bytes) are decoded as GB18030 where that reads as a name, else their
    undecodable bytes are written as ``\\xNN`` escapes. Never raises.
    """
    raw = os.fsencode(relative.as_posix())
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        decoded = raw.decode("gb18030")
    except UnicodeDecodeError:
        decoded = None
    if decoded is not None and _PLAUSIBLE_NAME.fullmatch(decoded):
        return decoded
    return raw.decode("utf-8", errors="backslashreplace")


# What only an xxgk dataset folder holds (its version log, lock, DuckDB file), and what an audit
# site is made of: such a folder inside the raw folder is output, never input.
DATASET_MARKERS = ("_versions", ".xxgk.lock", "xxgk.duckdb")
AUDIT_SITE_MARKERS = ("index.html", "manifest.json", "reports")


def _is_output_folder(folder) -> bool:
    if any((folder / marker).exists() for marker in DATASET_MARKERS):
        return True
    return all((folder / marker).exists() for marker in AUDIT_SITE_MARKERS)


def scan_raw_folder(
    raw_dir: Location,
    outputs: tuple[Location, ...] = (),
    skipped: list[str] | None = None,
    follow_links: bool = False,
) -> list[RawFile]:
    """Every file under ``raw_dir`` except hidden ones (dot-files, dot-folders), sorted, each with a
    distinct name (see :func:`file_name`). On object storage: every object under the prefix, its
    name the key below it (keys are UTF-8). Folders that are ``outputs`` (the dataset, its local
    side) or look like an xxgk dataset or audit site are left out, and their names added to
    ``skipped``. What is no regular file in the folder (a FIFO, a device, a dangling link, a link
    to a folder or, unless ``follow_links``, to a file outside the folder) comes with the reason
    it is not read, :attr:`RawFile.not_a_file`: it is quarantined, never opened."""
    try:
        folder = location(raw_dir)
        walked = list(_walk_local(folder, follow_links) if not folder.is_remote else folder.walk_files())
    except FileNotFoundError as exc:
        raise FileNotFoundError(f"raw folder not found: {raw_dir}") from exc
    excluded = _output_folders(raw_dir, walked, outputs)
    if skipped is not None:
        skipped.extend(sorted(f.as_posix() for f in excluded))
    files = []
    names: set[str] = set()
    for path, found, *why in walked:
        relative = path.relative_to(raw_dir)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if excluded and any(parent in excluded for parent in relative.parents):
            continue
        name = file_name(relative)
        if name in names:  # a decoded name that another file has as written: keep both apart
            name = os.fsencode(relative.as_posix()).decode("utf-8", errors="backslashreplace")
        names.add(name)
        files.append(RawFile(path, name, found.st_size, found.st_mtime_ns, not_a_file=why[0] if why else None))
    return files


_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a device",
    stat.S_IFBLK: "a device",
}


def _walk_local(raw_dir: Path, follow_links: bool) -> Iterator[tuple[Path, os.stat_result, str | None]]:
    """(path, stat, why it is not read or None) of every entry below ``raw_dir`` but its folders,
    in path order; links to folders are not descended (a loop, or the whole disk, could be)."""
    if not raw_dir.is_dir():
        raise FileNotFoundError(f"folder not found: {raw_dir}")
    root = raw_dir.resolve()
    found = []
    for folder, folders, names in os.walk(raw_dir):
        names += [name for name in folders if Path(folder, name).is_symlink()]  # links: listed, not walked
        found += [raw_dir.joinpath(os.path.relpath(folder, raw_dir), name) for name in names]
    for path in sorted(found):
        own = path.lstat()
        if stat.S_ISREG(own.st_mode):
            yield path, own, None
        elif not stat.S_ISLNK(own.st_mode):
            yield path, own, f"{_KINDS.get(stat.S_IFMT(own.st_mode), 'no regular file')}, not a file to read"
        else:
            yield path, *_link(path, own, root, follow_links)


def _link(path: Path, own: os.stat_result, root: Path, follow_links: bool) -> tuple[os.stat_result, str | None]:
    """A symbolic link's stat (its target's, when it is read) and why it is not read, or None."""
    target = path.readlink()
    try:
        pointed = path.stat()
    except FileNotFoundError:
        return own, f"a dangling link (to {target}): nothing to read"
    except OSError as exc:  # ELOOP
        return own, f"a link that cannot be followed (to {target}): {exc.strerror or exc}"
    if stat.S_ISDIR(pointed.st_mode):
        return own, f"a link to a folder (to {target}): links to folders are not followed"
    if not stat.S_ISREG(pointed.st_mode):
        return own, f"a link to {_KINDS.get(stat.S_IFMT(pointed.st_mode), 'no regular file')} (to {target})"
    resolved = path.resolve()
    if follow_links or resolved.is_relative_to(root):
        return pointed, None
    return own, f"link outside the raw folder (to {resolved}); pass --follow-links to read it"


def _output_folders(raw_dir: Location, walked: list, outputs: tuple[Location, ...]) -> set[PurePath]:
    """Folders under ``raw_dir`` (relative) that hold output, not reports."""
    found: set[PurePath] = set()
    root = str(location(raw_dir).resolve()).rstrip("/") + "/"
    for output in outputs:
        place = location(output)
        if place.is_remote != location(raw_dir).is_remote:
            continue  # a folder is never inside a bucket, nor a bucket in a folder
        text = str(place.resolve())
        if text.startswith(root):  # inside the raw folder
            found.add(PurePath(text[len(root) :]))
    if location(raw_dir).is_remote:  # a bucket has no folders to look into
        return found
    folders = {parent for path, *_ in walked for parent in path.relative_to(raw_dir).parents if parent.parts}
    for folder in sorted(folders, key=lambda f: len(f.parts)):
        if not any(done in folder.parents or done == folder for done in found) and _is_output_folder(raw_dir / folder):
            found.add(folder)
    return found


def file_sha256(path: Location) -> str:
    return location(path).sha256()
