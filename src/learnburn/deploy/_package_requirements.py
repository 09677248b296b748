"""What the image needs: the libraries ``learnburn serve`` imports (``SERVER_LIBRARIES``), the
boosting libraries a model holds (``model_libraries``), and each of them with everything it
requires, pinned to the version installed here (``pinned_requirements``), as
``requirements.txt`` lists them (``requirements_text``)."""

from __future__ import annotations

import functools
import importlib.metadata
import re
import sys
import types
from collections.abc import Iterable, Sequence

from learnburn.errors import LearnburnError

_MAX_OBJECTS = 200_000  # a bound on the walk through a model's objects

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


def installed_libraries(names: Iterable[str]) -> list[str]:
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


def python_version() -> str:
    """This interpreter's version, "major.minor": the image's Python, which the pins hold for."""
    return f"{sys.version_info.major}.{sys.version_info.minor}"


def requirements_text(requirements: Sequence[str]) -> str:
    """``requirements.txt``: a header, then one pinned requirement a line."""
    head = (
        "# Written by `learnburn package`: the libraries `learnburn serve` needs, pinned to the\n"
        f"# versions the bundle was checked with (Python {python_version()}).\n"
    )
    return head + "".join(f"{line}\n" for line in requirements)
