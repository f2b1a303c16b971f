"""The help text of ``python -m engine sim``: defaults, credentials, output and the fault syntax.

``--help`` has to be complete on its own (a user of the command line does not read
:mod:`engine.sim.faults`), so the fault section is written here, built from that
module's tables (actions, answer precedence, process modes, garbage kinds, interim
codes) so their names cannot drift; :data:`ACTION_HELP` says what each action does, and
``tests/sim/test_sim_cli.py`` fails when an action in :data:`engine.sim.faults.ACTIONS`
has no entry here.
"""

from __future__ import annotations

import textwrap

from engine.sim.faults import (
    ACTIONS,
    ANSWERS,
    GARBAGE_KINDS,
    INTERIM_CODES,
    PROCESS_MODES,
    STREAM_ACTIONS,
    ws_endpoints,
)

__all__ = ["ACTION_HELP", "DESCRIPTION", "EXAMPLES", "epilog"]

_WIDTH = 78      # argparse wraps the option list at the terminal width less 2; 80 columns is the usual

DESCRIPTION = textwrap.fill(
    "Serve the local exchange on loopback until SIGINT or SIGTERM: Binance spot, Binance USD-M and Bybit V5 "
    "at their real paths (REST, WebSocket API and order entry, user-data streams), and TopstepX (the ProjectX "
    "Gateway's REST API and SignalR hubs) on a port of its own, with signatures or tokens, filters, "
    "rate limits, a moving market and injected faults.", _WIDTH)


_5XX = ("that HTTP 5xx with the venue's error body (Binance -1001, 503 -1007; Bybit retCode 10016; TopstepX "
        "ProblemDetails; on WebSocket order entry the same codes in the answer)")

# What the client hears, per action; keys cover engine.sim.faults.ACTIONS (a test checks).
ACTION_HELP = {
    "latency": "delay the answer (and the processing) by ms= milliseconds (default 200); adds to any "
               "other fault",
    "drop": "close the connection without answering (default process=never)",
    "http429": "the venue's rate-limit refusal (Binance 429 -1003 with Retry-After, Bybit retCode 10006, "
               "TopstepX HTTP 429); "
               "never processed, takes no process=",
    "http418": "the venue's IP-ban refusal (Binance 418 -1003 with Retry-After, Bybit REST HTTP 403); never "
               "processed, takes no process=",
    "http500": _5XX + " (default process=never)",
    "http502": _5XX + " (default process=never)",
    "http503": _5XX + " (default process=never)",
    "unknown": "the venue's documented unknown-outcome answer (Binance spot 503 -1007 \"execution status "
               "unknown\", USD-M 503 -1000, Bybit retCode 10016, TopstepX HTTP 500: it documents none) "
               "(default process=never)",
    "garbage": "an answer that is not the venue's JSON, kind= " + "|".join(GARBAGE_KINDS)
               + " (default html; truncated: the first half of the JSON; empty: an empty body or frame; noid: "
               "WebSocket only, the JSON without its id) (default process=first)",
    "interim": "REST only: an HTTP/1.1 interim response before the final answer, code= "
               + "|".join(str(c) for c in INTERIM_CODES) + " (default 100; 101 is bogus, a client must refuse "
               "it) (default process=first)",
    "before_process_drop": "drop:process=never (alias drop_before)",
    "after_process_drop": "drop:process=first (alias drop_after)",
    "stream_drop": "close the stream connection instead of sending the event",
    "stream_duplicate": "send the event twice",
    "stream_reorder": "hold the event back and send it after the next one",
    "stream_lose": "never send the event; the connection stays up",
    "stream_delay": "send the event ms= later (default 200); later events go out on time, so it "
                    "arrives out of order",
    "listenkey_expire": "expire the Binance USD-M listen key at this event: listenKeyExpired, then its "
                        "streams close",
}

# (spec, what it does); a test parses every spec.
EXAMPLES = (
    ("POST api/v3/order:unknown:process=first,nth=1",
     "the 1st Binance spot order is placed, but its answer says the outcome is unknown"),
    ("order.place:drop:process=later,delay_ms=300,p=0.1",
     ("one Binance WebSocket order in ten: the connection closes unanswered and the order is placed 300 ms "
      "later")),
    ("fapi/v1/order:http503:every=5;stream.bybit:stream_lose:nth=1",
     ("every 5th request to fapi/v1/order gets a 503 and is not processed, and the Bybit private stream "
      "never sends its 1st event")),
)

_PROCESS_HELP = {
    "never": "the venue never acts on the request",
    "first": "the venue processes it (the order exists, stream events go out), then the client gets "
             "the fault's answer instead of the real one",
    "later": "the client gets the answer at once; the venue processes the request delay_ms= later "
             "(default 1500) as if it had just arrived, so signature, timestamp and recvWindow are "
             "checked then",
}

def _item(name: str, text: str, indent: int = 4, column: int = 26) -> str:
    """``name`` then ``text`` wrapped in a column, like argparse's option list; a long name
    gets its own line."""
    lead = " " * indent + name
    lines = textwrap.wrap(text, _WIDTH - column, break_on_hyphens=False) or [""]
    if len(lead) <= column - 2:
        first = [lead.ljust(column) + lines[0]]
    else:
        first = [lead, " " * column + lines[0]]
    return "\n".join([*first, *(" " * column + line for line in lines[1:])])


