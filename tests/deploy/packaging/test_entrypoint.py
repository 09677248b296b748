"""The generated entrypoint.sh: where it finds the bundle, how many workers it starts, and
what it runs; with a stand-in `python` that prints the arguments it was given."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from learnburn.bundles import unpack_bundle

NPROC = 8  # what the stand-in nproc says


@pytest.fixture
def fake_bin(tmp_path) -> Path:
    """A folder with a `python` that prints its arguments, one per line, and an `nproc`."""
    folder = tmp_path / "bin"
    folder.mkdir()
    (folder / "python").write_text('#!/bin/sh\nprintf "%s\\n" "$@"\n')
    (folder / "nproc").write_text(f"#!/bin/sh\necho {NPROC}\n")
    for name in ("python", "nproc"):
        (folder / name).chmod(0o755)
    return folder


@pytest.fixture
def run(packaged, fake_bin, tmp_path):
    """``run(*args, shell="sh", **env)``: the entrypoint's exit code, stdout lines and stderr.
    The cgroup quota file defaults to one that does not exist."""

    def run_entrypoint(*args: str, shell: str = "sh", **env: str):
        environ = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("LEARNBURN_", "SAGEMAKER_"))
        }
        environ["PATH"] = f"{fake_bin}{os.pathsep}{environ.get('PATH', '')}"
        environ["LEARNBURN_CPU_MAX_FILE"] = str(tmp_path / "no-cpu.max")
        environ.update(env)
        done = subprocess.run(
            [shell, str(packaged.output / "entrypoint.sh"), *args],
            env=environ,
            capture_output=True,
            text=True,
            timeout=30,
        )
        return done.returncode, done.stdout.splitlines(), done.stderr

    return run_entrypoint


@pytest.fixture
def model_dir(tmp_path, bundles) -> Path:
    """A SageMaker model directory holding the unpacked bundle."""
    return unpack_bundle(bundles["logistic"], tmp_path / "opt-ml-model")


def serve_args(model: Path | str, host: str = "0.0.0.0", port: str = "8080") -> list[str]:
    return ["-m", "learnburn", "serve", str(model), "--host", host, "--port", port]


def test_serve_runs_the_unpacked_bundle_on_all_interfaces_port_8080(run, model_dir):
    """SageMaker's `serve`: python -m learnburn serve DIR on 0.0.0.0:8080, a worker per CPU."""
    code, args, _ = run("serve", LEARNBURN_MODEL_DIR=str(model_dir))
    assert code == 0
    assert args == [*serve_args(model_dir), "--workers", str(NPROC)]


def test_no_argument_means_serve(run, model_dir):
    """`docker run IMAGE` with the CMD overridden by nothing still serves."""
    code, args, _ = run(LEARNBURN_MODEL_DIR=str(model_dir))
    assert code == 0 and args[:4] == ["-m", "learnburn", "serve", str(model_dir)]


def test_serve_finds_the_one_lbm_file_in_the_model_dir(run, bundles, tmp_path):
    """A model directory holding exactly one NAME.lbm serves that file."""
    folder = tmp_path / "model"
    folder.mkdir()
    shutil.copy(bundles["logistic"], folder / "churn.lbm")
    code, args, _ = run("serve", LEARNBURN_MODEL_DIR=str(folder))
    assert code == 0 and args[3] == str(folder / "churn.lbm")


def test_the_port_host_and_workers_come_from_the_environment(run, model_dir):
    """SAGEMAKER_BIND_TO_PORT, LEARNBURN_HOST and LEARNBURN_WORKERS are honoured."""
    env = {"SAGEMAKER_BIND_TO_PORT": "9001", "LEARNBURN_HOST": "127.0.0.1"}
    code, args, _ = run("serve", LEARNBURN_MODEL_DIR=str(model_dir), LEARNBURN_WORKERS="3", **env)
    assert code == 0
    assert args == [*serve_args(model_dir, host="127.0.0.1", port="9001"), "--workers", "3"]


def test_sagemaker_model_server_workers_sets_the_workers(run, model_dir):
    """SageMaker's SAGEMAKER_MODEL_SERVER_WORKERS is honoured when LEARNBURN_WORKERS is unset."""
    env = {"LEARNBURN_MODEL_DIR": str(model_dir), "SAGEMAKER_MODEL_SERVER_WORKERS": "5"}
    code, args, _ = run("serve", **env)
    assert code == 0 and args[-2:] == ["--workers", "5"]


def test_learnburn_workers_wins_over_sagemaker_model_server_workers(run, model_dir):
    env = {"LEARNBURN_WORKERS": "2", "SAGEMAKER_MODEL_SERVER_WORKERS": "5"}
    code, args, _ = run("serve", LEARNBURN_MODEL_DIR=str(model_dir), **env)
    assert code == 0 and args[-2:] == ["--workers", "2"]


def test_a_bad_sagemaker_worker_count_exits_2_naming_it(run, model_dir):
    env = {"LEARNBURN_MODEL_DIR": str(model_dir), "SAGEMAKER_MODEL_SERVER_WORKERS": "many"}
    code, args, err = run("serve", **env)
    assert code == 2 and args == []
    assert "SAGEMAKER_MODEL_SERVER_WORKERS is 'many'" in err and "hint:" in err


