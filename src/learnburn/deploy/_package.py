"""``learnburn package``: a Docker build folder whose one image serves a bundle on SageMaker
(bring your own container) and on ECS/Fargate, unchanged.

The folder is the build context; ``.dockerignore`` sends Docker nothing else:

- ``Dockerfile``: ``python:X.Y-slim`` (this interpreter's version), a non-root user, the pinned
  libraries, learnburn on ``PYTHONPATH``, the bundle at ``/opt/ml/model``, port 8080, a
  ``HEALTHCHECK`` on ``/ping``, and the exec-form entrypoint with ``CMD ["serve"]``;
- ``requirements.txt``: ``SERVER_LIBRARIES``, LightGBM or XGBoost only when the model holds their
  types, and everything those require, each pinned to the version installed here
  (``_package_requirements``);
- ``entrypoint.sh``: ``serve`` finds the bundle the SageMaker or the ECS way, then ``exec``s
  ``python -m learnburn serve`` (``_package_templates.ENTRYPOINT`` says how);
- ``app/learnburn/``: learnburn's own source (it is not on PyPI), without bytecode;
- ``model/``: the bundle's verified files, as SageMaker lays out ``/opt/ml/model``;
- ``README.md``: build, run, push to ECR, deploy on SageMaker and ECS.

This module writes the folder; the files' text comes from ``_package_templates``. The bundle is
loaded before anything is written; the folder is built beside the output and moved into place
only once complete, and the copied bundle is loaded again from there.
"""

from __future__ import annotations

import importlib.metadata
import os
import re
import shlex
import shutil
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from learnburn._atomic import install, staged
from learnburn.bundles import Bundle, copy_without_reference_sample, load_bundle
from learnburn.deploy._package_requirements import (
    SERVER_LIBRARIES,
    installed_libraries,
    model_libraries,
    pinned_requirements,
    python_version,
    requirements_text,
)
from learnburn.deploy._package_templates import (
    DOCKERIGNORE,
    ENTRYPOINT,
    HEALTH_PATH,
    PORT,
    dockerfile,
    readme,
)
from learnburn.errors import BundleError, LearnburnError

README = "README.md"  # for people: written, but not sent to Docker
OWNED = ("Dockerfile", "requirements.txt", "entrypoint.sh", ".dockerignore", README, "app", "model")


@dataclass(frozen=True)
class PackageSummary:
    """What ``package_bundle`` wrote, and how to build and run the image."""

    output: Path
    bundle: Path
    image: str  # a suggested image name
    python: str  # the base image's Python, "major.minor"
    files: tuple[tuple[str, int], ...]  # (path in the folder, bytes) of every file written
    context_bytes: int  # what `docker build` sends: every file but README.md
    bundle_bytes: int
    requirements: tuple[str, ...]  # the lines of requirements.txt
    model_libraries: tuple[str, ...]  # the boosting libraries the model needs ("lightgbm"...)
    training_rows: int = 0  # training rows the image carries verbatim (reference.parquet)
    port: int = PORT
    health_path: str = HEALTH_PATH

    @property
    def build_command(self) -> str:
        return f"docker build -t {self.image} {shlex.quote(str(self.output))}"

    @property
    def run_command(self) -> str:
        return f"docker run --rm -p {self.port}:{self.port} {self.image}"


