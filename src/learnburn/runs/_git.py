"""Running the real ``git`` binary, and cleaning remote URLs before they are recorded.

Every call goes through :func:`run_git`: an argument list (never a shell string), a 30 s timeout,
no terminal prompts, English messages, and none of the variables that would point git at another
repository than the one in ``cwd`` (a test run from a git hook inherits ``GIT_DIR`` and
``GIT_INDEX_FILE``, for example).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from learnburn.errors import ProvenanceError

GIT_TIMEOUT_S = 30

# `git rev-parse --local-env-vars`: each one redirects git away from the repository in `cwd`.
_REPOSITORY_VARIABLES = frozenset(
    {
        "GIT_ALTERNATE_OBJECT_DIRECTORIES",
        "GIT_COMMON_DIR",
        "GIT_CONFIG",
        "GIT_CONFIG_COUNT",
        "GIT_CONFIG_PARAMETERS",
        "GIT_DIR",
        "GIT_GRAFT_FILE",
        "GIT_IMPLICIT_WORK_TREE",
        "GIT_INDEX_FILE",
        "GIT_INTERNAL_SUPER_PREFIX",
        "GIT_NO_REPLACE_OBJECTS",
        "GIT_OBJECT_DIRECTORY",
        "GIT_PREFIX",
        "GIT_REPLACE_REF_BASE",
        "GIT_SHALLOW_FILE",
        "GIT_WORK_TREE",
    }
)
_SSH_SCHEMES = frozenset({"ssh", "git+ssh", "ssh+git"})


def git_environment(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """The environment for a git child process: the caller's, made safe and predictable."""
    env = {k: v for k, v in os.environ.items() if k not in _REPOSITORY_VARIABLES}
    env.update(GIT_TERMINAL_PROMPT="0", GIT_OPTIONAL_LOCKS="0", LC_ALL="C", LANGUAGE="C")
    env.update(extra or {})
    return env


def run_git(
    args: Sequence[str | os.PathLike[str]],
    cwd: str | os.PathLike[str],
    *,
    env: Mapping[str, str] | None = None,
    stdin: bytes | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """Run ``git ARGS`` in ``cwd`` and return the result, whatever its exit status."""
    command = ["git", *(os.fspath(a) for a in args)]
    try:
        return subprocess.run(
            command,
            cwd=cwd,
            input=stdin,
            capture_output=True,
            check=False,
            timeout=GIT_TIMEOUT_S,
            env=git_environment(env),
        )
    except subprocess.TimeoutExpired as exc:
        raise ProvenanceError(
            f"'git {_shown(args)}' in {os.fspath(cwd)} did not finish in {GIT_TIMEOUT_S} s.",
            hint="Check that the repository is not on a stalled network drive or locked.",
        ) from exc
    except FileNotFoundError as exc:
        if exc.filename is not None and Path(os.fspath(exc.filename)) == Path(os.fspath(cwd)):
            raise ProvenanceError(
                f"The folder {os.fspath(cwd)} does not exist.",
                hint="Pass the repository's folder.",
            ) from exc
        raise ProvenanceError(
            "git is not installed or not on PATH.",
            hint="Install git, or put it on PATH, to record and reproduce provenance.",
        ) from exc
    except OSError as exc:
        raise ProvenanceError(
            f"Could not run 'git {_shown(args)}' in {os.fspath(cwd)}: {exc}",
            hint="Check that the folder exists and that git can be executed.",
        ) from exc


def git_output(args: Sequence[str | os.PathLike[str]], cwd: str | os.PathLike[str]) -> str:
    """Run git and return its stdout less the final newline; a failure is a ProvenanceError."""
    result = run_git(args, cwd)
    if result.returncode != 0:
        raise git_failure(args, cwd, result)
    return os.fsdecode(result.stdout).rstrip("\n")


def git_failure(
    args: Sequence[str | os.PathLike[str]],
    cwd: str | os.PathLike[str],
    result: subprocess.CompletedProcess[bytes],
    *,
    hint: str = "Run the same git command in that folder to see what is wrong.",
) -> ProvenanceError:
    """A ProvenanceError for a git command that failed, carrying git's own message."""
    message = stderr_text(result) or f"exit status {result.returncode}"
    return ProvenanceError(f"'git {_shown(args)}' failed in {os.fspath(cwd)}: {message}", hint=hint)


def stderr_text(result: subprocess.CompletedProcess[bytes]) -> str:
    """Git's error output as one tidy string."""
    return " ".join(os.fsdecode(result.stderr).split())


def _shown(args: Sequence[str | os.PathLike[str]]) -> str:
    return " ".join(os.fspath(a) for a in args)


def strip_credentials(url: str) -> str:
    """``url`` without passwords, tokens, query strings or fragments; never raises.

    HTTP(S) URLs lose their whole user part (it is often a token on its own); ssh URLs keep the
    user name but never a password. scp-like ``git@host:org/repo.git`` and local paths pass
    through unchanged.
    """
    if not isinstance(url, str):
        return ""
    text = url.strip()
    if "://" not in text:
        return _strip_scp_like(text)
    try:
        parts = urlsplit(text)
        hostport = parts.netloc.rpartition("@")[2]
    except ValueError:
        return _strip_by_pattern(text)
    user = ""
    if parts.scheme.lower() in _SSH_SCHEMES and "@" in parts.netloc:
        user = parts.netloc.rpartition("@")[0].partition(":")[0]
    netloc = f"{user}@{hostport}" if user else hostport
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def _strip_scp_like(text: str) -> str:
    """``user:secret@host:path`` -> ``user@host:path``; anything else unchanged but for ``?#``."""
    text = re.split(r"[?#]", text, maxsplit=1)[0]
    head, slash, rest = text.partition("/")
    userinfo, at, host = head.rpartition("@")
    if at and ":" in userinfo and ":" in host:
        return f"{userinfo.partition(':')[0]}@{host}{slash}{rest}"
    return text


def _strip_by_pattern(text: str) -> str:
    """Fallback for URLs urllib cannot parse: drop everything between ``://`` and the last ``@``."""
    scheme, _, rest = text.partition("://")
    rest = re.split(r"[?#]", rest, maxsplit=1)[0]
    authority, slash, path = rest.partition("/")
    return f"{scheme}://{authority.rpartition('@')[2]}{slash}{path}"
