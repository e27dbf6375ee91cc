"""What a run must read: the raw folder against the inputs the current version was built from.

A file is new, removed, changed (size, modification time and then its SHA-256 differ), or
unchanged; a file whose time changed but whose bytes did not is unchanged. When the parsing code
or the template data change (the parser version), or on ``--full``, every file is read again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace

import pandas as pd

from flows.parsing.raw_files import RawFile, file_sha256, parser_version
from transforms.crawled_pages import split_crawl
from transforms.schemas import INPUTS


@dataclass
class InputPlan:
    full: bool  # every file is read again; the tables start empty
    read: list[RawFile] = field(default_factory=list)  # new and changed files
    retire: list[str] = field(default_factory=list)  # files whose rows go: changed and removed
    added: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0
    touched: int = 0  # unchanged, but with a new modification time to remember
    manifest: pd.DataFrame | None = None  # the inputs of the version this run makes, but for what it reads

    @property
    def nothing_to_do(self) -> bool:
        """The raw folder is exactly what the current version was built from."""
        return not (self.full or self.read or self.retire or self.touched)

    def summary(self) -> dict:
        return {
            "full": self.full,
            "files_added": self.added,
            "files_changed": self.changed,
            "files_removed": self.removed,
            "files_unchanged": self.unchanged,
        }


def plan_inputs(files: list[RawFile], manifest: pd.DataFrame | None, full: bool) -> InputPlan:
    """Compare the raw folder with the current version's inputs. A crawl container (an export, a
    web archive) that changed is compared page by page: only its new and changed pages are read,
    and its removed and changed pages are retired."""
    version = parser_version()
    if (
        manifest is None
        or manifest.empty
        or full
        or "container" not in manifest.columns
        or (manifest["parser_version"] != version).any()
    ):
        on_disk = {f.name for f in files}
        removed = [] if manifest is None else sorted(set(_file_rows(manifest)["source_file"]) - on_disk)
        kept = INPUTS.empty_frame()
        return InputPlan(True, list(files), [], len(files), 0, len(removed), 0, manifest=kept)
    page_rows = manifest[manifest["container"] != ""]
    manifest = _file_rows(manifest)
    manifest_sha = dict(zip(manifest["source_file"], manifest["source_sha256"], strict=True))
    on_disk = pd.DataFrame(
        {"source_file": [f.name for f in files], "size": [f.size for f in files], "mtime": [f.mtime_ns for f in files]}
    )
    both = manifest.merge(on_disk, on="source_file")  # inner: int64 columns stay exact
    differs = (both["size"] != both["size_bytes"]) | (both["mtime"] != both["mtime_ns"])
    by_name = {f.name: f for f in files}
    changed, touched = set(), set()
    for name, size in zip(both.loc[differs, "source_file"], both.loc[differs, "size_bytes"], strict=True):
        file = by_name[name]
        same = size == file.size and file_sha256(file.path) == manifest_sha[name]
        (touched if same else changed).add(name)
    pages_of = {name: group for name, group in page_rows.groupby("container")}
    plan = InputPlan(False)
    kept_pages: list[pd.DataFrame] = []
    retired_pages: list[str] = []
    by_page: dict[str, RawFile] = {}
    for name in sorted(changed & set(pages_of)):
        selection = changed_pages(by_name[name], pages_of[name])
        if selection is None:  # no longer a crawl container: read as a whole
            retired_pages += pages_of[name]["source_file"].tolist()
            continue
        read, retire, unchanged = selection
        by_page[name] = replace(by_name[name], pages=tuple(read))
        retired_pages += retire
        kept_pages.append(unchanged.assign(mtime_ns=by_name[name].mtime_ns))
    plan.read = [by_page.get(f.name, f) for f in files if f.name in changed or f.name not in manifest_sha]
    plan.added, plan.changed, plan.touched = len(plan.read) - len(changed), len(changed), len(touched)
    gone = sorted(set(manifest_sha) - set(by_name))
    for name in gone:
        if name in pages_of:
            retired_pages += pages_of[name]["source_file"].tolist()
    plan.retire = sorted(changed) + gone + sorted(retired_pages)
    plan.removed = len(gone)
    kept = both[~both["source_file"].isin(changed)].copy()
    kept.loc[kept["source_file"].isin(touched), "mtime_ns"] = kept["mtime"]  # touched, same bytes
    plan.unchanged = len(kept)
    still = [
        group.assign(mtime_ns=by_name[name].mtime_ns) if name in touched else group
        for name, group in pages_of.items()
        if name in by_name and name not in changed
    ]
    plan.manifest = pd.concat(
        [kept[INPUTS.column_names], *[p[INPUTS.column_names] for p in still + kept_pages]], ignore_index=True
    )
    return plan


def _file_rows(manifest: pd.DataFrame) -> pd.DataFrame:
    if "container" not in manifest.columns:
        return manifest
    return manifest[manifest["container"] == ""]


def changed_pages(file: RawFile, old: pd.DataFrame) -> tuple[list[str], list[str], pd.DataFrame] | None:
    """Of a changed crawl container: (pages to read, pages to retire, manifest rows of the pages
    that stayed the same); None when the file is no longer a container."""
    try:
        crawled = split_crawl(file.path.read_bytes(), file.name)
    except (OSError, ValueError):
        return None  # read as a whole: the parse says what is wrong
    if crawled is None:
        return None
    before = dict(zip(old["source_file"], old["source_sha256"], strict=True))
    now = {page.locator: hashlib.sha256(page.content).hexdigest() for page in crawled}
    read = [locator for locator, sha in now.items() if before.get(locator) != sha]
    retire = [locator for locator, sha in before.items() if now.get(locator) != sha]
    return read, retire, old[~old["source_file"].isin(retire)]


def page_containers(manifest: pd.DataFrame) -> dict[str, str]:
    """Page locator → its container, from an inputs manifest."""
    if "container" not in manifest.columns:
        return {}
    pages = manifest[manifest["container"] != ""]
    return dict(zip(pages["source_file"], pages["container"], strict=True))


def read_again(
    files: list[RawFile], names: set[str], planned: list[RawFile], containers: dict[str, str]
) -> list[RawFile]:
    """The files (or the pages of containers) to parse again because the report they were a
    duplicate of was retired, beside what the plan reads already."""
    by_name = {f.name: f for f in files}
    planned_pages = {f.name: f.pages for f in planned}
    extra: dict[str, RawFile] = {}
    for name in sorted(names):
        container = containers.get(name)
        if container is None:
            if name in by_name and name not in planned_pages:
                extra[name] = by_name[name]
            continue
        if container not in by_name or (container in planned_pages and planned_pages[container] is None):
            continue  # gone, or read whole anyway
        current = extra.get(container) or replace(by_name[container], pages=planned_pages.get(container) or ())
        extra[container] = replace(current, pages=(*(current.pages or ()), name))
    return [f for f in planned if f.name not in extra] + list(extra.values())


def manifest_rows(read: list[RawFile], hashes: dict[str, str], pages: pd.DataFrame | None = None) -> pd.DataFrame:
    """Inputs rows for the files a run read (their hashes as the parse computed them), and for the
    crawl containers among them and their pages. A file the parse gave no row for has no hash
    here: ``Ingest.finish`` names it and nothing is published."""
    version = parser_version()
    files = pd.DataFrame(
        [
            {
                "source_file": f.name,
                "container": "",
                "size_bytes": f.size,
                "mtime_ns": f.mtime_ns,
                "source_sha256": hashes.get(f.name, ""),
                "parser_version": version,
            }
            for f in read
        ],
        columns=INPUTS.column_names,
    )
    if pages is None or pages.empty:
        return files
    mtimes = {f.name: f.mtime_ns for f in read}
    pages = pages.drop_duplicates("source_file", keep="last")
    owner = pages["container"].where(pages["container"] != "", pages["source_file"])
    rows = pages.assign(mtime_ns=owner.map(mtimes).fillna(0).astype("int64"), parser_version=version)
    return pd.concat(
        [files[~files["source_file"].isin(set(pages["source_file"]))], rows[INPUTS.column_names]], ignore_index=True
    )
