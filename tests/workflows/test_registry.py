"""The registry from Python: the names learnburn exports, on a real SQLite store."""

from __future__ import annotations

import pytest

import learnburn
from learnburn.errors import RunStoreError


def _run_with_bundle(store, content: bytes) -> str:
    run_id = store.start_run(
        experiment="loans", spec_text="", spec_hash="0" * 64, seed=0, provenance={},
        environment={},
    )  # fmt: skip
    store.finish_run(run_id, None)
    sha, size = store.artifacts.put_bytes(content)
    store.add_artifact(run_id, "bundle.lbm", sha, size, "bundle")
    return run_id


def test_promote_resolve_and_rollback_from_python(tmp_path):
    """learnburn.promote_run / resolve_model / rollback_model do what the commands do."""
    with learnburn.open_store(tmp_path / "store.db") as store:
        first, second = (_run_with_bundle(store, c) for c in (b"one", b"two"))
        learnburn.promote_run(store, "loans", first, reason="first", actor="ana")
        moved = learnburn.promote_run(store, "loans", second[:8], actor="ana")
        assert (moved.from_version, moved.to_version, moved.actor) == (1, 2, "ana")
        assert learnburn.resolve_model(store, "models:/loans@production").run_id == second
        assert learnburn.resolve_model(store, "models:/loans/1").run_id == first
        learnburn.rollback_model(store, "loans", reason="too slow")
        assert learnburn.resolve_model(store, "loans@production").run_id == first
        detail = store.registry.get_model("loans")
        assert [h.action for h in detail.history] == ["promote", "promote", "rollback"]


@pytest.mark.parametrize("text", ["models:/loans", "models:/loans@", "models:/a/b/c", "@prod"])
def test_a_malformed_reference_says_how_to_write_one(tmp_path, text):
    """A reference that is neither NAME@ALIAS nor NAME/VERSION is refused with the forms."""
    with (
        learnburn.open_store(tmp_path / "store.db") as store,
        pytest.raises(RunStoreError, match="is not a model reference") as info,
    ):
        learnburn.resolve_model(store, text)
    assert "models:/NAME@ALIAS" in info.value.hint


def test_a_run_without_a_bundle_cannot_be_promoted(tmp_path):
    """A failed run has no bundle: promoting it is refused, naming the run."""
    with learnburn.open_store(tmp_path / "store.db") as store:
        run_id = store.start_run(
            experiment="loans", spec_text="", spec_hash="0" * 64, seed=0, provenance={},
            environment={},
        )  # fmt: skip
        store.fail_run(run_id, status="failed", error="boom")
        with pytest.raises(learnburn.errors.BundleError, match="has no bundle to promote"):
            learnburn.promote_run(store, "loans", run_id)
