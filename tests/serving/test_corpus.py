"""The bad-input corpus of reference/security.md 4.3 A2-A9, against a real uvicorn server.

One case per line: what is sent and the status it gets. Every bad body is a 4xx with a JSON
``{error, detail, hint}``; a 200 is a documented behaviour (extra columns ignored, an unseen
category or an empty field scored) and is valid JSON with finite probabilities. Requests too
big for the HTTP parser (10k headers, a 64 KB request line) get a 400, or a reset when h11
refuses them while the client is still sending; the server keeps answering either way.
"""

from __future__ import annotations

import socket
import unicodedata
from urllib.parse import urlsplit

import httpx
import orjson
import pytest

from learnburn.bundles import load_bundle
from learnburn.serving import create_app

H = "income,debt,region,member\n"  # the bundle's columns, in order
ROW = "51.2,0.3,north,True\n"
MB6 = 6 * 1024 * 1024
PICKLE = b"\x80\x04\x95\x05\x00\x00\x00\x00\x00\x00\x00K\x01."


def csv(*rows: str, header: str = H) -> bytes:
    return (header + "".join(rows)).encode()


def record(**values: object) -> dict:
    """A valid record, with ``values`` replacing or adding columns (``...``: the key removed)."""
    base = {"income": 51.2, "debt": 0.3, "region": "north", "member": True}
    merged = {**base, **values}
    return {name: value for name, value in merged.items() if value is not ...}


def js(document: object) -> bytes:
    return orjson.dumps(document)


def lit(**literals: str) -> bytes:
    """A one-record JSON body written by hand: ``literals`` are JSON texts replacing values."""
    texts = {"income": "51.2", "debt": "0.3", "region": '"north"', "member": "true", **literals}
    return ("[{" + ", ".join(f'"{name}": {text}' for name, text in texts.items()) + "}]").encode()


def padded(document: object, size: int) -> bytes:
    """``document`` as JSON followed by spaces, ``size`` bytes in all."""
    body = js(document)
    return body + b" " * (size - len(body))


