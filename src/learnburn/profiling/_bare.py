"""A bare endpoint on learnburn's server stack (Starlette on uvicorn) that answers a constant:
the load generator's ceiling is measured against it, so a profile says whether the client, not
the server, limited a measurement. Run as ``uvicorn learnburn.profiling._bare:app``."""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_ANSWER = b'{"predictions":[{"proba":{"0":0.5,"1":0.5},"decision":1}]}'


async def constant(request: Request) -> Response:
    await request.body()
    return Response(_ANSWER, media_type="application/json")


app = Starlette(routes=[Route("/", constant, methods=["GET", "POST"])])