def package_bundle(
    bundle_path: str | Path,
    out_dir: str | Path,
    *,
    force: bool = False,
    trusted: Sequence[str] = (),
    without_reference_rows: bool = False,
    s3_capture: bool = False,
) -> PackageSummary:
    """Write the Docker build folder ``out_dir`` that serves the bundle at ``bundle_path``.

    The bundle is loaded first (``trusted`` as in ``load_bundle``; the image serves it with the
    same types trusted). A non-empty ``out_dir`` is refused unless ``force``; then only the
    files this function writes are replaced there, and ``.dockerignore`` keeps anything else
    out of the build.

    A bundle written by a run carries training rows verbatim (``reference.parquet``, for the
    multivariate drift check); ``PackageSummary.training_rows`` says how many go into the
    image. ``without_reference_rows=True`` leaves them out (the copy's manifest is rewritten;
    a signed bundle is refused, as its signature would no longer hold).

    ``s3_capture=True`` adds boto3 to the image, so that ``LEARNBURN_CAPTURE`` may name an
    ``s3://`` prefix (data capture uploaded to S3 with the task's or endpoint's role).
    """
    source = Path(bundle_path)
    out = Path(out_dir).resolve()  # "." has a name and a parent to build beside
    bundle = load_bundle(source, trusted=trusted)
    _check_output(out, force)
    libraries = model_libraries(bundle.model)
    capture = _s3_capture_libraries() if s3_capture else ()
    requirements = pinned_requirements(
        (*installed_libraries(SERVER_LIBRARIES), *libraries, *capture)
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    try:
        with staged(out.parent, f".{out.name}.", directory=True) as staging:
            image = image_name(source)
            strip = without_reference_rows and bundle.reference_sample_bytes is not None
            copy = _copy_stripped if strip else _copy_bundle
            bundle_bytes = copy(source, bundle, staging / "model")
            model = _served_path(staging / "model")
            served = load_bundle(model, trusted=trusted)  # the copy loads
            _vendor_learnburn(staging / "app" / "learnburn")
            _write(staging / "requirements.txt", requirements_text(requirements))
            _write(staging / "entrypoint.sh", ENTRYPOINT, mode=0o755)
            _write(staging / ".dockerignore", DOCKERIGNORE)
            _write(staging / "Dockerfile", dockerfile(source.resolve().name, trusted))
            text = readme(bundle, source.resolve().name, image, libraries, trusted)
            _write(staging / README, text)
            files = _listing(staging)
            _install(staging, out)
    except OSError as exc:
        raise BundleError(
            f"cannot write the build folder '{out}': {exc}",
            hint="check that the folder is writable and the disk has room",
        ) from exc
    return PackageSummary(
        output=Path(out_dir),
        bundle=source,
        image=image,
        python=python_version(),
        files=files,
        context_bytes=sum(size for name, size in files if name != README),
        bundle_bytes=bundle_bytes,
        requirements=requirements,
        model_libraries=libraries,
        training_rows=_rows(served),
    )


def _s3_capture_libraries() -> tuple[str, ...]:
    """boto3, which an ``s3://`` capture uploads with, once it is known to be installed here
    (its version is pinned from this environment)."""
    try:
        importlib.metadata.distribution("boto3")
    except importlib.metadata.PackageNotFoundError:
        raise LearnburnError(
            "an image that captures to s3:// needs boto3, which is not installed here, so its "
            "version cannot be pinned in requirements.txt",
            hint="pip install 'learnburn[aws]', then package again",
        ) from None
    return ("boto3",)


def image_name(bundle_path: Path) -> str:
    """A Docker image name for the bundle: ``learnburn-`` and its name, in lowercase."""
    stem = bundle_path.resolve().name.removesuffix(".lbm").lower()
    name = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")
    return f"learnburn-{name or 'model'}"


# -- writing the folder -------------------------------------------------------------------------


def _check_output(out: Path, force: bool) -> None:
    if out.exists() and not out.is_dir():
        raise BundleError(
            f"the output '{out}' exists and is not a folder",
            hint="give a folder for the build files (-o build/)",
        )
    entries = sorted(entry.name for entry in out.iterdir()) if out.is_dir() else []
    if entries and not force:
        shown = ", ".join(entries[:5]) + (", ..." if len(entries) > 5 else "")
        raise BundleError(
            f"the output folder '{out}' is not empty (it holds {shown})",
            hint="choose an empty or new folder, or pass --force to replace the files "
            f"`learnburn package` writes there ({', '.join(OWNED)})",
        )


def _copy_bundle(source: Path, bundle: Bundle, target: Path) -> int:
    """Copy the bundle's files into ``target`` as SageMaker lays out model data: a bundle
    folder's files at the top, or the one bundle file, named NAME.lbm; their bytes."""
    target.mkdir(mode=0o755)
    if source.is_file():
        name = source.name if source.name.endswith(".lbm") else f"{source.name}.lbm"
        copies = {source: target / name}
    else:
        names = list(bundle.file_names)
        copies = {source / name: target / name for name in names}
    for origin, copy in copies.items():
        shutil.copyfile(origin, copy)
        copy.chmod(0o644)  # the image's non-root user reads it
    return sum(copy.stat().st_size for copy in copies.values())


def _copy_stripped(source: Path, bundle: Bundle, target: Path) -> int:
    """``_copy_bundle`` without the training rows (``reference.parquet``)."""
    if source.is_file():
        target.mkdir(mode=0o755)
        name = source.name if source.name.endswith(".lbm") else f"{source.name}.lbm"
        copy_without_reference_sample(source, target / name)
    else:
        copy_without_reference_sample(source, target)
        target.chmod(0o755)
    copies = [path for path in target.iterdir() if path.is_file()]
    for copy in copies:
        copy.chmod(0o644)  # the image's non-root user reads it
    return sum(copy.stat().st_size for copy in copies)


def _rows(bundle: Bundle) -> int:
    sample = bundle.reference_sample
    return 0 if sample is None else len(sample)


def _served_path(model_dir: Path) -> Path:
    """What the entrypoint serves from ``model_dir``: the directory, or its one .lbm file."""
    if (model_dir / "manifest.json").exists():
        return model_dir
    return next(model_dir.glob("*.lbm"))


def _vendor_learnburn(target: Path) -> None:
    """Copy learnburn's source (the imported package's folder, no bytecode) to ``target``. Data
    files stay out: the server needs none (the price table is for ``learnburn cost``)."""
    source = Path(sys.modules["learnburn"].__path__[0])
    ignore = shutil.ignore_patterns("__pycache__", "*.py[co]", "*.csv")
    shutil.copytree(source, target, ignore=ignore)
    for folder, _, names in os.walk(target):
        Path(folder).chmod(0o755)
        for name in names:
            (Path(folder) / name).chmod(0o644)


def _write(path: Path, text: str, *, mode: int = 0o644) -> None:
    path.write_text(text, encoding="utf-8", newline="\n")
    path.chmod(mode)


def _listing(folder: Path) -> tuple[tuple[str, int], ...]:
    files = (path for path in folder.rglob("*") if path.is_file())
    return tuple(
        sorted((path.relative_to(folder).as_posix(), path.stat().st_size) for path in files)
    )


def _install(staging: Path, out: Path) -> None:
    """Move the finished folder into place; in an existing folder, replace only ``OWNED``."""
    if not out.exists():
        install(staging, out)
        return
    for entry in sorted(staging.iterdir()):
        install(entry, out / entry.name)
