"""Where raw reports and datasets live: a local folder (a :class:`LocalPath`) or S3-compatible
object storage (an :class:`S3Path`, written ``s3://bucket/prefix``). :func:`location` makes the
choice, once; the rest of the code asks the location (``is_remote``, ``walk_files``, ``sha256``,
``create``, ``arrow_filesystem``, ``delta_options``) and never tests which kind it has.

Credentials, region and endpoint come from the standard AWS environment variables
(``AWS_ACCESS_KEY_ID``, ``AWS_SECRET_ACCESS_KEY``, ``AWS_REGION``, ``AWS_ENDPOINT_URL``), read by
each client itself: boto3 for small objects and put-if-absent, pyarrow's S3 file system for files
and Parquet, delta-rs (through :func:`delta_storage_options`) for the tables. ``S3Path`` offers the
few ``pathlib`` operations the flow uses on a location, so most code takes either.
"""

from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

SCHEME = "s3://"


class PreconditionFailed(FileExistsError):
    """An object that was to be created only if absent exists already."""


@dataclass(frozen=True)
class S3Stat:
    st_size: int
    st_mtime_ns: int


class LocalPath(type(Path())):  # type(Path()): PosixPath or WindowsPath, which 3.11 can subclass
    """A local file or folder: a ``Path`` that also answers what an :class:`S3Path` does."""

    is_remote = False

    def walk_files(self) -> Iterator[tuple[LocalPath, os.stat_result]]:
        """Every regular file under this folder, with its stat, in path order."""
        if not self.is_dir():
            raise FileNotFoundError(f"folder not found: {self}")
        for path in sorted(self.rglob("*")):
            if path.is_file():
                yield path, path.stat()

    def sha256(self) -> str:
        digest = hashlib.sha256()
        with self.open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
        return digest.hexdigest()

    def create(self, data: bytes) -> None:
        """Write the file only if it does not exist, atomically (a complete file or none), else
        PreconditionFailed: a hard link fails where the name is taken (put-if-absent on a disk)."""
        self.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=self.parent, suffix=".tmp", delete=False) as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        try:
            os.link(handle.name, self)
        except FileExistsError:
            raise PreconditionFailed(f"{self} exists") from None
        finally:
            Path(handle.name).unlink()

    def arrow_filesystem(self):
        """pyarrow's file system for this location, and the path it takes there."""
        import pyarrow.fs as pafs

        return pafs.LocalFileSystem(), str(self)

    def delta_options(self) -> dict[str, str] | None:
        return None


