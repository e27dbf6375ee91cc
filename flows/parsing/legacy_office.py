"""Convert a Word 97-2003 or WPS file to DOCX (or a WPS .et to XLSX) with LibreOffice, headless.

:func:`convert_legacy_office` is the converter :func:`transforms.documents.read_document_bytes`
takes (``convert=``). Each call runs one ``soffice --headless --convert-to`` in a private temporary
folder that holds the input, the output and a fresh LibreOffice profile, and is removed afterwards:

- no macros: the profile sets macro security to "very high" with macro execution disabled, VBA
  code neither loaded nor made executable, and links never updated. (LibreOffice keeps every one
  of these settings, so its schema knows them; a document whose macro runs on opening could not be
  made to run it under ``--convert-to`` even with a permissive profile, so no test shows the
  settings stopping one.)
- a time limit: the whole process group (the ``soffice`` script, ``oosplash`` and
  ``soffice.bin``) is killed when it is over;
- a memory limit (address space, ``RLIMIT_AS``; a conversion needs about 0.5 GiB of it), no
  standard input, and a SIGKILL to the ``soffice`` process when the worker that started it dies
  (``soffice.bin``, its grandchild, is not reached by that: it ends with its conversion).

A fresh profile costs about 0.4 s of the ~1.5 s a conversion takes; it keeps concurrent calls from
sharing LibreOffice's profile lock and leaves nothing behind. LibreOffice needs no particular font
to write DOCX/XLSX (OpenSymbol, which its packages depend on, is enough), so no CJK font is needed.

Every failure raises :class:`~transforms.legacy_office.ConversionError` whose message is the
quarantine reason: LibreOffice missing (with how to install it), the time limit, or what
LibreOffice said when it wrote no file.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from transforms.legacy_office import DOCX, XLSX, ConversionError, describe

_PR_SET_PDEATHSIG = 1  # Linux prctl option
_PRCTL = ctypes.CDLL(None, use_errno=True).prctl if sys.platform == "linux" else None

DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_BYTES = 2 * 1024**3  # address space; a conversion runs in 0.5 GiB
_PACKAGES = {DOCX: "libreoffice-writer-nogui", XLSX: "libreoffice-calc-nogui"}
_SAVE_AS = {DOCX: ".docx or PDF", XLSX: ".xlsx"}

# Settings of the private profile (names and values as LibreOffice 7.4's officecfg schema has them).
_PROFILE_SETTINGS = [
    ("org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "3"),  # very high
    ("org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "true"),
    ("org.openoffice.Office.Writer/Filter/Import/VBA", "Load", "false"),
    ("org.openoffice.Office.Writer/Filter/Import/VBA", "Executable", "false"),
    ("org.openoffice.Office.Calc/Filter/Import/VBA", "Load", "false"),
    ("org.openoffice.Office.Calc/Filter/Import/VBA", "Executable", "false"),
    ("org.openoffice.Office.Writer/Content/Update", "Link", "0"),  # never
    ("org.openoffice.Office.Calc/Content/Update", "Link", "1"),  # never (Calc counts differently)
]


@dataclass(frozen=True)
class LibreOffice:
    """The converter a run gives its parse workers (``ReadOptions.convert``): picklable, and equal
    when its settings are (a pool started early is reused only for the same options)."""

    soffice: str | None = None  # None: the one on PATH
    timeout_s: float = DEFAULT_TIMEOUT_S

    def __call__(self, data: bytes, kind: str, target: str) -> bytes:
        return convert_legacy_office(data, kind, target, self.timeout_s, soffice=self.soffice)


def soffice_path() -> str | None:
    """LibreOffice's ``soffice`` on PATH, or None when it is not installed."""
    return shutil.which("soffice")


def convert_legacy_office(
    data: bytes,
    kind: str,
    target: str,
    timeout_s: float = DEFAULT_TIMEOUT_S,
    *,
    soffice: str | None = None,
    memory_bytes: int = DEFAULT_MEMORY_BYTES,
    temp_root: str | None = None,
) -> bytes:
    """``data`` (a .doc, .wps or .et: ``kind``) converted to ``target`` ("docx" or "xlsx") by
    LibreOffice; raises ConversionError. ``soffice`` defaults to the one on PATH."""
    if target not in _PACKAGES:
        raise ValueError(f"cannot convert to {target!r}")
    program = soffice or soffice_path()
    if program is None or not Path(program).exists():
        raise ConversionError(
            f"{describe(kind)}: needs LibreOffice to read (apt-get install {_PACKAGES[target]}), "
            f"or save as {_SAVE_AS[target]}"
        )
    # Named by the process, as a run's temporary folders are: a later run reclaims it if the worker
    # is killed mid-conversion (flows.parsing.pool.reclaim_temporary_folders).
    with tempfile.TemporaryDirectory(prefix=f"xxgk-soffice-{os.getpid()}-", dir=temp_root) as work:
        folder = Path(work)
        source = folder / "in" / f"document.{kind}"  # LibreOffice tells the type from the content
        source.parent.mkdir()
        source.write_bytes(data)
        profile = folder / "profile"
        _write_profile(profile)
        output = folder / "out"
        command = [
            program,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--invisible",
            "--norestore",
            "--nologo",
            "--nolockcheck",
            "--nodefault",
            "--convert-to",
            target,
            "--outdir",
            str(output),
            str(source),
        ]
        said = _run(command, folder, timeout_s, memory_bytes, kind)
        result = output / f"document.{target}"
        if not result.is_file():  # soffice exits 0 even when it could not load or store the file
            raise ConversionError(f"{describe(kind)}: LibreOffice could not convert it ({said})")
        return result.read_bytes()


def _run(command: list[str], folder: Path, timeout_s: float, memory_bytes: int, kind: str) -> str:
    """Run soffice in its own process group; what it said (its last line, or its exit status)."""
    env = {**os.environ, "HOME": str(folder), "TMPDIR": str(folder)}  # nothing written outside
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=folder,
        env=env,
        start_new_session=True,
        preexec_fn=functools.partial(_limit_child, os.getpid(), memory_bytes),
    )
    try:
        out, _ = process.communicate(timeout=timeout_s)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise ConversionError(
            f"{describe(kind)}: LibreOffice did not finish converting it within {timeout_s:g} s"
        ) from None
    except BaseException:
        _kill_group(process)
        raise
    _kill_group(process)  # anything it left running (it should leave nothing)
    lines = [line.strip() for line in out.decode("utf-8", "replace").splitlines() if line.strip()]
    lines = [line for line in lines if "javaldx" not in line]  # a harmless warning on every start
    if process.returncode:
        return f"exit status {process.returncode}" + (f": {lines[-1]}" if lines else "")
    return lines[-1] if lines else "no output"


def _limit_child(parent: int, memory_bytes: int) -> None:
    """In the child before exec: bounded address space, and a SIGKILL when the worker dies. Calls
    nothing that takes a lock another thread of the worker may have held at the fork (no dlopen:
    prctl was looked up on import)."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = memory_bytes if hard == resource.RLIM_INFINITY else min(memory_bytes, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent:  # the worker died before the signal was arranged
            os._exit(1)


def _kill_group(process: subprocess.Popen) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # the group is already gone
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _write_profile(profile: Path) -> None:
    user = profile / "user"
    user.mkdir(parents=True)
    items = "\n".join(
        f'<item oor:path="/{path}"><prop oor:name="{name}" oor:op="fuse"><value>{value}</value></prop></item>'
        for path, name, value in _PROFILE_SETTINGS
    )
    (user / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f"{items}\n</oor:items>\n",
        encoding="utf-8",
    )
