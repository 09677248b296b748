"""`learnburn deploy` on the command line, without AWS: the files it writes, what --dry-run
prints, usage errors, and that writing templates needs no AWS library. Applying, status and
delete against an AWS API emulator are tested in tests/deploy/test_apply.py."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from learnburn.bundles import save_bundle
from learnburn.candidates import build_pipeline
from learnburn.cli._app import app
from learnburn.costs import Traffic, estimate_cost
from learnburn.data import infer_schema
from learnburn.errors import CostWarning

runner = CliRunner(env={"COLUMNS": "200"})
IMAGE = "123456789012.dkr.ecr.us-east-1.amazonaws.com/learnburn-loans:1"
PROFILE = Path(__file__).parents[1] / "profiling" / "fixtures" / "profile.json"


@pytest.fixture(scope="module")
def bundle(tmp_path_factory, mixed_features_maker, mixed_target_maker) -> Path:
    features = mixed_features_maker(80)
    schema = infer_schema(features)
    model = build_pipeline("logistic_regression", {}, schema, seed=0)
    model.fit(features, mixed_target_maker(features))
    path = tmp_path_factory.mktemp("bundle") / "loans.lbm"
    return save_bundle(model, path, schema=schema.to_dict(), classes=["no", "yes"], meta={})


def deploy(*args: str, **kwargs):
    return runner.invoke(app, ["deploy", *args], **kwargs)


def test_deploy_bundle_writes_the_template_parameters_and_archive(bundle, tmp_path):
    """`learnburn deploy BUNDLE` runs `create`: three files named after the stack."""
    out = tmp_path / "deploy"
    result = deploy(str(bundle), "--target", "sagemaker", "--image", IMAGE, "-o", str(out))
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "learnburn-loans-sagemaker.model.tar.gz",
        "learnburn-loans-sagemaker.parameters.json",
        "learnburn-loans-sagemaker.template.json",
    ]
    template = json.loads((out / names[2]).read_text())
    assert template["Resources"]["Endpoint"]["Type"] == "AWS::SageMaker::Endpoint"
    assert "Still needed to deploy: ModelBucket" in result.output
    assert "aws cloudformation create-stack --stack-name learnburn-loans-sagemaker" in (
        result.output
    )


def test_create_can_be_named(bundle, tmp_path):
    result = deploy("create", str(bundle), "-t", "ecs-fargate", "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert (tmp_path / "learnburn-loans-ecs-fargate.template.json").exists()
    assert not list(tmp_path.glob("*.tar.gz"))  # the ECS image carries the bundle


def test_dry_run_prints_the_plan_and_writes_nothing(bundle, tmp_path):
    out = tmp_path / "deploy"
    result = deploy(str(bundle), "-t", "sagemaker", "--image", IMAGE, "-o", str(out),
                    "--apply", "--dry-run", "--stack-name", "loans-prod")  # fmt: skip
    assert result.exit_code == 0, result.output
    assert not out.exists()
    for expected in (
        "nothing is written, nothing is sent to AWS",
        str(out / "loans-prod.template.json"),
        "Would upload the model archive",
        "Would create the stack loans-prod",
        "CAPABILITY_IAM",
        "EndpointConfig AWS::SageMaker::EndpointConfig",
        f"ImageUri = {IMAGE}",
        "Applying would fail: no value for ModelBucket",
    ):
        assert expected in result.output


def test_cost_report_sizes_the_template(bundle, tmp_path):
    """--cost: the Fargate task size the report recommends becomes the parameters' defaults."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", CostWarning)  # old fixture prices: not tested here
        report = estimate_cost(
            json.loads(PROFILE.read_text()), Traffic(rps=20), today=date(2026, 11, 26)
        )
    cost = tmp_path / "cost.json"
    cost.write_text(json.dumps(report.to_dict()))
    result = deploy(str(bundle), "-t", "ecs-fargate", "--cost", str(cost), "-o", str(tmp_path))
    assert result.exit_code == 0, result.output
    template = json.loads((tmp_path / "learnburn-loans-ecs-fargate.template.json").read_text())
    fargate = next(o for o in report.cheapest_per_target() if o.target == "fargate")
    vcpus = float(fargate.configuration.split()[0])
    assert template["Parameters"]["Cpu"]["Default"] == str(int(vcpus * 1024))
    assert "(cost: " in result.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-t", "sagemaker", "--cpu", "1024"], "--cpu does not apply to --target sagemaker"),
        (["-t", "ecs-fargate", "--bucket", "b"], "--bucket does not apply"),
        (["-t", "sagemaker-serverless", "--instance-type", "ml.m5.large"], "--instance-type"),
        (["-t", "sagemaker", "--parameter", "nokey"], "expected KEY=VALUE"),
        (["-t", "gke"], "gke"),
        (["-t", "ecs-fargate", "--capture", "s3://b/p"], "--capture does not apply"),
        (["-t", "sagemaker", "--lb-subnet", "subnet-1"], "--lb-subnet does not apply"),
    ],
)
def test_options_that_do_not_fit_are_usage_errors(bundle, tmp_path, args, message):
    result = deploy(str(bundle), *args, "-o", str(tmp_path))
    assert result.exit_code == 2
    assert message in result.stderr
    assert not list(tmp_path.iterdir())


