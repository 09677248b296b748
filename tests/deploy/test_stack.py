"""How a failed stack is reported. On AWS a resource that fails shows up as CREATE_FAILED in the
stack's events, followed by the cancellations it causes and the rollback. moto cannot produce
such a stack (it fails the request itself, see test_apply.py), so these tests replay the
answers AWS gives for one, in the shapes of DescribeStacks and DescribeStackEvents."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from learnburn.deploy import DeployError
from learnburn.deploy._apply import _stack_failed
from learnburn.deploy._stack import StackEvent, failures, wait_for_stack

STACK = "learnburn-loans-sagemaker"


def event(number: int, logical: str, kind: str, status: str, reason: str = "") -> dict:
    return {
        "EventId": f"event-{number}",
        "StackName": STACK,
        "LogicalResourceId": logical,
        "ResourceType": kind,
        "ResourceStatus": status,
        "ResourceStatusReason": reason,
        "Timestamp": datetime(2026, 11, 26, 12, 0, number, tzinfo=UTC),
    }


REFUSED = "The instance type ml.m5.large is not available for this account (Service: SageMaker)"
TIMELINE = [  # (the stack's status, the events so far, newest first as AWS lists them)
    ("CREATE_IN_PROGRESS", [event(1, STACK, "AWS::CloudFormation::Stack", "CREATE_IN_PROGRESS")]),
    (
        "ROLLBACK_IN_PROGRESS",
        [
            event(5, STACK, "AWS::CloudFormation::Stack", "ROLLBACK_IN_PROGRESS", "failed"),
            event(4, "Endpoint", "AWS::SageMaker::Endpoint", "CREATE_FAILED",
                  "Resource creation cancelled"),
            event(3, "EndpointConfig", "AWS::SageMaker::EndpointConfig", "CREATE_FAILED", REFUSED),
            event(2, "Model", "AWS::SageMaker::Model", "CREATE_COMPLETE"),
        ],
    ),
    ("ROLLBACK_COMPLETE", [event(6, STACK, "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE")]),
]  # fmt: skip


class Replay:
    """DescribeStacks and DescribeStackEvents as AWS answers them while a creation fails."""

    def __init__(self) -> None:
        self.step = -1
        self.events: list[dict] = []

    def describe_stacks(self, StackName: str) -> dict:
        if self.step < len(TIMELINE) - 1:
            self.step += 1
            self.events = [*TIMELINE[self.step][1], *self.events]
        status = TIMELINE[self.step][0]
        return {"Stacks": [{"StackName": STACK, "StackId": "id", "StackStatus": status}]}

    def describe_stack_events(self, StackName: str) -> dict:
        return {"StackEvents": list(self.events)}


def test_waiting_reports_each_event_once_in_order_until_the_stack_settles():
    seen_events: list[StackEvent] = []
    stack, events = wait_for_stack(Replay(), STACK, set(), progress=seen_events.append,
                                   poll_seconds=0)  # fmt: skip
    assert stack["StackStatus"] == "ROLLBACK_COMPLETE"
    assert [(e.logical_id, e.status) for e in seen_events] == [
        (STACK, "CREATE_IN_PROGRESS"),
        ("Model", "CREATE_COMPLETE"),
        ("EndpointConfig", "CREATE_FAILED"),
        ("Endpoint", "CREATE_FAILED"),
        (STACK, "ROLLBACK_IN_PROGRESS"),
        (STACK, "ROLLBACK_COMPLETE"),
    ]
    assert [e.status for e in events] == [e.status for e in seen_events]


def test_the_failed_resource_comes_before_the_cancellations_it_caused():
    _, events = wait_for_stack(Replay(), STACK, set(), poll_seconds=0)
    first, second = failures(events)
    assert (first.logical_id, first.reason) == ("EndpointConfig", REFUSED)
    assert second.logical_id == "Endpoint" and "cancelled" in second.reason


def test_the_error_names_the_failed_resource_its_reason_and_how_to_clean_up():
    stack, events = wait_for_stack(Replay(), STACK, set(), poll_seconds=0)
    error = _stack_failed(STACK, stack, events)
    assert isinstance(error, DeployError)
    assert error.message.startswith(f"the stack {STACK} failed (ROLLBACK_COMPLETE): ")
    assert f"EndpointConfig (AWS::SageMaker::EndpointConfig) CREATE_FAILED: {REFUSED}" in (
        error.message
    )
    assert f"learnburn deploy delete {STACK}" in error.hint


def test_events_seen_before_are_not_reported_again():
    replay = Replay()
    wait_for_stack(replay, STACK, set(), poll_seconds=0)
    seen = {e["EventId"] for e in replay.events}
    _, again = wait_for_stack(replay, STACK, seen, poll_seconds=0)
    assert again == []


def test_a_stack_that_outlasts_the_timeout_is_an_error_saying_it_carries_on():
    class Stuck(Replay):
        def describe_stacks(self, StackName):
            super().describe_stacks(StackName)
            return {"Stacks": [{"StackName": STACK, "StackId": "id",
                                "StackStatus": "CREATE_IN_PROGRESS"}]}  # fmt: skip

    with pytest.raises(DeployError, match="still CREATE_IN_PROGRESS"):
        wait_for_stack(Stuck(), STACK, set(), poll_seconds=0, timeout_s=0)
