"""The OpenAPI 3.0 document of an app, generated from its bundle: served at
``GET /openapi.json``, and the contract the schemathesis tests hold the server to.

A record is an object with one property per bundle column, every one required (null for a
missing value): numbers for numeric columns, any scalar for the others. Other properties are
allowed and ignored. The error responses are the statuses of ``STATUS`` in ``_app.py``, each
with the JSON body ``{"error", "detail", "hint"}``.
"""

from __future__ import annotations

from typing import Any

from learnburn._version import __version__
from learnburn.bundles import Bundle

OPENAPI = "3.0.3"
REF = "#/components/schemas/"
SCORING_ERRORS = {
    "400": "The body is not CSV or JSON of the documented shape.",
    "406": "The Accept header allows no type this endpoint writes.",
    "408": "The body did not arrive before its deadline (10 s by default).",
    "413": "The body is over the size limit (6 MB by default).",
    "415": "The Content-Type is not one this endpoint reads.",
    "422": "The rows do not match the bundle's columns or types.",
    "500": "The served model gave probabilities outside [0, 1] or not summing to 1 (error "
    "model_error), or its model failed its checks when first loaded (error bundle_error): a "
    "fault of the bundle, not of the request, logged by the server.",
    "503": "Every scoring slot of this worker is busy; retry after Retry-After seconds.",
    "504": "The prediction was not ready before the request deadline.",
}


def openapi_document(bundle: Bundle) -> dict[str, Any]:
    """The OpenAPI document of an app serving ``bundle``."""
    run = bundle.meta.get("run_id")
    return {
        "openapi": OPENAPI,
        "info": {
            "title": "learnburn scoring service",
            "version": __version__,
            "description": f"Scores rows with the bundle of run {run or '(unnamed)'}.",
        },
        "paths": {
            "/ping": {"get": _ping()},
            "/invocations": {"post": _scoring("invocations", csv=True)},
            "/v1/predict": {"post": _scoring("predict", csv=False)},
            "/v1/model": {"get": _model()},
            "/metrics": {"get": _metrics()},
            "/openapi.json": {"get": _openapi()},
        },
        "components": {"schemas": _schemas(bundle)},
    }


def _scoring(name: str, *, csv: bool) -> dict[str, Any]:
    json_body = {"schema": {"$ref": REF + "Request"}}
    requests = {"application/json": json_body}
    answers = {"application/json": {"schema": {"$ref": REF + "Predictions"}}}
    if csv:
        requests["text/csv"] = {"schema": {"type": "string", "description": _CSV_IN}}
        answers["text/csv"] = {"schema": {"type": "string", "description": _CSV_OUT}}
    summary = "Score rows (SageMaker's endpoint)" if csv else "Score JSON records"
    return {
        "operationId": name,
        "summary": summary,
        "requestBody": {"required": True, "content": requests},
        "responses": {
            "200": {"description": "One prediction per row, in row order.", "content": answers},
            **{status: _error(text) for status, text in SCORING_ERRORS.items()},
        },
    }


def _error(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": {"$ref": REF + "Error"}}},
    }


def _ping() -> dict[str, Any]:
    return {
        "operationId": "ping",
        "summary": "Health check: 200 with an empty body once the model is loaded",
        "responses": {"200": {"description": "The model is loaded and the server answers."}},
    }


def _model() -> dict[str, Any]:
    content = {"application/json": {"schema": {"$ref": REF + "Model"}}}
    return {
        "operationId": "model",
        "summary": "The bundle's metadata, classes, columns and decision rule",
        "responses": {"200": {"description": "The bundle served.", "content": content}},
    }


def _metrics() -> dict[str, Any]:
    content = {"text/plain": {"schema": {"type": "string"}}}
    return {
        "operationId": "metrics",
        "summary": "Prometheus metrics of this worker process (text exposition format)",
        "responses": {"200": {"description": "The metrics.", "content": content}},
    }


def _openapi() -> dict[str, Any]:
    content = {"application/json": {"schema": {"type": "object"}}}
    return {
        "operationId": "openapi",
        "summary": "This document",
        "responses": {"200": {"description": "The OpenAPI document.", "content": content}},
    }


def _schemas(bundle: Bundle) -> dict[str, Any]:
    records = {"type": "array", "minItems": 1, "items": {"$ref": REF + "Record"}}
    instances = {
        "type": "object",
        "required": ["instances"],
        "properties": {"instances": records},
    }
    return {
        "Record": _record(bundle.schema["columns"]),
        "Request": {"oneOf": [instances, records]},
        "Predictions": _predictions(bundle.classes),
        "Model": _model_schema(),
        "Error": {
            "type": "object",
            "required": ["error", "detail", "hint"],
            "properties": {
                "error": {"type": "string", "description": "A short code, e.g. schema_mismatch"},
                "detail": {"type": "string", "description": "What is wrong, and where"},
                "hint": {"type": "string", "description": "How to fix it"},
            },
        },
    }


def _record(columns: list[dict[str, Any]]) -> dict[str, Any]:
    properties = {column["name"]: _column(column) for column in columns}
    return {
        "type": "object",
        "description": "One row: every column of the bundle (null when missing); other "
        "properties are ignored.",
        "required": list(properties),
        "properties": properties,
        "additionalProperties": True,
    }


def _column(column: dict[str, Any]) -> dict[str, Any]:
    description = f"{column['kind']} column (trained as {column.get('dtype')})"
    if column["kind"] == "numeric":
        return {"type": "number", "nullable": True, "description": description}
    scalars = [{"type": kind, "nullable": True} for kind in ("string", "number", "boolean")]
    categories = column.get("categories")
    if categories:
        description += f"; seen in training: {', '.join(map(str, categories[:20]))}"
    return {"anyOf": scalars, "description": description + "; compared as text"}


def _predictions(classes: tuple) -> dict[str, Any]:
    names = [str(label) for label in classes]
    proba = {
        "type": "object",
        "description": "The probability of each class.",
        "required": names,
        "properties": {name: {"type": "number"} for name in names},
        "additionalProperties": False,
    }
    prediction = {
        "type": "object",
        "required": ["proba", "decision"],
        "properties": {
            "proba": proba,
            "decision": {"description": "The decided class.", "enum": list(classes)},
        },
    }
    return {
        "type": "object",
        "required": ["predictions"],
        "properties": {"predictions": {"type": "array", "items": prediction}},
    }


def _model_schema() -> dict[str, Any]:
    column = {
        "type": "object",
        "required": ["name", "kind"],
        "properties": {
            "name": {"type": "string"},
            "kind": {"type": "string", "enum": ["numeric", "categorical", "boolean", "datetime"]},
            "dtype": {"type": "string", "nullable": True},
        },
    }
    decision = {
        "type": "object",
        "properties": {
            "threshold": {"type": "number", "nullable": True},
            "cost": {"type": "array", "nullable": True, "items": {"type": "array"}},
            "calibrated": {"type": "boolean"},
        },
    }
    return {
        "type": "object",
        "required": ["meta", "classes", "columns", "decision"],
        "properties": {
            "meta": {"type": "object", "description": "The run id, metrics and versions."},
            "classes": {"type": "array"},
            "columns": {"type": "array", "items": column},
            "decision": decision,
        },
    }


_CSV_IN = (
    "Rows of RFC 4180 CSV in UTF-8, with a header row naming the columns (any order, extra "
    "columns ignored) or without one (the bundle's columns in order). An empty field is a "
    "missing value."
)
_CSV_OUT = "One line per row: the probability of each class in bundle order, then the decision."