@pytest.mark.parametrize(
    ("cpu_max", "workers"),
    [("150000 100000", 2), ("50000 100000", 1), ("max 100000", NPROC), ("3200000 100000", NPROC)],
)
def test_workers_follow_the_cgroup_v2_cpu_quota(run, model_dir, tmp_path, cpu_max, workers):
    """cpu.max "QUOTA PERIOD" caps the workers at ceil(QUOTA/PERIOD); "max" or a quota above
    the CPUs leaves nproc."""
    limits = tmp_path / "cpu.max"
    limits.write_text(f"{cpu_max}\n")
    env = {"LEARNBURN_MODEL_DIR": str(model_dir), "LEARNBURN_CPU_MAX_FILE": str(limits)}
    code, args, _ = run("serve", **env)
    assert code == 0 and args[-2:] == ["--workers", str(workers)]


@pytest.mark.parametrize("workers", ["0", "two", "-1"])
def test_a_bad_worker_count_exits_2_naming_it(run, model_dir, workers):
    """LEARNBURN_WORKERS must be a whole number >= 1."""
    code, args, err = run("serve", LEARNBURN_MODEL_DIR=str(model_dir), LEARNBURN_WORKERS=workers)
    assert code == 2 and args == []
    assert f"LEARNBURN_WORKERS is '{workers}'" in err and "hint:" in err


def test_learnburn_bundle_wins_over_the_model_dir(run, bundles, tmp_path):
    """ECS: LEARNBURN_BUNDLE names the bundle; the (empty) model directory is not looked at."""
    empty = tmp_path / "empty"
    empty.mkdir()
    env = {"LEARNBURN_BUNDLE": str(bundles["logistic"]), "LEARNBURN_MODEL_DIR": str(empty)}
    code, args, _ = run("serve", **env)
    assert code == 0 and args[3] == str(bundles["logistic"])


def test_a_missing_learnburn_bundle_exits_2(run, tmp_path):
    """LEARNBURN_BUNDLE naming nothing: exit 2, naming the variable and the path."""
    code, _, err = run("serve", LEARNBURN_BUNDLE=str(tmp_path / "gone.lbm"))
    assert code == 2
    assert "LEARNBURN_BUNDLE" in err and "gone.lbm" in err and "does not exist" in err


def test_an_empty_model_dir_exits_2_with_a_message(run, tmp_path):
    """No manifest.json and no .lbm: exit 2, saying what was expected and how to pack it."""
    empty = tmp_path / "model"
    empty.mkdir()
    code, args, err = run("serve", LEARNBURN_MODEL_DIR=str(empty))
    assert code == 2 and args == []
    assert f"no bundle in the model directory '{empty}'" in err
    assert "manifest.json" in err and "tar -czf model.tar.gz" in err


def test_two_lbm_files_exit_2_as_ambiguous(run, bundles, tmp_path):
    """Two bundle files: which to serve is ambiguous; exit 2 naming the count."""
    folder = tmp_path / "model"
    folder.mkdir()
    for name in ("a.lbm", "b.lbm"):
        shutil.copy(bundles["logistic"], folder / name)
    code, _, err = run("serve", LEARNBURN_MODEL_DIR=str(folder))
    assert code == 2 and "holds 2 .lbm files" in err


def test_a_missing_model_dir_exits_2(run, tmp_path):
    """The default /opt/ml/model or LEARNBURN_MODEL_DIR absent: exit 2 naming it."""
    code, _, err = run("serve", LEARNBURN_MODEL_DIR=str(tmp_path / "absent"))
    assert code == 2 and "does not exist" in err and "absent" in err


def test_trusted_types_become_trust_flags(run, model_dir):
    """LEARNBURN_TRUST "a.B,c.D" is passed on as --trust a.B --trust c.D."""
    code, args, _ = run("serve", LEARNBURN_MODEL_DIR=str(model_dir), LEARNBURN_TRUST="a.B,c.D")
    assert code == 0 and args[-4:] == ["--trust", "a.B", "--trust", "c.D"]


def test_flags_after_serve_are_passed_to_the_server(run, model_dir):
    """`serve --timeout 30` keeps its flags, after the entrypoint's own."""
    code, args, _ = run("serve", "--timeout", "30", LEARNBURN_MODEL_DIR=str(model_dir))
    assert code == 0 and args[-2:] == ["--timeout", "30"]


def test_any_other_command_runs_as_given(run):
    """A first argument other than serve is executed with its arguments."""
    code, lines, _ = run("printf", "%s|", "a b", "c")
    assert code == 0 and lines == ["a b|c|"]


@pytest.mark.parametrize("shell", ["dash", "bash"])
def test_the_entrypoint_is_posix_shell(run, model_dir, shell):
    """The same command line under dash (Debian's sh) and bash in POSIX mode."""
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    env = {"LEARNBURN_MODEL_DIR": str(model_dir), "POSIXLY_CORRECT": "1"}
    code, args, err = run("serve", shell=shell, **env)
    assert code == 0, err
    assert args == [*serve_args(model_dir), "--workers", str(NPROC)]


def test_the_image_python_finds_the_vendored_learnburn(packaged):
    """With PYTHONPATH=app, as in the image, `python -m learnburn` is the vendored copy."""
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("LEARNBURN_")},
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(packaged.output / "app"),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    script = "import learnburn.__main__ as m; print(m.__file__)"
    entrypoint = str(packaged.output / "entrypoint.sh")
    done = subprocess.run(
        ["sh", entrypoint, "python", "-c", script], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    assert Path(done.stdout.strip()) == packaged.output / "app" / "learnburn" / "__main__.py"
    done = subprocess.run(
        ["sh", entrypoint, "python", "-m", "learnburn", "--version"],
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0 and done.stdout.startswith("learnburn "), done.stderr
