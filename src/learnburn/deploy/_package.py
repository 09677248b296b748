"""``learnburn package``: a Docker build folder whose one image serves a bundle on SageMaker
(bring your own container) and on ECS/Fargate, unchanged.

The folder is the build context; ``.dockerignore`` sends Docker nothing else:

- ``Dockerfile``: ``python:X.Y-slim`` (this interpreter's version), a non-root user, the pinned
  libraries, learnburn on ``PYTHONPATH``, the bundle at ``/opt/ml/model``, port 8080, a
  ``HEALTHCHECK`` on ``/ping``, and the exec-form entrypoint with ``CMD ["serve"]``;
- ``requirements.txt``: ``SERVER_LIBRARIES``, LightGBM or XGBoost only when the model holds their
  types, and everything those require, each pinned to the version installed here;
- ``entrypoint.sh``: ``serve`` finds the bundle the SageMaker or the ECS way, then ``exec``s
  ``python -m learnburn serve`` (``ENTRYPOINT`` below says how);
- ``app/learnburn/``: learnburn's own source (it is not on PyPI), without bytecode;
- ``model/``: the bundle's verified files, as SageMaker lays out ``/opt/ml/model``;
- ``README.md``: build, run, push to ECR, deploy on SageMaker and ECS.

The bundle is loaded before anything is written; the folder is built beside the output and
moved into place only once complete, and the copied bundle is loaded again from there.
"""

from __future__ import annotations

import functools
import importlib.metadata
import json
import os
import re
import shlex
import shutil
import sys
import tempfile
import types
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from learnburn._version import __version__
from learnburn.bundles import Bundle, copy_without_reference_sample, load_bundle
from learnburn.errors import BundleError, LearnburnError