def test_an_unknown_template_parameter_is_an_error(bundle, tmp_path):
    result = deploy(str(bundle), "-t", "sagemaker", "--parameter", "Colour=blue",
                    "-o", str(tmp_path))  # fmt: skip
    assert result.exit_code == 1
    assert "the template has no parameter Colour" in result.stderr


def test_a_size_fargate_refuses_is_an_error_with_the_sizes_it_takes(bundle, tmp_path):
    result = deploy(str(bundle), "-t", "ecs-fargate", "--cpu", "1024", "--memory-mb", "3000",
                    "-o", str(tmp_path))  # fmt: skip
    assert result.exit_code == 1
    assert "Fargate does not accept 3000 MiB" in result.stderr
    assert "2048 to 8192" in result.stderr


def test_delete_asks_first_and_stops_on_no(tmp_path):
    result = deploy("delete", "learnburn-loans-sagemaker", input="n\n")
    assert result.exit_code == 1
    assert "Delete the stack learnburn-loans-sagemaker" in result.output


def test_group_help_names_the_commands():
    result = deploy("--help")
    assert result.exit_code == 0
    for command in ("create", "status", "delete"):
        assert command in result.output


def test_writing_templates_does_not_import_boto3(bundle, tmp_path):
    """boto3 is needed only to apply, describe or delete."""
    code = (
        "import sys; from typer.testing import CliRunner; from learnburn.cli._app import app; "
        f"r = CliRunner().invoke(app, ['deploy', {str(bundle)!r}, '-t', 'sagemaker', "
        f"'-o', {str(tmp_path)!r}]); "
        "print(r.exit_code, 'boto3' in sys.modules, 'botocore' in sys.modules)"
    )
    answer = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert answer.stdout.split() == ["0", "False", "False"], answer.stderr


def test_an_instance_type_aws_does_not_have_is_refused(bundle, tmp_path):
    result = deploy(str(bundle), "-t", "sagemaker", "--instance-type", "ml.p9.mega",
                    "-o", str(tmp_path))  # fmt: skip
    assert result.exit_code == 1
    assert "'ml.p9.mega' is not a SageMaker instance type" in result.stderr
    assert "'p9' is not a SageMaker instance family AWS documents" in result.stderr
    assert not list(tmp_path.iterdir())


def test_no_ha_writes_one_instance_and_capture_writes_data_capture(bundle, tmp_path):
    result = deploy(str(bundle), "-t", "sagemaker", "--image", IMAGE, "--no-ha",
                    "--capture", "s3://learnburn-capture/loans", "-o", str(tmp_path))  # fmt: skip
    assert result.exit_code == 0, result.output
    template = json.loads((tmp_path / "learnburn-loans-sagemaker.template.json").read_text())
    assert template["Parameters"]["InstanceCount"]["Default"] == 1
    assert "DataCaptureConfig" in template["Resources"]["EndpointConfig"]["Properties"]
    parameters = json.loads((tmp_path / "learnburn-loans-sagemaker.parameters.json").read_text())
    assert {"ParameterKey": "CaptureS3Uri", "ParameterValue": "s3://learnburn-capture/loans"} in (
        parameters
    )
