"""Settings: defaults, validation, and the environment workers read them from."""

from __future__ import annotations

import pytest

from learnburn.errors import LearnburnError
from learnburn.serving import Settings
from learnburn.serving._settings import worker_env


def test_defaults_follow_sagemaker():
    """Loopback, 6 MB bodies arriving within 10 s, a 60 s deadline, 64 requests at once, 25 s
    to drain."""
    settings = Settings()
    assert settings.host == "127.0.0.1" and settings.loopback
    assert settings.max_body_bytes == 6 * 1024 * 1024
    assert settings.body_timeout_s == 10
    assert (settings.timeout_s, settings.max_concurrency, settings.grace_s) == (60, 64, 25)
    assert settings.grace_s < 30  # SageMaker and ECS send SIGKILL 30 s after SIGTERM


def test_from_env_reads_the_limits():
    """LEARNBURN_TIMEOUT, LEARNBURN_BODY_TIMEOUT and LEARNBURN_MAX_CONCURRENCY set the limits;
    unset keeps defaults."""
    env = {
        "LEARNBURN_TIMEOUT": "2.5",
        "LEARNBURN_BODY_TIMEOUT": "0.5",
        "LEARNBURN_MAX_CONCURRENCY": "4",
    }
    settings = Settings.from_env(env)
    assert (settings.timeout_s, settings.body_timeout_s, settings.max_concurrency) == (2.5, 0.5, 4)
    assert (Settings.from_env({}).timeout_s, Settings.from_env({}).body_timeout_s) == (60, 10)


def test_worker_env_round_trips_through_from_env():
    """What the CLI writes for its workers is what each worker reads back."""
    sent = Settings(timeout_s=1.25, body_timeout_s=0.75, max_concurrency=3)
    env = worker_env("/b.lbm", ["a.B"], sent)
    got = Settings.from_env(env)
    assert (got.bundle, got.trust, got.timeout_s, got.body_timeout_s, got.max_concurrency) == (
        "/b.lbm",
        ("a.B",),
        1.25,
        0.75,
        3,
    )


@pytest.mark.parametrize(
    ("env", "words"),
    [
        ({"LEARNBURN_TIMEOUT": "soon"}, "LEARNBURN_TIMEOUT='soon' is not a number"),
        ({"LEARNBURN_MAX_CONCURRENCY": "2.5"}, "is not a whole number"),
        ({"LEARNBURN_TIMEOUT": "0"}, "timeout_s must be a positive number"),
        ({"LEARNBURN_BODY_TIMEOUT": "-1"}, "body_timeout_s must be a positive number"),
        ({"LEARNBURN_MAX_CONCURRENCY": "-3"}, "max_concurrency must be a whole number"),
    ],
)
def test_bad_values_in_the_env_are_errors_with_a_hint(env, words):
    """A limit that is not a positive number is an error naming the variable or setting."""
    with pytest.raises(LearnburnError, match=words) as caught:
        Settings.from_env(env)
    assert caught.value.hint


@pytest.mark.parametrize(
    "fields",
    [
        {"timeout_s": float("nan")},
        {"grace_s": -1},
        {"body_timeout_s": 0},
        {"max_concurrency": True},
        {"max_body_bytes": 0},
    ],
)
def test_settings_refuse_limits_that_are_not_positive(fields):
    """Settings check their limits when made, whoever makes them."""
    with pytest.raises(LearnburnError):
        Settings(**fields)
