"""Workarounds for costs inside botbuilder's dependencies (kept apart so each is easy to drop).

msrest's ``ClientRetryPolicy`` tests ``i not in <a list of 500 codes>`` for 999 codes every
time it is built, and botbuilder's CloudAdapter builds two per turn (a ConnectorClient and a
UserTokenClient): about 10 ms of CPU a turn, measured with bench/. A frozenset makes the same
test constant-time; the policy it builds is unchanged.
"""

from __future__ import annotations


def apply() -> None:
    from msrest.universal_http.requests import ClientRetryPolicy

    if not isinstance(ClientRetryPolicy.safe_codes, frozenset):
        ClientRetryPolicy.safe_codes = frozenset(ClientRetryPolicy.safe_codes)  # type: ignore[assignment]
