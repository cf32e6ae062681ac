"""The open pages: at most ``max_pages`` sessions, each dropped after ``idle_timeout``.

A page is known by a random token the server hands out; nothing else a page sends
selects a session.
"""

from __future__ import annotations

import secrets
import threading
import time

from .config import Limits, PageConfig
from .session import Session

__all__ = ["PageLimitReached", "Registry", "UnknownPage"]


class PageLimitReached(RuntimeError):
    """Every page slot is taken."""


class UnknownPage(KeyError):
    """A token that names no open page (closed, timed out, or from another server run)."""

    def __str__(self) -> str:
        return self.args[0]


class Registry:
    """The sessions of the open pages, keyed by token."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._pages: dict[str, Session] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._pages)

    def open(self, config: PageConfig) -> tuple[str, Session]:
        """A new page's token and session, or PageLimitReached."""
        self.sweep()
        with self._lock:
            if len(self._pages) >= self.limits.max_pages:
                n = self.limits.max_pages
                raise PageLimitReached(
                    f"the server's limit of {n} open page{'s' if n != 1 else ''} is reached: "
                    "close a playground tab (or wait until an idle one times out) and reload"
                )
            token = secrets.token_urlsafe(16)
            # reserve the slot before the (slower) build, so that the limit holds
            self._pages[token] = None  # type: ignore[assignment]
        try:
            session = Session(config, self.limits)
        except BaseException:
            with self._lock:
                del self._pages[token]
            raise
        with self._lock:
            self._pages[token] = session
        return token, session

    def get(self, token: str) -> Session:
        """The session of ``token``, marked as seen, or UnknownPage."""
        session = self._pages.get(token) if isinstance(token, str) else None
        if session is None or session.closed:
            raise UnknownPage(
                "this page is no longer open on the server (closed, idle for "
                f"{self.limits.idle_timeout:g} s, or the server restarted): reload the page"
            )
        session.touch()
        return session

    def close(self, token: str) -> None:
        """Drop a page and stop its training (nothing happens for an unknown token)."""
        with self._lock:
            session = self._pages.pop(token, None)
        if session is not None:
            session.close()

    def sweep(self, now: float | None = None) -> list[str]:
        """Drop the pages idle for longer than ``idle_timeout``; return their tokens."""
        now = time.monotonic() if now is None else now
        with self._lock:
            idle = [
                token
                for token, session in self._pages.items()
                if session is not None and now - session.last_seen > self.limits.idle_timeout
            ]
        for token in idle:
            self.close(token)
        return idle

    def close_all(self) -> None:
        """Stop every page (server shutdown)."""
        for token in list(self._pages):
            self.close(token)