PORT = 8080
HEALTH_PATH = "/ping"
WORKDIR = "/srv/learnburn"  # the server's working folder in the image: empty, read-only
README = "README.md"  # for people: written, but not sent to Docker
OWNED = ("Dockerfile", "requirements.txt", "entrypoint.sh", ".dockerignore", README, "app", "model")
_MAX_OBJECTS = 200_000  # a bound on the walk through a model's objects


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
    """
    source = Path(bundle_path)
    out = Path(out_dir).resolve()  # "." has a name and a parent to build beside
    bundle = load_bundle(source, trusted=trusted)
    _check_output(out, force)
    libraries = model_libraries(bundle.model)
    requirements = pinned_requirements((*_installed(SERVER_LIBRARIES), *libraries))
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".partial", dir=out.parent))
    try:
        staging.chmod(0o755)
        image = image_name(source)
        strip = without_reference_rows and bundle.reference_sample_bytes is not None
        copy = _copy_stripped if strip else _copy_bundle
        bundle_bytes = copy(source, bundle, staging / "model")
        served = load_bundle(_served_path(staging / "model"), trusted=trusted)  # the copy loads
        _vendor_learnburn(staging / "app" / "learnburn")
        _write(staging / "requirements.txt", _requirements_text(requirements))
        _write(staging / "entrypoint.sh", ENTRYPOINT, mode=0o755)
        _write(staging / ".dockerignore", DOCKERIGNORE)
        _write(staging / "Dockerfile", dockerfile(source.resolve().name, trusted))
        _write(staging / README, readme(bundle, source.resolve().name, image, libraries, trusted))
        files = _listing(staging)
        _install(staging, out)
    except OSError as exc:
        raise BundleError(
            f"cannot write the build folder '{out}': {exc}",
            hint="check that the folder is writable and the disk has room",
        ) from exc
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    return PackageSummary(
        output=Path(out_dir),
        bundle=source,
        image=image,
        python=_python(),
        files=files,
        context_bytes=sum(size for name, size in files if name != README),
        bundle_bytes=bundle_bytes,
        requirements=requirements,
        model_libraries=libraries,
        training_rows=_rows(served),
    )


def image_name(bundle_path: Path) -> str:
    """A Docker image name for the bundle: ``learnburn-`` and its name, in lowercase."""
    stem = bundle_path.resolve().name.removesuffix(".lbm").lower()
    name = re.sub(r"[^a-z0-9]+", "-", stem).strip("-")
    return f"learnburn-{name or 'model'}"


# -- what the image needs -----------------------------------------------------------------------

# What `python -m learnburn serve` imports: the command line (Typer, Rich, and the run store and
# spec modules every command group pulls in), the bundle loader, the HTTP app and the ONNX fast
# path and metrics when installed. tests/deploy/packaging checks this against a real server's
# modules.
SERVER_LIBRARIES = (
    "numpy",
    "pandas",
    "pyarrow",
    "scipy",
    "scikit-learn",
    "joblib",
    "threadpoolctl",
    "skops",
    "starlette",
    "uvicorn",
    "orjson",
    "typer",
    "click",
    "rich",
    "pydantic",
    "sqlalchemy",
    "tomli-w",
    "onnx",
    "onnxruntime",
    "prometheus-client",
    "treelite",
    "uvloop",
    "httptools",
    "cryptography",
)
# Installed with learnburn, but the server runs without them: the fast path's runtimes and
# metrics, uvicorn's faster event loop and HTTP parser (which it picks up when present), and
# the signature check (needed only with LEARNBURN_TRUSTED_KEYS or --require-signature).
OPTIONAL_LIBRARIES = frozenset(
    {"onnx", "onnxruntime", "prometheus-client", "treelite", "uvloop", "httptools", "cryptography"}
)
BOOSTING = {"lightgbm": "lightgbm", "xgboost": "xgboost"}  # top-level module -> distribution


def model_libraries(model: object) -> tuple[str, ...]:
    """The boosting libraries (``BOOSTING``) whose classes or functions the model holds."""
    found: set[str] = set()
    seen: set[int] = set()
    stack = [model]
    while stack and len(seen) < _MAX_OBJECTS:
        item = stack.pop()
        if id(item) in seen:
            continue
        seen.add(id(item))
        for module in _modules(item):
            library = BOOSTING.get(module.partition(".")[0])
            if library:
                found.add(library)
        stack.extend(_children(item))
    return tuple(sorted(found))


def pinned_requirements(libraries: Iterable[str]) -> tuple[str, ...]:
    """``name==version`` of each library and of everything it requires (extras aside), as
    installed here, sorted by name; a requirement that holds only under a marker keeps it."""
    versions: dict[str, str] = {}
    markers: dict[str, set[str]] = {}  # name -> the markers it was required under ("": always)
    stack = [(name, "") for name in libraries]
    while stack:
        name, marker = stack.pop()
        key = _canonical(name)
        markers.setdefault(key, set()).add(marker)
        if key in versions:
            continue
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            markers.pop(key)
            continue  # not installed here: only possible for a marker that is false here
        versions[key] = distribution.version
        stack.extend(_requirements_of(distribution))
    return tuple(f"{name}=={versions[name]}{_marker(markers[name])}" for name in sorted(versions))


def _installed(names: Iterable[str]) -> list[str]:
    """The names installed here; a missing library the server needs is an error."""
    present = []
    for name in names:
        try:
            importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError:
            if name not in OPTIONAL_LIBRARIES:
                raise LearnburnError(
                    f"the server needs the library '{name}', which is not installed here, so "
                    "its version cannot be pinned in requirements.txt",
                    hint="install learnburn with its dependencies (pip install -e .), then "
                    "package again",
                ) from None
        else:
            present.append(name)
    return present


def _requirements_of(distribution: importlib.metadata.Distribution) -> list[tuple[str, str]]:
    pairs = []
    for line in distribution.requires or ():
        spec, _, marker = line.partition(";")
        if re.search(r"\bextra\b", marker):
            continue
        match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
        if match:
            pairs.append((match.group(1), marker.strip()))
    return pairs


def _marker(found: set[str]) -> str:
    if "" in found:
        return ""
    parts = sorted(found)
    return " ; " + (parts[0] if len(parts) == 1 else " or ".join(f"({m})" for m in parts))


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _modules(item: object) -> list[str]:
    kind = item if isinstance(item, type) else type(item)
    names = [getattr(cls, "__module__", None) or "" for cls in kind.__mro__]
    own = getattr(item, "__module__", None)  # a function names the module it is defined in
    return [*names, own] if isinstance(own, str) else names


def _children(item: object) -> list[object]:
    if isinstance(item, dict):
        return [*item.keys(), *item.values()]
    if isinstance(item, list | tuple | set | frozenset):
        return list(item)
    if isinstance(item, functools.partial):
        return [item.func, *item.args, *item.keywords.values()]
    if isinstance(item, type | types.ModuleType | types.FunctionType | str | bytes):
        return []
    state = getattr(item, "__dict__", None)
    return list(state.values()) if isinstance(state, dict) else []


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
        staging.rename(out)
        return
    for entry in sorted(staging.iterdir()):
        target = out / entry.name
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        elif target.exists() or target.is_symlink():
            target.unlink()
        entry.rename(target)


def _python() -> str:
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def _requirements_text(requirements: Sequence[str]) -> str:
    head = (
        "# Written by `learnburn package`: the libraries `learnburn serve` needs, pinned to the\n"
        f"# versions the bundle was checked with (Python {_python()}).\n"
    )
    return head + "".join(f"{line}\n" for line in requirements)


# -- the files' text ----------------------------------------------------------------------------


def dockerfile(bundle_name: str, trusted: Sequence[str]) -> str:
    """The Dockerfile's text."""
    probe = (
        "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s"
        f"{HEALTH_PATH}' % os.environ.get('SAGEMAKER_BIND_TO_PORT', '{PORT}'), timeout=4)"
    )
    trust = f" \\\n    LEARNBURN_TRUST={','.join(trusted)}" if trusted else ""
    return (
        DOCKERFILE.replace("@VERSION@", __version__)
        .replace("@BUNDLE@", bundle_name)
        .replace("@PYTHON@", _python())
        .replace("@TRUST@", trust)
        .replace("@PROBE@", json.dumps(["python", "-c", probe]))
        .replace("@WORKDIR@", WORKDIR)
    )


