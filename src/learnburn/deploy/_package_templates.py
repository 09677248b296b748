"""The text of the files ``learnburn package`` writes beside the bundle: the ``Dockerfile``, the
``.dockerignore``, the container's ``entrypoint.sh`` (which finds the bundle the SageMaker or
the ECS way and ``exec``s the server) and the ``README.md`` that says how to build, push and
deploy the image. Each is a template filled in by plain replacement; nothing here writes."""

from __future__ import annotations

import json
from collections.abc import Sequence

from learnburn._version import __version__
from learnburn.bundles import Bundle
from learnburn.deploy._package_requirements import python_version

PORT = 8080
HEALTH_PATH = "/ping"
WORKDIR = "/srv/learnburn"  # the server's working folder in the image: empty, read-only


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
        .replace("@PYTHON@", python_version())
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
        "@PYTHON@": python_version(),
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
# comma-separated) become --trust flags. $LEARNBURN_CAPTURE (a writable folder, e.g. a mounted
# volume, or an s3://BUCKET/PREFIX/ in an image packaged with --with-s3-capture) and
# $LEARNBURN_CAPTURE_RATE turn on data capture, read by the server itself (as
# `learnburn serve --capture DIR --capture-rate R`). `exec` puts the server in this process, so the
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
