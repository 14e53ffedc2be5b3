"""Each open page's conversation and its questions in flight, kept on the server (the browser keeps a copy).

Handlers render the chat from here, never from what the browser sent: two questions asked while the
server is busy would otherwise each start from a chat without the other. Questions of one page are
answered one at a time, in the order asked; a question asked meanwhile waits its turn.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from assistant.types import Answer
from webui.view import MAX_SAVED_TURNS, Turn

FORGET_AFTER_S = 6 * 3600  # a page not heard from for this long is forgotten (its browser keeps the conversation)


@dataclass
class Asked:
    """A question of a page, waiting or being answered."""

    n: int
    question: str
    history: list  # the earlier questions its follow-up may lean on
    claimed: bool = False
    turn: Turn | None = None
    draft: Answer | None = None  # what the LLM has written of the answer so far, unchecked


@dataclass
class Page:
    turns: list = field(default_factory=list)  # answered (or refused) turns, oldest first
    asked: list = field(default_factory=list)  # questions in flight, oldest first
    showing: list = field(default_factory=list)  # answered, their chat not yet sent to the browser
    seen: float = 0.0


class Pages:
    """Conversations by session id, with a condition that wakes questions waiting their turn."""

    def __init__(self, *, wait_s: float = 300.0):
        self.wait_s = wait_s  # the longest a question waits for those ahead of it
        self._pages: dict[str, Page] = {}
        self._changed = threading.Condition()

    def _page(self, session: str) -> Page:
        now = time.monotonic()
        for key in [k for k, p in self._pages.items() if p.seen < now - FORGET_AFTER_S and not p.asked]:
            del self._pages[key]
        page = self._pages.setdefault(session, Page())
        page.seen = now
        return page

    def restore(self, session: str, turns: list[Turn]) -> None:
        """Start the page's conversation from what its browser saved (a reload)."""
        with self._changed:
            page = self._page(session)
            if not page.turns and not page.asked:
                page.turns = list(turns)[-MAX_SAVED_TURNS:]

    def view(self, session: str) -> tuple[list[Turn], list[Asked]]:
        """The page's turns and its questions in flight, as they are now."""
        with self._changed:
            page = self._page(session)
            return list(page.turns), list(page.asked)

    def add(self, session: str, n: int, question: str) -> None:
        """Ask question `n`; answered questions and those still in flight count as its history."""
        with self._changed:
            page = self._page(session)
            earlier = [t.question for t in page.turns if t.answered] + [a.question for a in page.asked]
            page.asked.append(Asked(n, question, earlier))

    def note(self, session: str, turn: Turn) -> None:
        """A turn that needs no answering (a refused question), shown after the others."""
        with self._changed:
            self._page(session).turns.append(turn)

    def claim(self, session: str) -> Asked | None:
        """The oldest question nobody answers yet, once every question before it has its turn; None if none."""
        with self._changed:
            page = self._page(session)
            asked = next((a for a in page.asked if not a.claimed), None)
            if asked is None:
                return None
            asked.claimed = True
            # Those ahead leave page.asked when answered; one that never finishes is not waited for forever.
            self._changed.wait_for(lambda: self._waiting(session, asked) != "behind", self.wait_s)
            return asked if self._waiting(session, asked) != "gone" else None

    def _waiting(self, session: str, asked: Asked) -> str:
        page = self._pages.get(session)
        if page is None or asked not in page.asked:
            return "gone"  # cleared, or the page was closed
        # The answer before it must also have been sent: a chat shown later than this one's would hide it.
        return "first" if page.asked[0] is asked and not page.showing else "behind"

    def finish(self, session: str, asked: Asked, turn: Turn) -> None:
        """The answer to `asked` joins the conversation; the next question goes once `shown` says it was sent.

        Two answers' chats travel in two events; were the second answered while the first's chat is
        still on its way, the first's (with the second still pending) could arrive last and stay.
        """
        with self._changed:
            page = self._page(session)
            if asked in page.asked:
                page.asked.remove(asked)
                page.turns.append(turn)
                page.turns = page.turns[-MAX_SAVED_TURNS:]
                page.showing.append(asked)
            self._changed.notify_all()

    def shown(self, session: str, asked: Asked) -> None:
        """The chat with `asked`'s answer has gone to the browser: the next question may go."""
        with self._changed:
            page = self._pages.get(session)
            if page is not None and asked in page.showing:
                page.showing.remove(asked)
            self._changed.notify_all()

    def clear(self, session: str) -> None:
        with self._changed:
            self._pages[session] = Page(seen=time.monotonic())
            self._changed.notify_all()

    def close(self, session: str) -> None:
        """The page was closed: forget it, and let its waiting questions go."""
        with self._changed:
            self._pages.pop(session, None)
            self._changed.notify_all()
