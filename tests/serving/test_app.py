"""The HTTP app, in process: every endpoint, every bad input, content negotiation."""

from __future__ import annotations

import dataclasses
import logging
import time
import warnings

import numpy as np
import orjson
import pytest

from learnburn.bundles import load_bundle
from learnburn.bundles._bundle import Deferred
from learnburn.errors import BundleError
from learnburn.serving import Settings, create_app

with warnings.catch_warnings():
    # starlette >= 1.x prefers httpx2 for its test client; httpx still works
    warnings.filterwarnings("ignore", message="Using `httpx` with `starlette.testclient`")
    from starlette.testclient import TestClient

CSV = {"content-type": "text/csv"}


@pytest.fixture(scope="module")
def client(bundle):
    return TestClient(create_app(bundle), raise_server_exceptions=False)


def records(frame) -> list[dict]:
    return orjson.loads(frame.to_json(orient="records"))


def csv_body(frame, header: bool = True) -> str:
    return frame.to_csv(index=False, header=header)


def assert_error(response, status: int, *words: str) -> dict:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "detail", "hint"}
    for word in words:
        assert word in body["detail"]
    return body


def test_ping_answers_200(client):
    """GET /ping is 200 once the model is loaded."""
    assert client.get("/ping").status_code == 200


def test_model_describes_classes_columns_and_decision(bundles):
    """GET /v1/model lists the meta, classes, columns with kinds and the decision threshold."""
    decided = load_bundle(bundles["decided"])
    body = TestClient(create_app(decided)).get("/v1/model").json()
    assert body["classes"] == ["no", "yes"]
    assert body["meta"]["run_id"] == "r1"
    kinds = {c["name"]: c["kind"] for c in body["columns"]}
    assert kinds == {
        "income": "numeric",
        "debt": "numeric",
        "region": "categorical",
        "member": "boolean",
    }
    assert body["decision"]["threshold"] == decided.decision["threshold"]


def test_csv_with_header_answers_json_by_default_in_row_order(client, bundle, features):
    """A CSV with a header row gets one JSON prediction per row, in order, as the bundle says."""
    rows = features.head(40)
    response = client.post("/invocations", content=csv_body(rows), headers=CSV)
    assert response.status_code == 200, response.text
    predictions = response.json()["predictions"]
    expected = bundle.predict_proba(rows)
    assert [p["decision"] for p in predictions] == bundle.decide(rows).tolist()
    got = np.array([[p["proba"]["no"], p["proba"]["yes"]] for p in predictions])
    np.testing.assert_allclose(got, expected, rtol=1e-9)


def test_csv_without_header_reads_columns_in_bundle_order(client, features):
    """A header-less CSV is read in bundle column order and answers like the same rows with one."""
    rows = features.head(25)
    plain = client.post("/invocations", content=csv_body(rows, header=False), headers=CSV)
    headed = client.post("/invocations", content=csv_body(rows), headers=CSV)
    assert plain.status_code == 200, plain.text
    assert plain.json() == headed.json()