def readme(
    bundle: Bundle, bundle_name: str, image: str, libraries: Sequence[str], trusted: Sequence[str]
) -> str:
    """The README's text."""
    columns = list(bundle.columns)
    shown = ", ".join(columns[:12]) + (
        f", ... ({len(columns)} in all)" if len(columns) > 12 else ""
    )
    extra = " and ".join(libraries) or "no boosting library"
    replacements = {
        "@IMAGE@": image,
        "@BUNDLE@": bundle_name,
        "@PYTHON@": _python(),
        "@COLUMNS@": shown,
        "@CLASSES@": ", ".join(str(label) for label in bundle.classes),
        "@LIBRARIES@": extra,
        "@TRUST@": ",".join(trusted) or "(none)",
    }
    text = README_TEXT
    for key, value in replacements.items():
        text = text.replace(key, value)
    return text


DOCKERFILE = """\
# syntax=docker/dockerfile:1
# Written by `learnburn package` (learnburn @VERSION@) for the bundle @BUNDLE@.
# One image for SageMaker (`docker run IMAGE serve`, model data in /opt/ml/model) and for
# ECS/Fargate (port 8080, health check GET /ping). README.md says how to build and deploy it.
FROM python:@PYTHON@-slim

LABEL com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true

ENV PYTHONDONTWRITEBYTECODE=1 \\
    PYTHONUNBUFFERED=1 \\
    PYTHONPATH=/app \\
    PIP_DISABLE_PIP_VERSION_CHECK=1 \\
    PIP_ROOT_USER_ACTION=ignore \\
    LEARNBURN_MODEL_DIR=/opt/ml/model@TRUST@

# The server runs as this user: it only reads its code and the model.
RUN groupadd --system --gid 10001 learnburn \\
    && useradd --system --uid 10001 --gid 10001 --no-create-home \\
       --shell /usr/sbin/nologin learnburn

# The server's working folder: empty, and not writable by it. A relative path anything
# resolves at run time (ONNX Runtime's external data, for one) finds nothing here, where in
# the default folder, /, it would find /etc and /proc.
RUN mkdir -p @WORKDIR@ && chmod 0555 @WORKDIR@
WORKDIR @WORKDIR@

COPY requirements.txt /tmp/requirements.txt
RUN pip install --no-cache-dir -r /tmp/requirements.txt && rm /tmp/requirements.txt

# learnburn is not on PyPI: its source is copied, and found on PYTHONPATH.
COPY app/ /app/
# The bundle. SageMaker mounts the model data of a model.tar.gz here, over this copy.
COPY model/ /opt/ml/model/
COPY entrypoint.sh /usr/local/bin/learnburn-entrypoint
RUN chmod 0755 /usr/local/bin/learnburn-entrypoint && python -m compileall -q /app

USER 10001:10001
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \\
    CMD @PROBE@
# Exec form: the entrypoint execs the server, so SIGTERM reaches it.
ENTRYPOINT ["/usr/local/bin/learnburn-entrypoint"]
CMD ["serve"]
"""

