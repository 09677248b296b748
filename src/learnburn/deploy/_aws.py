"""Where boto3 enters: clients from the standard credential chain, and AWS's errors translated
into ``DeployError`` naming the step that failed.

boto3 is imported here, inside the functions, so that writing templates needs no AWS library.
Credentials are never read, passed, printed or written by learnburn: boto3 finds them
(environment, shared config and credentials files, SSO, container or instance roles), and
``AWS_ENDPOINT_URL`` (which boto3 also reads) points every client at another endpoint, such as a
local emulator.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from learnburn.errors import DeployError

CHAIN = (
    "AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE with ~/.aws/credentials or SSO "
    "(aws sso login), or a container or instance role"
)


@dataclass(frozen=True)
class Aws:
    """The clients one command uses, all from one session, in one region."""

    region: str
    session: Any

    def client(self, name: str) -> Any:
        from botocore.config import Config

        # standard retries (3 attempts unless AWS_MAX_ATTEMPTS or the config file says more)
        config = Config(retries={"mode": "standard"})
        return self.session.client(name, region_name=self.region, config=config)


def connect(region: str | None = None) -> Aws:
    """A session from the standard chain, in ``region`` or the chain's default region."""
    try:
        import boto3
    except ImportError:
        raise DeployError(
            "applying a deployment needs boto3, which is not installed",
            hint="pip install 'learnburn[aws]'",
        ) from None
    session = boto3.session.Session(region_name=region) if region else boto3.session.Session()
    if not session.region_name:
        raise DeployError(
            "no AWS region is set",
            hint="pass --region, or set AWS_REGION (or a region in ~/.aws/config)",
        )
    return Aws(session.region_name, session)


def aws_error(step: str, exc: Exception) -> DeployError:
    """``exc`` (from botocore) as a DeployError saying which step failed and why."""
    from botocore.exceptions import (
        ClientError,
        EndpointConnectionError,
        NoCredentialsError,
        NoRegionError,
    )

    if isinstance(exc, NoCredentialsError):
        return DeployError(
            f"{step} failed: no AWS credentials were found", hint=f"provide them by {CHAIN}"
        )
    if isinstance(exc, NoRegionError):
        return DeployError(f"{step} failed: no AWS region is set", hint="pass --region")
    if isinstance(exc, EndpointConnectionError):
        return DeployError(
            f"{step} failed: cannot reach AWS ({exc})",
            hint="check the network, the region and AWS_ENDPOINT_URL if it is set",
        )
    if isinstance(exc, ClientError):
        code, message = error_code(exc), exc.response.get("Error", {}).get("Message", "")
        return DeployError(f"{step} failed: {code}: {message}", hint=_hint(code))
    return DeployError(f"{step} failed: {type(exc).__name__}: {exc}", hint="")


def error_code(exc: Exception) -> str:
    response = getattr(exc, "response", None) or {}
    return str(response.get("Error", {}).get("Code", type(exc).__name__))


def is_missing_stack(exc: Exception) -> bool:
    """Whether ``exc`` is CloudFormation saying the stack does not exist."""
    message = str((getattr(exc, "response", None) or {}).get("Error", {}).get("Message", ""))
    return error_code(exc) == "ValidationError" and "does not exist" in message


def botocore_errors() -> tuple[type[Exception], ...]:
    """The exceptions boto3 raises: caught where a step runs, then given to ``aws_error``. An
    answer botocore cannot parse (an endpoint answering HTML, say) raises a parser error that
    is neither of botocore's two bases."""
    from botocore.exceptions import BotoCoreError, ClientError
    from botocore.parsers import ResponseParserError

    return (BotoCoreError, ClientError, ResponseParserError)


def transfer_errors() -> tuple[type[Exception], ...]:
    """The exceptions boto3's managed transfers (``upload_file``) raise besides botocore's."""
    from boto3.exceptions import Boto3Error

    return (Boto3Error,)


def _hint(code: str) -> str:
    if code in {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation"}:
        return "the credentials in use lack a permission this step needs; see the message"
    if code in {"NoSuchBucket", "404"}:
        return "create the bucket first, or give an existing one with --bucket"
    if code in {"ExpiredToken", "ExpiredTokenException", "InvalidClientTokenId"}:
        return f"refresh the credentials ({CHAIN})"
    if code == "InsufficientCapabilitiesException":
        return "the template creates an IAM role; pass --role-arn to use an existing one"
    return ""
