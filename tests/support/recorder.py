"""A loopback HTTP server that records each request as it arrives (method, path, raw query, body, headers)
and answers from a script: for the wire tests of clients whose simulator personality has not landed, and
for checking that what was signed is what arrived."""

from __future__ import annotations

from aiohttp import web

__all__ = ["Recorder"]


class Recorder:
    """A loopback HTTP server that records each request's raw query and body and answers from a script."""

    def __init__(self, answers):
        self.answers = answers          # path -> (status, json) or a list of them, taken in turn
        self.seen: list[tuple[str, str, str, str]] = []
        self.headers: list[dict[str, str]] = []

    async def handle(self, request: web.Request) -> web.Response:
        body = await request.text()
        raw_query = request.raw_path.partition("?")[2]     # as it arrived (query_string is percent-decoded)
        self.seen.append((request.method, request.path, raw_query, body))
        self.headers.append(dict(request.headers))
        answer = self.answers[request.path]
        status, doc = answer.pop(0) if isinstance(answer, list) else answer
        return web.json_response(doc, status=status)

    async def __aenter__(self):
        app = web.Application()
        app.router.add_route("*", "/{tail:.*}", self.handle)
        self.runner = web.AppRunner(app)
        await self.runner.setup()
        site = web.TCPSite(self.runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        return self

    async def __aexit__(self, *exc):
        await self.runner.cleanup()