@dataclass(frozen=True, order=True)
class S3Path:
    """An object or a prefix in a bucket: ``s3://bucket/key``."""

    bucket: str
    key: str = ""
    is_remote = True  # a class attribute: not a field

    @classmethod
    def parse(cls, uri: str) -> S3Path:
        rest = uri.removeprefix(SCHEME)
        bucket, _, key = rest.partition("/")
        if not bucket:
            raise ValueError(f"not an s3:// location: {uri!r}")
        return cls(bucket, key.strip("/"))

    def __str__(self) -> str:
        return f"{SCHEME}{self.bucket}/{self.key}" if self.key else f"{SCHEME}{self.bucket}"

    def __truediv__(self, part: str) -> S3Path:
        return S3Path(self.bucket, f"{self.key}/{part}".strip("/"))

    @property
    def name(self) -> str:
        return PurePosixPath(self.key).name

    def resolve(self) -> S3Path:
        return self

    def relative_to(self, other: S3Path) -> PurePosixPath:
        return PurePosixPath(self.key).relative_to(other.key) if other.key else PurePosixPath(self.key)

    @property
    def arrow_path(self) -> str:
        """The path pyarrow's S3 file system takes: ``bucket/key``."""
        return f"{self.bucket}/{self.key}".rstrip("/")

    # ---- objects --------------------------------------------------------------------------

    def read_bytes(self) -> bytes:
        try:
            return _s3().get_object(Bucket=self.bucket, Key=self.key)["Body"].read()
        except _s3().exceptions.NoSuchKey as exc:
            raise FileNotFoundError(str(self)) from exc

    def read_text(self, encoding: str = "utf-8") -> str:
        return self.read_bytes().decode(encoding)

    def sha256(self) -> str:
        return hashlib.sha256(self.read_bytes()).hexdigest()

    def arrow_filesystem(self):
        """pyarrow's S3 file system for the bucket, and the path it takes there."""
        return _arrow_s3(self.bucket), self.arrow_path

    def delta_options(self) -> dict[str, str]:
        """delta-rs options: its commits are put-if-absent on S3 (``conditional_put``), so two
        writers never both write one Delta version."""
        options = {"conditional_put": "etag"}
        endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        if endpoint:
            options["AWS_ENDPOINT_URL"] = endpoint
            if endpoint.startswith("http://"):
                options["AWS_ALLOW_HTTP"] = "true"
        return options

    def write_bytes(self, data: bytes) -> None:
        _s3().put_object(Bucket=self.bucket, Key=self.key, Body=data)  # a put is atomic

    def write_text(self, text: str, encoding: str = "utf-8") -> None:
        self.write_bytes(text.encode(encoding))

    def create(self, data: bytes) -> str:
        """Write the object only if it does not exist (``If-None-Match: *``), else PreconditionFailed.
        Returns its ETag."""
        return self._conditional(_s3().put_object, Body=data, IfNoneMatch="*")["ETag"]

    def replace_if(self, data: bytes, etag: str) -> str:
        """Overwrite the object only if it is still the version ``etag`` names; returns the new ETag."""
        return self._conditional(_s3().put_object, Body=data, IfMatch=etag)["ETag"]

    def unlink_if(self, etag: str) -> None:
        """Delete the object only if it is still the version ``etag`` names."""
        self._conditional(_s3().delete_object, IfMatch=etag)

    def read_tagged(self) -> tuple[bytes, str]:
        """The object's bytes and its ETag."""
        try:
            found = _s3().get_object(Bucket=self.bucket, Key=self.key)
        except _s3().exceptions.NoSuchKey as exc:
            raise FileNotFoundError(str(self)) from exc
        return found["Body"].read(), found["ETag"]

    def _conditional(self, call, **arguments) -> dict:
        from botocore.exceptions import ClientError

        try:
            return call(Bucket=self.bucket, Key=self.key, **arguments)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code")
            if code in ("PreconditionFailed", "ConditionalRequestConflict", "NoSuchKey", "404"):
                raise PreconditionFailed(f"{self}: {code}") from exc
            raise

    def unlink(self, missing_ok: bool = False) -> None:
        _s3().delete_object(Bucket=self.bucket, Key=self.key)  # deleting a missing key is no error

    def stat(self) -> S3Stat:
        from botocore.exceptions import ClientError

        try:
            head = _s3().head_object(Bucket=self.bucket, Key=self.key)
        except ClientError as exc:
            raise FileNotFoundError(str(self)) from exc
        return S3Stat(head["ContentLength"], int(head["LastModified"].timestamp() * 1_000_000_000))

    def exists(self) -> bool:
        try:
            self.stat()
        except FileNotFoundError:
            return self.is_dir()
        return True

    def is_file(self) -> bool:
        try:
            self.stat()
        except FileNotFoundError:
            return False
        return True

    def is_dir(self) -> bool:
        """A prefix with at least one object under it (object storage has no empty folders)."""
        listed = _s3().list_objects_v2(Bucket=self.bucket, Prefix=self.key + "/" if self.key else "", MaxKeys=1)
        return listed.get("KeyCount", 0) > 0

    def walk_files(self) -> Iterator[tuple[S3Path, S3Stat]]:
        """Every object under this prefix, with its size and time, in key order."""
        prefix = self.key + "/" if self.key else ""
        pages = _s3().get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix)
        try:
            listed = [item for page in pages for item in page.get("Contents", [])]
        except _s3().exceptions.NoSuchBucket as exc:
            raise FileNotFoundError(f"no such bucket: {self}") from exc
        for item in listed:
            if item["Key"].endswith("/"):
                continue  # a "folder" marker some tools write
            stat = S3Stat(item["Size"], int(item["LastModified"].timestamp() * 1_000_000_000))
            yield S3Path(self.bucket, item["Key"]), stat


Location = LocalPath | S3Path


def location(value: str | os.PathLike | S3Path) -> Location:
    """``s3://…`` as an S3Path, anything else as a LocalPath: the one place the kind is chosen."""
    if isinstance(value, S3Path | LocalPath):
        return value
    text = os.fspath(value)
    return S3Path.parse(text) if text.startswith(SCHEME) else LocalPath(text)


@functools.cache
def _s3():
    import boto3

    return boto3.client("s3")  # reads AWS_* from the environment, AWS_ENDPOINT_URL included


def arrow_filesystem(where: Location):
    """pyarrow's file system for a location and the path it takes there."""
    return location(where).arrow_filesystem()


@functools.cache
def _arrow_s3(bucket: str):
    import pyarrow.fs as pafs

    # from_uri, not S3FileSystem(): it reads AWS_ENDPOINT_URL too, and finds the bucket's region.
    filesystem, _ = pafs.FileSystem.from_uri(f"s3://{bucket}")
    return filesystem


def delta_storage_options(where: Location) -> dict[str, str] | None:
    """delta-rs options for a table at ``where`` (None for a local folder)."""
    return location(where).delta_options()


def mirror_folder(local: Path, remote: S3Path, changed_since_ns: int = 0) -> int:
    """Make ``remote`` hold what ``local`` holds: upload the files modified since
    ``changed_since_ns`` (or missing there), delete the objects with no local file. Returns the
    files uploaded. Each object is replaced whole, so a reader sees an old page or a new one."""
    there = {path.relative_to(remote).as_posix(): path for path, _ in remote.walk_files()}
    uploaded = 0
    for path in sorted(local.rglob("*")):
        if not path.is_file() or path.name.endswith(".tmp"):
            continue
        name = path.relative_to(local).as_posix()
        if there.pop(name, None) is None or path.stat().st_mtime_ns >= changed_since_ns:
            (remote / name).write_bytes(path.read_bytes())
            uploaded += 1
    for stale in there.values():
        stale.unlink()
    return uploaded