DOCKERIGNORE = """\
# Written by `learnburn package`: send Docker only what the Dockerfile copies.
*
!Dockerfile
!requirements.txt
!entrypoint.sh
!app
!model
**/__pycache__
**/*.py[co]
"""

ENTRYPOINT = """\
#!/bin/sh
# learnburn's container entrypoint, written by `learnburn package`.
#
#   serve [FLAG...]   (also with no argument) serve the bundle over HTTP; SageMaker runs this
#   COMMAND [ARG...]  run any other command as given (sh, python -c ...)
#
# The bundle: $LEARNBURN_BUNDLE (a NAME.lbm file or a bundle folder) when set, as on ECS; else
# the model directory ${LEARNBURN_MODEL_DIR:-/opt/ml/model}, where SageMaker unpacks
# model.tar.gz, holding an unpacked bundle (manifest.json) or exactly one NAME.lbm file.
# The server listens on ${LEARNBURN_HOST:-0.0.0.0}:${SAGEMAKER_BIND_TO_PORT:-8080} with
# $LEARNBURN_WORKERS worker processes, else $SAGEMAKER_MODEL_SERVER_WORKERS (SageMaker's
# variable), else the CPUs available to the container (from the cgroup v2 quota in
# /sys/fs/cgroup/cpu.max, else nproc). $LEARNBURN_TRUST (type names,
# comma-separated) become --trust flags. `exec` puts the server in this process, so the
# SIGTERM of `docker stop`, SageMaker and ECS reaches it directly.
set -eu

fail() {
    echo "learnburn-entrypoint: error: $1" >&2
    echo "learnburn-entrypoint: hint: $2" >&2
    exit 2
}

is_count() {
    case "$1" in '' | *[!0-9]*) return 1 ;; esac
}

available_cpus() {
    cpus=$(nproc 2>/dev/null || echo 1)
    quota='' period=''
    limits=${LEARNBURN_CPU_MAX_FILE:-/sys/fs/cgroup/cpu.max}
    if [ -r "$limits" ]; then
        read -r quota period < "$limits" || true
    fi
    # "max 100000" means no quota; "150000 100000" means 1.5 CPUs, so 2 workers
    if is_count "$quota" && is_count "$period" && [ "$period" -gt 0 ]; then
        allowed=$(( (quota + period - 1) / period ))
        [ "$allowed" -ge "$cpus" ] || cpus=$allowed
    fi
    is_count "$cpus" && [ "$cpus" -ge 1 ] || cpus=1
    echo "$cpus"
}

find_model() {
    if [ -n "${LEARNBURN_BUNDLE:-}" ]; then
        [ -e "$LEARNBURN_BUNDLE" ] || fail "LEARNBURN_BUNDLE is '$LEARNBURN_BUNDLE', which \\
does not exist in the container" "set it to a bundle file (NAME.lbm) or folder in the \\
container, or unset it to serve the bundle in ${LEARNBURN_MODEL_DIR:-/opt/ml/model}"
        model=$LEARNBURN_BUNDLE
        return
    fi
    dir=${LEARNBURN_MODEL_DIR:-/opt/ml/model}
    [ -d "$dir" ] || fail "the model directory '$dir' does not exist" \\
        "set LEARNBURN_MODEL_DIR to the folder that holds the bundle, or LEARNBURN_BUNDLE to it"
    if [ -e "$dir/manifest.json" ]; then
        [ -r "$dir/manifest.json" ] || fail "cannot read '$dir/manifest.json' as user \\
$(id -u)" "make the bundle's files readable by all (chmod -R a+rX) before packing them"
        model=$dir
        return
    fi
    count=0
    for file in "$dir"/*.lbm; do
        [ -f "$file" ] || continue
        count=$((count + 1))
        model=$file
    done
    [ "$count" -ne 1 ] || return 0
    [ "$count" -eq 0 ] || fail "the model directory '$dir' holds $count .lbm files, so \\
which bundle to serve is ambiguous" "leave one bundle there, or set LEARNBURN_BUNDLE to it"
    fail "no bundle in the model directory '$dir': it holds neither manifest.json (an \\
unpacked bundle) nor a NAME.lbm file" "for SageMaker, put the bundle's files at the top of \\
model.tar.gz (tar -czf model.tar.gz -C BUNDLE_FOLDER .) or a single NAME.lbm; elsewhere set \\
LEARNBURN_BUNDLE to the bundle"
}

if [ "$#" -gt 0 ] && [ "$1" != serve ]; then
    exec "$@"
fi
[ "$#" -eq 0 ] || shift

find_model
workers=${LEARNBURN_WORKERS:-} workers_from=LEARNBURN_WORKERS
if [ -z "$workers" ]; then
    workers=${SAGEMAKER_MODEL_SERVER_WORKERS:-} workers_from=SAGEMAKER_MODEL_SERVER_WORKERS
fi
if [ -z "$workers" ]; then
    workers=$(available_cpus)
elif ! is_count "$workers" || [ "$workers" -lt 1 ]; then
    fail "$workers_from is '$workers', not a whole number of at least 1" \\
        "set it to the number of server processes, or unset it for one per available CPU"
fi

set -- serve "$model" --host "${LEARNBURN_HOST:-0.0.0.0}" \\
    --port "${SAGEMAKER_BIND_TO_PORT:-8080}" --workers "$workers" "$@"
set -f
old_ifs=$IFS
IFS=,
for name in ${LEARNBURN_TRUST:-}; do
    [ -z "$name" ] || set -- "$@" --trust "$name"
done
IFS=$old_ifs
exec python -m learnburn "$@"
"""