def _items(actions: list[str]) -> list[str]:
    """One item per action; neighbours that do the same thing share one (http500, http502, http503)."""
    groups: list[list[str]] = []
    for a in actions:
        if groups and ACTION_HELP.get(groups[-1][0]) == ACTION_HELP.get(a):
            groups[-1].append(a)
        else:
            groups.append([a])
    return [_item(", ".join(g), ACTION_HELP.get(g[0], "")) for g in groups]


def _para(text: str, indent: int = 2) -> str:
    return textwrap.fill(text, _WIDTH, initial_indent=" " * indent, subsequent_indent=" " * indent,
                         break_on_hyphens=False)


def _fault_section() -> str:
    from engine.sim.registry import declared
    reg = declared()
    # what the personalities declare: their engine venues' streams and their new-order requests
    stream_targets = [f"stream.{venue}" for venue in (*reg.venues, *reg.own_ports)]
    new_orders = list(dict.fromkeys(reg.new_orders.values()))
    request_actions = ["latency", *ANSWERS, "before_process_drop", "after_process_drop"]
    stream_actions = [*STREAM_ACTIONS, "listenkey_expire"]
    others = sorted(ACTIONS - set(request_actions) - set(stream_actions))
    out = [
        "faults (--fault SPEC, repeatable; several specs may also be joined with ';'):",
        "  SPEC is TARGET:ACTION[:KEY=VALUE,...]",
        "",
        "  TARGET:",
        _item("api/v3/order", "a REST path without its leading /, optionally after its method: "
                              "'DELETE api/v3/order', 'POST fapi/v1/order', 'v5/order/create'"),
        _item("order.place", "a WebSocket order-entry request: a Binance WebSocket API method (order.place, "
                             "order.cancel, order.cancelReplace, order.status, ...) or a Bybit trade op "
                             "(order.create, order.amend, order.cancel)"),
        _item(", ".join(ws_endpoints()), "every request on that WebSocket"),
        _item("order", f"every request placing one new order, any venue and path ({', '.join(new_orders)})"),
        _item(", ".join(stream_targets), "a user-data stream (stream actions only)"),
        _item("*", "every request, REST and WebSocket (not streams)"),
        "",
        "  request actions (REST and WebSocket order entry), what the client hears:",
        *_items(request_actions),
        _para("When several answer faults fire for one request, the first of " + ", ".join(ANSWERS)
              + " answers; latency adds to any of them."),
        "",
        "  stream actions (stream.* targets):",
        *_items(stream_actions),
    ]
    if others:
        out += ["", "  other actions:", *_items(others)]
    out += [
        "",
        _para("process=" + "|".join(PROCESS_MODES) + ": what the venue does with the request (on drop, "
              "http500, http502, http503, unknown, garbage, interim):"),
        *(_item(m, _PROCESS_HELP[m]) for m in PROCESS_MODES),
        "",
        "  when it fires (without these, every time):",
        _item("p=0.1", "with probability 0.1, from a generator seeded by --seed and the spec's position, so "
                       "a run is reproducible"),
        _item("nth=3", "only on the 3rd matching request or event"),
        _item("every=5", "on every 5th"),
        _item("times=2", "at most twice"),
        "",
        _para("Other parameters: ms= (latency, stream_delay), delay_ms= (only with process=later), kind= "
              "(garbage), code= (interim). A parameter that does not apply to its action, or a request "
              "action on a stream.* target (and the reverse), is refused."),
        "",
        "  examples:",
    ]
    for spec, meaning in EXAMPLES:
        out += [f"    --fault '{spec}'", textwrap.fill(meaning, _WIDTH, initial_indent=" " * 8,
                                                       subsequent_indent=" " * 8)]
    return "\n".join(out)


def epilog(*, secret_env: str, default_key: str, default_secret: str) -> str:
    """Everything after the option list: credentials, output, faults."""
    credentials = [
        "credentials:",
        _para("A secret is never read from the command line (every local user can read it with ps, and shells "
              "keep it in their history); --api-secret and --account are refused."),
        _item("--api-key KEY", f"an HMAC key; its secret from the environment variable {secret_env}, or from "
                               "the first line of --api-secret-file PATH (the file wins when both are given)"),
        _item("--accounts-file PATH", "more HMAC accounts, one KEY:SECRET per line; blank lines and lines "
                                      "starting with # are skipped"),
        _item("--ed25519-key KEY:PATH", "an Ed25519 key, by its public key's PEM file (no secret)"),
        _item("neither --api-key nor --accounts-file",
              f"one HMAC account: key {default_key}, secret {default_secret} (besides any --ed25519-key)"),
        _para("Every account gets the --balance amounts in each wallet (Binance spot, Binance USD-M (USDT "
              "only), Bybit unified)."),
    ]
    output = [
        "output:",
        "  The first line on stdout, flushed as soon as the port is bound, is",
        "      listening on http://127.0.0.1:PORT",
        _para("(the --host, and the bound port: read it when you passed --port 0). Venues served on their own "
              "ports each add one line after it, before any other output:"),
        "      VENUE listening on URL",
        _para("A bad option, an unreadable file or a busy port ends the command with one line "
              "'engine sim: ...' on stderr and exit status 2."),
    ]
    return "\n".join([*credentials, "", *output, "", _fault_section()])
