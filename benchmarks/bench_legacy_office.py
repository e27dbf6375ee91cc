"""Seconds to convert a Word 97-2003 .doc report with LibreOffice, per file, three ways:

- ``convert_legacy_office`` as the pipeline calls it: one soffice per file, a fresh profile each;
- one soffice per file, reusing one profile (what a per-worker profile would save);
- one soffice for a batch of files (what converting a worker's batch at once would save).

    python benchmarks/bench_legacy_office.py [files]

The .doc files are synthetic 2019/2021-format reports, written by LibreOffice from their DOCX.
Figures only (medians), no assertion: shared machines are noisy. On the 2-core machine (load
about 2), 62 KB reports: 1.45 s a file as the pipeline converts (reading the DOCX adds almost
nothing), 1.15 s with a reused profile, 0.29 s a file when one soffice converts all 10; peak RSS of
one conversion about 215 MB.
"""

from __future__ import annotations

import io
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import docx

from benchmarks.synthetic.post2019 import make_post2019_report, to_docx
from flows.parsing.legacy_office import convert_legacy_office, soffice_path
from transforms.documents import read_document_bytes


def _soffice(profile: Path, target: str, outdir: Path, *files: Path) -> None:
    command = [soffice_path(), f"-env:UserInstallation={profile.as_uri()}", "--headless", "--norestore"]
    command += ["--nologo", "--nolockcheck", "--convert-to", target, "--outdir", str(outdir), *map(str, files)]
    subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, check=True)


def _docx(seed: int) -> bytes:
    document = docx.Document(io.BytesIO(to_docx(make_post2019_report(random.Random(seed), seed))))
    document.add_paragraph("")  # as Word ends every document
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def main(count: int = 10) -> None:
    if soffice_path() is None:
        sys.exit("LibreOffice is not installed (apt-get install libreoffice-writer-nogui)")
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-office-") as work:
        folder = Path(work)
        sources = []
        for seed in range(count):
            source = folder / f"report{seed}.docx"
            source.write_bytes(_docx(seed))
            sources.append(source)
        _soffice(folder / "profile", "doc", folder / "doc", *sources)
        docs = sorted((folder / "doc").glob("*.doc"))
        size = statistics.median(path.stat().st_size for path in docs)

        fresh, read = [], []
        for path in docs:
            data = path.read_bytes()
            started = time.perf_counter()
            convert_legacy_office(data, "doc", "docx")
            fresh.append(time.perf_counter() - started)
            started = time.perf_counter()
            read_document_bytes(data, convert=convert_legacy_office)
            read.append(time.perf_counter() - started)

        reused = []
        for path in docs:
            started = time.perf_counter()
            _soffice(folder / "profile", "docx", folder / "one", path)
            reused.append(time.perf_counter() - started)

        started = time.perf_counter()
        _soffice(folder / "profile", "docx", folder / "batch", *docs)
        batch = (time.perf_counter() - started) / len(docs)

    print(f"{len(docs)} .doc reports, {size / 1024:.0f} KB median")
    print(f"convert_legacy_office (fresh profile)   median {statistics.median(fresh):5.2f} s/file")
    print(f"  and read (read_document_bytes)        median {statistics.median(read):5.2f} s/file")
    print(f"one soffice per file, reused profile    median {statistics.median(reused):5.2f} s/file")
    print(f"one soffice for all {len(docs)} files             {batch:5.2f} s/file")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10)