README_TEXT = """\
# @IMAGE@

Written by `learnburn package` for the bundle `@BUNDLE@`. This folder is a Docker build
context for one image that runs unchanged on Amazon SageMaker (bring your own container) and
on ECS/Fargate. It answers on port 8080:

- `GET /ping`: 200 once the model is loaded (the health check of SageMaker, ECS and the ALB);
- `POST /invocations`: CSV (`text/csv`, one row per line, with or without a header row) or
  JSON (`{"instances": [{...}, ...]}`); the answer is CSV or JSON as `Accept` asks;
- `POST /v1/predict` (JSON) and `GET /v1/model` (what the model expects).

| file | what it is |
|---|---|
| `Dockerfile` | `python:@PYTHON@-slim`, runs as the non-root user 10001 |
| `requirements.txt` | the server's libraries, pinned to the versions the bundle was checked with |
| `entrypoint.sh` | `/usr/local/bin/learnburn-entrypoint`: `serve` (the default) or any command |
| `app/learnburn/` | learnburn's source (it is not on PyPI), on `PYTHONPATH` |
| `model/` | the bundle, baked into the image at `/opt/ml/model` |

## Build and run locally

```sh
docker build -t @IMAGE@ .     # in this folder; add --platform linux/amd64 on an ARM machine
docker run --rm -p 8080:8080 @IMAGE@
curl -i http://127.0.0.1:8080/ping
curl -s -H 'Content-Type: text/csv' -H 'Accept: text/csv' \\
     --data-binary @rows.csv http://127.0.0.1:8080/invocations
```

A CSV row holds the columns in this order (or any order under a header row naming them):
@COLUMNS@. Each answer line holds the probability of each class (@CLASSES@), then the
decision, one line per input line and in the same order.

| variable | default | meaning |
|---|---|---|
| `SAGEMAKER_BIND_TO_PORT` | 8080 | the port |
| `LEARNBURN_HOST` | 0.0.0.0 | the address to bind |
| `LEARNBURN_WORKERS` | the next, else the CPUs (cgroup quota, else nproc) | server processes |
| `SAGEMAKER_MODEL_SERVER_WORKERS` | unset | server processes (SageMaker's name for it) |
| `LEARNBURN_MODEL_DIR` | /opt/ml/model | the folder holding the bundle |
| `LEARNBURN_BUNDLE` | unset | a bundle file or folder to serve instead (wins over the folder) |
| `LEARNBURN_TRUST` | @TRUST@ | extra type names to load from the model, comma-separated |
| `LEARNBURN_TRUSTED_KEYS` | unset | public keys (`:`-separated); only bundles they signed |

## Push to Amazon ECR

```sh
REPO=ACCOUNT.dkr.ecr.REGION.amazonaws.com/@IMAGE@
aws ecr create-repository --repository-name @IMAGE@
aws ecr get-login-password --region REGION \\
    | docker login --username AWS --password-stdin "${REPO%%/*}"
docker tag @IMAGE@ "$REPO:latest" && docker push "$REPO:latest"
```

## SageMaker

SageMaker runs `docker run IMAGE serve`: the entrypoint serves the bundle found in
`/opt/ml/model` on port 8080 (or `SAGEMAKER_BIND_TO_PORT`), and stops cleanly on SIGTERM.

- A model created without `ModelDataUrl` serves the bundle baked into the image.
- To serve another bundle with the same image, give `ModelDataUrl` a `model.tar.gz` with the
  bundle at its top level; SageMaker unpacks it into `/opt/ml/model`, over the baked copy. The
  folder `model/` here has that layout: `tar -czf model.tar.gz -C model .` Either an unpacked
  bundle (`manifest.json` at the top) or exactly one `NAME.lbm` is served. This image holds
  the libraries for @LIBRARIES@: a bundle that needs LightGBM or XGBoost must be served by an
  image packaged from such a bundle.
- Batch transform: `SplitType=Line`, `ContentType=text/csv`, `AssembleWith=Line`; every input
  line gets its answer line, in order.
- SageMaker's documentation says it expects containers to run as root; this image runs as user
  10001, which needs only to read `/opt/ml/model` (the packed files are readable by all). If an
  endpoint reports permission errors, remove the `USER` line of the Dockerfile and rebuild.

## ECS and Fargate

In the task definition's container:

- `portMappings`: `containerPort` 8080 (with `awsvpc`, leave `hostPort` empty or 8080);
- `command`: `["serve"]`;
- `healthCheck` (ECS ignores the Dockerfile's HEALTHCHECK): `{"command": ["CMD", "python",
  "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8080/ping',
  timeout=4)"], "interval": 30, "timeout": 5, "retries": 3, "startPeriod": 60}`;
- `environment`: `LEARNBURN_WORKERS` set to the task's vCPUs (at least 1) when the container
  sees more CPUs than the task's size; `LEARNBURN_BUNDLE` only to serve a bundle other than the
  baked one (for example from a mounted EFS volume).

The load balancer's target group: target type `ip`, port 8080, health check path `/ping`,
success code 200. Give the service a `healthCheckGracePeriodSeconds` that covers loading the
model. Clients call `POST https://LOAD-BALANCER/invocations`.
"""
