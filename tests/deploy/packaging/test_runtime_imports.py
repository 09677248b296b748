"""requirements.txt covers what the server really imports: the command line, the bundle
loader, the app answering a request and uvicorn's protocol classes, run in a fresh
interpreter from the vendored copy of learnburn, as in the image."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

from learnburn.deploy import package_bundle

# Imported by libraries only when present (inside try/except), so not required:
OPTIONAL_IMPORTS = {
    "pytest",  # sklearn.utils._testing tries it when skops lists scikit-learn's estimators
    "iniconfig",  # ... and pytest's own imports
    "pluggy",
    "charset-normalizer",  # numpy.f2py tries it
    "setuptools",  # _distutils_hack, from a .pth file at interpreter start
    "psutil",  # joblib's loky tries it
    # skops lists scikit-learn's estimators by importing every module of scikit-learn, which
    # loads the array-API namespaces of torch and dask when they are installed (the dev extras
    # install both; the served image does not), with what they import in turn
    "torch", "jinja2", "markupsafe", "tqdm",  # tqdm: torch.hub, when optuna installed it
    "dask", "importlib-metadata", "zipp", "lazy-importer", "pyyaml", "tblib", "toolz",
}  # fmt: skip

SCRIPT = """
import asyncio, importlib.metadata, json, sys
from learnburn.cli import app, _serve
from learnburn.bundles import load_bundle
from learnburn.serving import Settings, create_app
from uvicorn.config import Config

web = create_app(load_bundle(sys.argv[1]), Settings())
Config(web, host="127.0.0.1", port=0).load()  # imports the HTTP protocol and the event loop

async def invoke(body):
    scope = {"type": "http", "method": "POST", "path": "/invocations", "query_string": b"",
             "headers": [(b"content-type", b"text/csv"), (b"accept", b"text/csv")],
             "http_version": "1.1", "scheme": "http", "root_path": "",
             "server": ("127.0.0.1", 8080), "client": ("127.0.0.1", 1)}
    messages = [{"type": "http.request", "body": body, "more_body": False}]
    sent = []
    async def receive():
        return messages.pop(0) if messages else {"type": "http.disconnect"}
    async def send(message):
        sent.append(message)
    await web(scope, receive, send)
    return sent[0]["status"]

status = asyncio.run(invoke(sys.argv[2].encode()))
roots = {name.partition(".")[0] for name in list(sys.modules)} - set(sys.stdlib_module_names)
owners = importlib.metadata.packages_distributions()
print(json.dumps({"status": status, "distributions": sorted(
    {owner for root in roots for owner in owners.get(root, ())})}))
"""


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


@pytest.mark.parametrize("kind", ["logistic", "xgboost"])
def test_requirements_cover_every_library_the_server_imports(bundles, features, tmp_path, kind):
    """Every distribution imported while serving a request is pinned (or optional)."""
    summary = package_bundle(bundles[kind], tmp_path / "build")
    body = features.head(3).to_csv(index=False, header=False)
    env = {**os.environ, "PYTHONPATH": str(summary.output / "app"), "PYTHONDONTWRITEBYTECODE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(summary.output / "model" / f"{kind}.lbm"), body],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout.splitlines()[-1])
    assert report["status"] == 200
    imported = {canonical(name) for name in report["distributions"]} - {"learnburn"}
    pinned = {canonical(line.split("==")[0]) for line in summary.requirements}
    assert imported - pinned - OPTIONAL_IMPORTS == set()
    assert kind != "xgboost" or "xgboost" in imported  # the check saw the model's library
