"""What a fault answers in TopstepX's words (shared/venues/topstepx-projectx.md §5, §6): the
Gateway documents no unknown-outcome body, so the unknown outcome is an HTTP 500 (what an
ASP.NET service answers when it fails); the rate limit is HTTP 429 with no body or headers
(none documented); 5xx statuses as asked.  A 418 ban does not exist there: it answers 429.
"""

from __future__ import annotations

from aiohttp import web

__all__ = ["TopstepxAnswers", "PROBLEM_500"]

PROBLEM_500 = {"type": "https://tools.ietf.org/html/rfc9110#section-15.6.1", "title": "An error occurred while "
               "processing your request.", "status": 500}


class TopstepxAnswers:
    @staticmethod
    def unknown() -> tuple[int, dict, dict]:
        return 500, PROBLEM_500, {}

    @staticmethod
    def internal_error() -> tuple[int, dict, dict]:
        return 500, PROBLEM_500, {}

    @staticmethod
    def refusal(verb: str) -> web.Response:
        if verb in ("http429", "http418"):
            return web.Response(status=429)
        status = int(verb[4:])
        return web.json_response({**PROBLEM_500, "status": status}, status=status)