def multipart() -> tuple[bytes, str]:
    boundary = "learnburn-boundary"
    body = (
        (
            f"--{boundary}\r\nContent-Disposition: form-data; name=file; filename=m.pkl\r\n"
            f"Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + PICKLE
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


MULTIPART, MULTIPART_TYPE = multipart()
WIDE = ",".join([*H.strip().split(","), *(f"x{i}" for i in range(100_000))]) + "\n"
WIDE_ROW = "51.2,0.3,north,True," + ",".join("1" * 100_000) + "\n"
NOTE = "income,debt,region,member,note\n"
NFD_CAFE = unicodedata.normalize("NFD", "café")

CSV_CASES = [
    # --- A2 malformed CSV ---
    ("well-formed rows with a header", csv(ROW, "48,-1,south,False\n"), 200),
    ("header-less rows (bundle column order)", csv(ROW, header=""), 200),
    ("unterminated quote", csv('51.2,0.3,"north,True\n'), 400),
    ("ragged row: too few fields", csv(ROW, "51.2,0.3,north\n"), 422),
    ("ragged row: too many fields", csv("51.2,0.3,north,True,9\n"), 422),
    ("UTF-8 byte-order mark (stripped)", b"\xef\xbb\xbf" + csv(ROW), 200),
    ("UTF-16 with its BOM", (H + ROW).encode("utf-16"), 400),
    ("CRLF line ends", csv(ROW).replace(b"\n", b"\r\n"), 200),
    ("CR-only line ends", csv(ROW, ROW).replace(b"\n", b"\r"), 200),
    ("LF, CRLF and CR mixed", csv("1,2,north,True\r\n", "3,4,south,False\r", ROW), 200),
    ("embedded NUL in a category (unseen: scored)", csv("51.2,0.3,no\x00rth,True\n"), 200),
    ("embedded NUL in a number", csv("5\x001.2,0.3,north,True\n"), 422),
    ("header only", csv(), 400),
    ("zero rows: empty body", b"", 400),
    ("blank lines only", b"\n\r\n\n", 400),
    ("duplicate header names", csv("1,2,3,north,True\n", header="income,income," + H[7:]), 422),
    ("a 1 MB field (over csv's 128 KiB field limit)", csv("1,2," + "n" * 2**20 + ",True\n"), 400),
    ("100k columns, the bundle's among them", csv(WIDE_ROW, header=WIDE), 200),
    ("formula injection passed through as a category", csv("1,2,=cmd|' /C calc'!A0,True\n"), 200),
    # --- A4 dtypes ---
    ("text in a numeric column", csv("lots,0.3,north,True\n"), 422),
    ("a boolean in a numeric column", csv("True,0.3,north,True\n"), 422),
    ("1/0 in the boolean column (compared as text)", csv("51.2,0.3,north,1\n"), 200),
    ("an integer past int64 (read as a float)", csv("9" * 25 + ",0.3,north,True\n"), 200),
    ("a locale comma decimal", csv('"51,2",0.3,north,True\n'), 422),
    ("a category unseen in training", csv("51.2,0.3,atlantis,True\n"), 200),
    # --- A5 special values ---
    ("NaN spelled out (a missing value is an empty field)", csv("nan,NaN,north,True\n"), 422),
    ("infinity", csv("inf,0.3,north,True\n"), 422),
    ("minus infinity", csv("51.2,-inf,north,True\n"), 422),
    ("-0.0, 1e308 and a subnormal", csv("-0.0,1e308,north,True\n", "4.9e-324,0,north,True\n"), 200),
    ("empty fields (missing values)", csv("51.2,,,True\n"), 200),
    ("an all-empty row", csv(",,,\n"), 200),
    # --- A6 shape ---
    ("a missing column", csv("51.2,0.3,True\n", header="income,debt,member\n"), 422),
    ("an extra column (ignored)", csv("51.2,0.3,north,True,x\n", header=NOTE), 200),
    ("reordered columns", csv("True,north,0.3,51.2\n", header="member,region,debt,income\n"), 200),
    ("one row", csv(ROW), 200),
    # --- A9 unicode ---
    ("NFD and NFC spellings of a category", csv(f"1,2,{NFD_CAFE},True\n", "1,2,café,True\n"), 200),
    ("an RTL override and zero-width space", csv("1,2,\u202enorth\u200b,True\n"), 200),
    ("emoji and a long grapheme cluster", csv("1,2,🦜" + "\u0301" * 5000 + ",True\n"), 200),
    ("a lone surrogate (invalid UTF-8)", csv(ROW).replace(b"north", b"n\xed\xa0\x80rth"), 400),
    ("a zero-width space in a column name", csv(ROW, header=H.replace("gi", "g\u200bi")), 422),
]

JSON_CASES = [
    # --- shapes ---
    ("one record in a list", js([record()]), 200),
    ('{"instances": [...]}', js({"instances": [record(), record(income=20)]}), 200),
    ("zero records", js([]), 400),
    ('{"instances": []}', js({"instances": []}), 400),
    ("an object without instances", js(record()), 400),
    ("a bare number", b"5", 400),
    ("not JSON", b"{not json", 400),
    ("deep nesting, depth 10,000", b"[" * 10_000 + b"]" * 10_000, 400),
    ("duplicate keys (the last wins)", lit(income='"x", "income": 5'), 200),
    ("a missing key", js([record(region=...)]), 422),
    ("a missing key in one record of two", js([record(), record(debt=...)]), 422),
    ("extra keys, nested values in them (ignored)", js([record(note={"a": [1, 2]}, x=None)]), 200),
    ("keys in another order", js([dict(reversed(record().items()))]), 200),
    ("a nested value in a column", js([record(debt=[1, 2])]), 422),
    # --- dtypes ---
    ("a numeric string for a number", js([record(income="51.2")]), 422),
    ("a boolean for a number", js([record(income=True)]), 422),
    ("a locale comma decimal", js([record(income="51,2")]), 422),
    ("an integer past uint64 (read as a float)", lit(income="9" * 25), 200),
    ("a number past float64 (1e400)", lit(income="1e400"), 400),
    ("a number and a boolean for categories", js([record(region=7, member=1)]), 200),
    ("a category unseen in training", js([record(region="atlantis")]), 200),
    # --- special values ---
    ("NaN literal (not JSON)", lit(income="NaN"), 400),
    ("Infinity literal (not JSON)", lit(income="-Infinity"), 400),
    ("1e308 and a subnormal", js([record(income=1e308, debt=5e-324)]), 200),
    ("-0.0", js([record(income=-0.0, debt=-0.0)]), 200),
    ("1e308 and -1e308 together", js([record(income=1e308, debt=-1e308)]), 200),
    ("null values (missing)", js([record(income=None, region=None, member=None)]), 200),
    ("an all-null record", js([dict.fromkeys(["income", "debt", "region", "member"])]), 200),
    ("an empty string for a number", js([record(income="")]), 422),
    ("an empty string for a category (unseen)", js([record(region="")]), 200),
    # --- unicode ---
    ("an RTL override, zero-width and emoji values", js([record(region="\u202e\u200b🦜")]), 200),
    ("a lone surrogate escape", lit(region='"\\ud800"'), 400),
    # --- size ---
    ("exactly 6 MB", padded([record()], MB6), 200),
    ("6 MB + 1 byte", padded([record()], MB6 + 1), 413),
]

TYPE_CASES = [
    ("a pickle type", "application/x-python-pickle", PICKLE, 415),
    ("a vendor pickle type", "application/vnd.python.pickle", PICKLE, 415),
    ("a joblib type", "application/x-joblib", PICKLE, 415),
    ("octet-stream", "application/octet-stream", PICKLE, 415),
    ("no Content-Type", None, PICKLE, 415),
    ("multipart with a pickle part", MULTIPART_TYPE, MULTIPART, 415),
    ("CSV in UTF-16", "text/csv; charset=utf-16", csv(ROW), 415),
    ("text/plain", "text/plain", csv(ROW), 415),
]


@pytest.fixture(scope="module", params=["plain", "fast"])
def base(request, bundles, serve):
    """The server, scoring natively and through the fast path: both answer alike."""
    loaded = load_bundle(bundles[request.param], lazy=True)
    assert (loaded.fast is not None) == (request.param == "fast")
    with serve(create_app(loaded)) as url:
        yield url


@pytest.fixture(scope="module")
def client(base):
    with httpx.Client(base_url=base, timeout=30) as client:
        yield client


def check(response: httpx.Response, status: int) -> None:
    """The expected status; a JSON error body for a 4xx, finite predictions for a 200."""
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("application/json")
    body = orjson.loads(response.content)  # strict: a NaN in the body fails here
    if status == 200:
        probabilities = [p for row in body["predictions"] for p in row["proba"].values()]
        assert probabilities and all(0 <= p <= 1 for p in probabilities)
    else:
        assert set(body) == {"error", "detail", "hint"} and body["hint"]


@pytest.mark.parametrize(("case", "body", "status"), CSV_CASES, ids=[c[0] for c in CSV_CASES])
def test_csv_corpus(client, case, body, status):
    """Each CSV case gets its documented status, never a 5xx or a dropped connection."""
    check(client.post("/invocations", content=body, headers={"content-type": "text/csv"}), status)


@pytest.mark.parametrize(("case", "body", "status"), JSON_CASES, ids=[c[0] for c in JSON_CASES])
def test_json_corpus(client, case, body, status):
    """Each JSON case gets its documented status, on both JSON endpoints."""
    for path in ("/v1/predict", "/invocations"):
        response = client.post(path, content=body, headers={"content-type": "application/json"})
        check(response, status)


@pytest.mark.parametrize(
    ("case", "media", "body", "status"), TYPE_CASES, ids=[c[0] for c in TYPE_CASES]
)
def test_content_type_corpus(client, case, media, body, status):
    """Anything but CSV or JSON in UTF-8 is a 415, and is never read."""
    headers = {"content-type": media} if media else {}
    check(client.post("/invocations", content=body, headers=headers), status)


def test_formula_strings_never_reach_the_answer(client):
    """A formula-injection category is data: the answer holds only probabilities and classes."""
    body = csv("1,2,=cmd|' /C calc'!A0,True\n")
    answer = client.post("/invocations", content=body, headers={"content-type": "text/csv"})
    assert answer.status_code == 200 and b"cmd" not in answer.content


@pytest.fixture(scope="module", params=["h11", "httptools"])
def wire(request, bundle, serve):
    """A server on each of uvicorn's HTTP parsers (httptools when installed, as in the image;
    h11 otherwise): the wire-level cases must hold on both."""
    if request.param == "httptools":
        pytest.importorskip("httptools")
    with serve(create_app(bundle), http=request.param) as url:
        yield url


def raw(base: str, request: bytes) -> tuple[int, bytes]:
    """Send ``request`` bytes as they are; the status and the raw response."""
    address = urlsplit(base)
    with socket.create_connection((address.hostname, address.port), timeout=30) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65536):
            received += chunk
    return int(received.split(b" ", 2)[1]), received


def post(path: str, headers: list[str], body: bytes = b"") -> bytes:
    lines = [f"POST {path} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *headers]
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + body


def test_chunked_body_of_100k_one_byte_chunks_is_read(wire):
    """A CSV sent as 100k one-byte chunks (Triton's CVE-2025-23310 shape) is read and scored."""
    body = csv(*[ROW] * (100_000 // len(ROW)))
    chunks = b"".join(b"1\r\n" + body[i : i + 1] + b"\r\n" for i in range(len(body)))
    headers = ["Content-Type: text/csv", "Transfer-Encoding: chunked"]
    status, response = raw(wire, post("/invocations", headers, chunks + b"0\r\n\r\n"))
    assert status == 200, response[:300]


def test_content_length_shorter_than_the_body_reads_only_what_it_declares(wire):
    """A Content-Length that undercounts: the declared bytes are the body (here a cut CSV)."""
    body = csv(ROW, ROW)
    headers = ["Content-Type: text/csv", f"Content-Length: {len(H) + 10}"]
    status, response = raw(wire, post("/invocations", headers, body))
    assert status == 422 and b'"error"' in response


def test_non_numeric_content_length_is_a_400(wire):
    """A Content-Length that is not a number is refused by the HTTP parser."""
    status, _ = raw(wire, post("/invocations", ["Content-Type: text/csv", "Content-Length: x"]))
    assert status == 400


def refused(base: str, request: bytes) -> int | None:
    """The status of an oversized request (an empty CSV, so 400 whoever answers), or None when
    the connection was reset. h11 refuses a head over 16 KB that arrives in pieces (a plain 400,
    then it closes, and a client still sending may see the reset first); one that arrives whole
    reaches the app."""
    try:
        return raw(base, request)[0]
    except (ConnectionResetError, BrokenPipeError):
        return None


def test_ten_thousand_headers_are_refused_and_the_server_still_answers(wire):
    """10k headers (over h11's 16 KB limit) get a 400 or a reset, never a crash."""
    headers = ["Content-Type: text/csv", "Content-Length: 0"]
    headers += [f"X-Pad-{i}: v" for i in range(10_000)]
    assert refused(wire, post("/invocations", headers)) in (400, None)
    assert httpx.get(f"{wire}/ping").status_code == 200


def test_a_64_kb_request_line_is_refused_and_the_server_still_answers(wire):
    """A 64 KB request line gets a 400 or a reset; the server keeps answering."""
    request = post("/invocations?" + "a" * 65536, ["Content-Type: text/csv", "Content-Length: 0"])
    assert refused(wire, request) in (400, None)
    assert httpx.get(f"{wire}/ping").status_code == 200