def test_csv_accept_answers_one_line_per_row(client, bundle, features):
    """Accept: text/csv gives one line per row: the probabilities then the decision, in order."""
    rows = features.head(60)
    response = client.post(
        "/invocations", content=csv_body(rows), headers={**CSV, "accept": "text/csv"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/csv")
    lines = response.text.splitlines()
    assert len(lines) == 60
    assert [line.split(",")[2] for line in lines] == bundle.decide(rows).tolist()
    got = np.array([[float(v) for v in line.split(",")[:2]] for line in lines])
    np.testing.assert_allclose(got, bundle.predict_proba(rows), rtol=1e-9)


@pytest.mark.parametrize("wrap", [True, False])
def test_json_instances_or_list_score_like_csv(client, features, wrap):
    """JSON {"instances": [...]} and a bare list of records score like the same CSV rows."""
    rows = features.head(10)
    payload = {"instances": records(rows)} if wrap else records(rows)
    response = client.post("/invocations", json=payload)
    from_csv = client.post("/invocations", content=csv_body(rows), headers=CSV)
    assert response.status_code == 200, response.text
    assert [p["decision"] for p in response.json()["predictions"]] == [
        p["decision"] for p in from_csv.json()["predictions"]
    ]


def test_v1_predict_answers_json_records(client, bundle, features):
    """POST /v1/predict takes JSON records and gives the same JSON answer."""
    rows = features.head(5)
    response = client.post("/v1/predict", json=records(rows))
    assert response.status_code == 200, response.text
    assert [p["decision"] for p in response.json()["predictions"]] == bundle.decide(rows).tolist()


def test_extra_columns_are_ignored(client, features):
    """Columns the bundle does not use are ignored."""
    rows = features.head(3).assign(note="x")
    assert client.post("/v1/predict", json=records(rows)).status_code == 200


@pytest.mark.parametrize(
    ("body", "media"),
    [
        ('income,debt\n1,"unterminated\n', "text/csv"),
        (b"\xff\xfe\x00i\x00n", "text/csv"),
        ("", "text/csv"),
        ("{not json", "application/json"),
        ('{"rows": []}', "application/json"),
        ("[1, 2]", "application/json"),
        ("[]", "application/json"),
        ("[" * 5000 + "]" * 5000, "application/json"),
    ],
)
def test_unparseable_bodies_are_400(client, body, media):
    """Malformed CSV, bad UTF-8, no rows, bad JSON or the wrong JSON shape is a 400."""
    assert_error(client.post("/invocations", content=body, headers={"content-type": media}), 400)


def test_missing_column_is_422_naming_it(client, features):
    """A record without a feature column is a 422 whose detail names the column."""
    rows = features.head(3).drop(columns="region")
    assert_error(client.post("/v1/predict", json=records(rows)), 422, "'region'")


def test_text_in_numeric_column_is_422_naming_it(client, features):
    """Text in a numeric column is a 422 naming the column and row."""
    rows = features.head(3).astype({"income": object})
    rows.loc[1, "income"] = "lots"
    body = assert_error(client.post("/invocations", content=csv_body(rows), headers=CSV), 422)
    assert "'income'" in body["detail"] and "row 2" in body["detail"]


def test_ragged_csv_row_is_422(client):
    """A CSV row with the wrong number of fields is a 422 naming the expected columns."""
    body = "income,debt,region,member\n50,1,north,True\n50,1\n"
    assert_error(client.post("/invocations", content=body, headers=CSV), 422, "row 2")


def test_nested_json_value_is_422(client, features):
    """A non-scalar JSON value is a 422 naming its column."""
    rows = records(features.head(1))
    rows[0]["debt"] = {"a": 1}
    assert_error(client.post("/v1/predict", json=rows), 422, "debt")


@pytest.mark.parametrize(
    "media", ["application/x-python-pickle", "application/octet-stream", "text/plain", None]
)
def test_unsupported_content_type_is_415(client, media):
    """A pickle, octet stream, other or missing Content-Type is a 415, never read."""
    headers = {"content-type": media} if media else {}
    response = client.post("/invocations", content=b"\x80\x04K\x01.", headers=headers)
    assert_error(response, 415)


def test_v1_predict_refuses_csv_with_415(client, features):
    """/v1/predict reads JSON only."""
    response = client.post("/v1/predict", content=csv_body(features.head(2)), headers=CSV)
    assert_error(response, 415)


@pytest.mark.parametrize("accept", ["application/xml", "text/html", "text/csv;q=0"])
def test_unsupported_accept_is_406(client, features, accept):
    """An Accept header allowing neither JSON nor CSV is a 406."""
    response = client.post(
        "/invocations", json=records(features.head(1)), headers={"accept": accept}
    )
    assert_error(response, 406)


def test_accept_wildcard_and_q_order_choose_the_type(client, features):
    """*/* answers JSON; a higher q for text/csv answers CSV."""
    body = records(features.head(2))
    anything = client.post("/invocations", json=body, headers={"accept": "*/*"})
    assert anything.headers["content-type"].startswith("application/json")
    ranked = "application/json;q=0.5, text/csv;q=0.9"
    preferred = client.post("/invocations", json=body, headers={"accept": ranked})
    assert preferred.headers["content-type"].startswith("text/csv")


def test_body_over_the_declared_limit_is_413(bundle, features):
    """A Content-Length over max_body_bytes is a 413."""
    client = TestClient(create_app(bundle, Settings(max_body_bytes=100)))
    response = client.post("/invocations", content=csv_body(features.head(20)), headers=CSV)
    assert_error(response, 413)


def test_streamed_body_over_the_limit_is_413(bundle):
    """A chunked body without Content-Length is cut off with a 413 once it passes the limit."""
    client = TestClient(create_app(bundle, Settings(max_body_bytes=1000)))

    def chunks():
        for _ in range(100):
            yield b"1,2,north,True\n"

    response = client.post("/invocations", content=chunks(), headers=CSV)
    assert "content-length" not in response.request.headers
    assert_error(response, 413)


def test_body_at_the_default_limit_is_read(client):
    """The default limit is 6 MB: a body of exactly that size is not refused as too large."""
    body = b"[" + b" " * (6 * 1024 * 1024 - 2) + b"]"
    assert_error(
        client.post("/invocations", content=body, headers={"content-type": "application/json"}), 400
    )
    over = body + b" "
    assert_error(
        client.post("/invocations", content=over, headers={"content-type": "application/json"}), 413
    )


def test_unexpected_error_is_a_generic_500(bundle, features, monkeypatch):
    """An unexpected exception is a 500 with a generic JSON body and no traceback."""
    client = TestClient(create_app(bundle), raise_server_exceptions=False)
    monkeypatch.setattr(type(bundle), "predict_proba", lambda self, frame: 1 / 0)
    response = client.post("/v1/predict", json=records(features.head(1)))
    body = assert_error(response, 500)
    assert "Traceback" not in response.text and "ZeroDivision" not in response.text
    assert body["error"] == "internal_error"


def test_unknown_path_is_a_json_404(client):
    """An unknown path is a JSON 404."""
    assert_error(client.get("/nope"), 404)


def test_columns_named_like_python_keywords_score_over_json_and_csv(tmp_path, features):
    """A feature called "self" (the loan data has one) scores like any other column."""
    from learnburn.bundles import save_bundle
    from learnburn.candidates import build_pipeline
    from learnburn.data import infer_schema

    frame = features.rename(columns={"region": "self"})
    target = (frame["income"] > frame["income"].median()).map({True: "yes", False: "no"})
    schema = infer_schema(frame)
    model = build_pipeline("logistic_regression", {}, schema, seed=0).fit(frame, target)
    path = save_bundle(
        model, tmp_path / "self.lbm", schema=schema.to_dict(), classes=["no", "yes"], meta={}
    )
    client = TestClient(create_app(load_bundle(path)), raise_server_exceptions=False)
    rows = orjson.loads(frame.head(3).to_json(orient="records"))
    answer = client.post("/invocations", json={"instances": rows})
    assert answer.status_code == 200, answer.text
    expected = model.predict_proba(frame.head(3))[:, 1]
    got = [p["proba"]["yes"] for p in answer.json()["predictions"]]
    np.testing.assert_allclose(got, expected, rtol=1e-9)
    csv_body = frame.head(3).to_csv(index=False)
    answer = client.post("/invocations", content=csv_body, headers={"Content-Type": "text/csv"})
    assert answer.status_code == 200, answer.text


def test_json_values_of_the_wrong_type_are_422_naming_column_and_record(client, features):
    """A JSON string or boolean where a number belongs is refused, not coerced: the detail names
    the column and the record."""
    rows = records(features.head(3))
    rows[1]["income"] = "51.2"
    rows[2]["debt"] = True
    body = assert_error(client.post("/v1/predict", json=rows), 422, "'income'", "record 2")
    assert "'debt'" in body["detail"] and "record 3" in body["detail"]
    assert "numbers or null" in body["hint"]


def test_a_record_without_a_column_is_422_even_when_others_have_it(client, features):
    """Every record gives every column (null when missing)."""
    rows = records(features.head(2))
    del rows[1]["debt"]
    body = assert_error(client.post("/v1/predict", json=rows), 422, "record 2", "'debt'")
    assert "null" in body["hint"]


def test_non_finite_probabilities_are_422_never_nan_in_a_200(bundle, features, monkeypatch):
    """A model answering NaN for a row is a 422 naming the row: JSON has no NaN."""
    client = TestClient(create_app(bundle), raise_server_exceptions=False)
    real = type(bundle).predict_proba

    def with_nan(self, frame):
        proba = real(self, frame)
        proba[1] = np.nan
        return proba

    monkeypatch.setattr(type(bundle), "predict_proba", with_nan)
    assert_error(client.post("/v1/predict", json=records(features.head(3))), 422, "row 2")


def test_a_csv_header_of_300k_repeated_names_is_a_422_in_one_pass(client):
    """A header that repeats a name 300,000 times is refused naming the name, in one pass over
    the header (a count per name took minutes; the bound is 100 times the time it takes)."""
    body = "income,debt,region,member," + "x," * 300_000 + "\n51.2,0.3,north,True\n"
    start = time.monotonic()
    response = client.post("/invocations", content=body, headers=CSV)
    elapsed = time.monotonic() - start
    assert_error(response, 422, "repeats the column names ['x']")
    assert elapsed < 10


class CraftedModel:
    """A model that answers the given probabilities for every row, whatever they are."""

    classes_ = np.array(["no", "yes"])

    def __init__(self, row: list[float]) -> None:
        self.row = row

    def predict_proba(self, frame):
        return np.array([self.row] * len(frame))


@pytest.mark.parametrize("row", [[1.5e19, -1.5e19], [0.7, 0.7], [-0.1, 1.1]])
def test_probabilities_that_are_not_probabilities_are_a_logged_500(bundle, features, row, caplog):
    """A model whose answers lie outside [0, 1] or do not sum to 1 (a crafted one returned
    +-1.5e19) is the bundle's fault, not the client's: a JSON 500 "model_error" naming the
    rows, with the answer logged; the numbers are never sent, not even in the error."""
    crafted = dataclasses.replace(bundle, model=CraftedModel(row))
    client = TestClient(create_app(crafted), raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="learnburn.serving"):
        response = client.post("/v1/predict", json=records(features.head(3)))
    body = assert_error(response, 500, "outside [0, 1] or not summing to 1", "rows 1, 2, 3")
    assert body["error"] == "model_error" and "faulty" in body["hint"]
    assert "predictions" not in response.text and str(row[0]) not in response.text
    [logged] = [r.getMessage() for r in caplog.records if "model_error" in r.getMessage()]
    assert "row 1" in logged and f"{row[0]:g}" in logged


def test_a_lazily_loaded_model_failing_its_checks_is_a_logged_500_bundle_error(
    bundle, features, caplog
):
    """A BundleError raised while answering (the model, loaded only when first needed, fails
    its checks) is the bundle's fault: a JSON 500 "bundle_error" with its message and hint,
    logged, not a generic internal error."""

    def load() -> object:
        raise BundleError("bundle 'x.lbm': the model predicts classes ['maybe']", hint="save it")

    broken = dataclasses.replace(bundle, model=Deferred(load))
    client = TestClient(create_app(broken), raise_server_exceptions=False)
    with caplog.at_level(logging.ERROR, logger="learnburn.serving"):
        response = client.post("/v1/predict", json=records(features.head(1)))
    body = assert_error(response, 500, "predicts classes ['maybe']")
    assert body["error"] == "bundle_error" and body["hint"] == "save it"
    assert any("bundle_error" in r.getMessage() for r in caplog.records)


def test_probabilities_within_rounding_of_0_1_and_a_sum_of_1_are_answered(bundle, features):
    """float32 runtimes round probabilities to about 6e-8: such answers are scored as sent."""
    row = [np.float32(1 / 3), np.float32(2 / 3) + 2e-7]
    crafted = dataclasses.replace(bundle, model=CraftedModel([float(p) for p in row]))
    client = TestClient(create_app(crafted), raise_server_exceptions=False)
    response = client.post("/v1/predict", json=records(features.head(2)))
    assert response.status_code == 200, response.text


def test_infinite_numbers_are_422(client):
    """inf in a CSV numeric column is refused before the model sees it."""
    body = "income,debt,region,member\n1,2,north,True\n-inf,2,north,True\n"
    assert_error(client.post("/invocations", content=body, headers=CSV), 422, "'income'", "2")


def test_wrong_method_is_a_json_405_naming_the_allowed_one(client):
    """GET on a POST endpoint is a JSON 405 with the Allow header and a hint."""
    response = client.get("/invocations")
    body = assert_error(response, 405)
    assert response.headers["allow"] == "POST"
    assert "POST" in body["hint"]


def test_unknown_path_hint_lists_the_endpoints(client):
    """A 404's hint lists the endpoints and points at /openapi.json."""
    body = assert_error(client.get("/nope"), 404)
    assert "/invocations" in body["hint"] and "/openapi.json" in body["hint"]


def test_long_error_details_are_cut(client):
    """A megabyte of bad value does not come back in full in the error detail."""
    rows = [{"income": "x" * 1_000_000, "debt": 1, "region": "north", "member": True}]
    response = client.post("/v1/predict", json=rows)
    assert_error(response, 422, "'income'")
    assert len(response.content) < 2000


def test_column_names_are_matched_exactly_never_normalised(tmp_path, features):
    """A column named "café" (NFC) is not found under its NFD spelling: a 422, not a guess."""
    import unicodedata

    from learnburn.bundles import save_bundle
    from learnburn.candidates import build_pipeline
    from learnburn.data import infer_schema

    frame = features.rename(columns={"region": "café"})
    target = (frame["income"] > frame["income"].median()).map({True: "yes", False: "no"})
    schema = infer_schema(frame)
    model = build_pipeline("logistic_regression", {}, schema, seed=0).fit(frame, target)
    path = save_bundle(
        model, tmp_path / "cafe.lbm", schema=schema.to_dict(), classes=["no", "yes"], meta={}
    )
    client = TestClient(create_app(load_bundle(path)), raise_server_exceptions=False)
    rows = records(frame.head(2))
    assert client.post("/v1/predict", json=rows).status_code == 200
    nfd = [{unicodedata.normalize("NFD", k): v for k, v in row.items()} for row in rows]
    assert_error(client.post("/v1/predict", json=nfd), 422, "café")


def test_the_fast_path_answers_like_the_native_model(bundles, features):
    """One JSON row, a few and many (past the records limit), and CSV: the fast-path bundle's
    probabilities match the native pipeline's within the proven tolerance, decisions equal."""
    fast = load_bundle(bundles["fast"], lazy=True)
    native = load_bundle(bundles["decided"])
    assert fast.scoring_path == "onnxruntime" and not fast.model_loaded
    client = TestClient(create_app(fast))
    for count in (1, 5, 40):
        rows = features.head(count)
        records = orjson.loads(rows.to_json(orient="records"))
        answer = client.post("/invocations", json={"instances": records})
        assert answer.status_code == 200, answer.text
        got = answer.json()["predictions"]
        proba = np.array([[p["proba"][c] for c in ("no", "yes")] for p in got])
        np.testing.assert_allclose(proba, native.predict_proba(rows), atol=1e-4, rtol=0)
        assert [p["decision"] for p in got] == native.decide(rows).tolist()
    assert not fast.model_loaded  # scoring never needed the pipeline itself
