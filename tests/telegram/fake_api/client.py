"""A synchronous client of a fake Bot API running in another process."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import Any

from tests.telegram.fake_api.constants import (
    DEFAULT_TOKEN,
    JSON,
)


class FakeClient:
    """Sync (urllib) client for a fake running in another process: control API + raw calls."""

    def __init__(
        self, server: int | str, *, host: str = "127.0.0.1", token: str = DEFAULT_TOKEN
    ) -> None:
        """Point at a port on host, or at a URL like http://127.0.0.1:PORT (a /bot suffix is ok)."""
        if isinstance(server, str):
            parts = urllib.parse.urlsplit(server)
            if parts.hostname is None or parts.port is None:
                raise ValueError(f"expected http://HOST:PORT, got {server!r}")
            host, server = parts.hostname, parts.port
        self.host = host
        self.port = server
        self.token = token  # only for call(); the control API needs none
        self.timeout = 5.0

    @property
    def base_url(self) -> str:
        """The base_url to give the bot (TELEGRAM_API_BASE_URL)."""
        return f"http://{self.host}:{self.port}/bot"

    def _request(self, path: str, body: JSON | None = None) -> Any:
        """GET (body None) or JSON POST to the server; the decoded JSON answer."""
        url = f"http://{self.host}:{self.port}{path}"
        data = None if body is None else json.dumps(body).encode()
        headers = {} if body is None else {"Content-Type": "application/json"}
        request = urllib.request.Request(url, data=data, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                raw = response.read()
        except urllib.error.HTTPError as exc:
            raw = exc.read()
        content = json.loads(raw) if raw[:1] in (b"{", b"[") else raw.decode()
        if (
            isinstance(content, dict)
            and content.get("ok") is False
            and path.startswith("/_control")
        ):
            raise RuntimeError(f"control call {path} failed: {content.get('description')}")
        return content

    def _control(self, action: str, **body: Any) -> Any:
        """POST /_control/<action>; its result."""
        return self._request(f"/_control/{action}", body)["result"]

    def call(self, method: str, **params: Any) -> JSON:
        """Call a Bot API method with a JSON body, as the bot would; the raw envelope."""
        result: JSON = self._request(f"/bot{self.token}/{method}", params)
        return result

    def user_sends(
        self, chat_id: int, text: str, *, chat_type: str = "private", user_id: int | None = None
    ) -> int:
        """See FakeBotAPI.user_sends."""
        return int(
            self._control("send", chat_id=chat_id, text=text, chat_type=chat_type, user_id=user_id)
        )

    def user_taps(
        self, chat_id: int, data: str, *, message_id: int | None = None, check_button: bool = True
    ) -> int:
        """See FakeBotAPI.user_taps."""
        return int(
            self._control(
                "tap", chat_id=chat_id, data=data, message_id=message_id, check_button=check_button
            )
        )

    def redeliver(self, update_id: int) -> None:
        """See FakeBotAPI.redeliver."""
        self._control("redeliver", update_id=update_id)

    def fail_next(
        self,
        method: str,
        n: int,
        *,
        code: int = 429,
        retry_after: int = 1,
        description: str | None = None,
        chat_id: int | None = None,
    ) -> None:
        """See FakeBotAPI.fail_next."""
        self._control(
            "fail",
            method=method,
            n=n,
            code=code,
            retry_after=retry_after,
            description=description,
            chat_id=chat_id,
        )

    def user_sends_other(self, chat_id: int, kind: str = "sticker") -> int:
        """See FakeBotAPI.user_sends_other."""
        return int(self._control("send_other", chat_id=chat_id, kind=kind))

    def user_edits(self, chat_id: int, text: str) -> int:
        """See FakeBotAPI.user_edits."""
        return int(self._control("edit", chat_id=chat_id, text=text))

    def inject(self, body: JSON) -> int:
        """See FakeBotAPI.inject."""
        return int(self._control("inject", body=body))

    def block_chat(self, chat_id: int) -> None:
        """See FakeBotAPI.block_chat."""
        self._control("block", chat_id=chat_id)

    def unblock_chat(self, chat_id: int) -> None:
        """See FakeBotAPI.unblock_chat."""
        self._control("unblock", chat_id=chat_id)

    def add_chat(self, chat_id: int, chat_type: str = "private") -> None:
        """See FakeBotAPI.add_chat."""
        self._control("add_chat", chat_id=chat_id, chat_type=chat_type)

    def set_latency(self, seconds: float) -> None:
        """Seconds added to every Bot API response."""
        self._control("latency", seconds=seconds)

    def sent(self, chat_id: int) -> list[JSON]:
        """See FakeBotAPI.sent."""
        result: list[JSON] = self._request(f"/_control/sent?chat_id={chat_id}")
        return result

    def edits(self, chat_id: int) -> list[JSON]:
        """Every edit of the bot's messages in a chat (text or keyboard), oldest first."""
        result: list[JSON] = self._request(f"/_control/edits?chat_id={chat_id}")
        return result

    def actions(self, chat_id: int) -> list[JSON]:
        """Every chat action sent to a chat, oldest first (each with its `seq`)."""
        result: list[JSON] = self._request(f"/_control/actions?chat_id={chat_id}")
        return result

    def texts(self, chat_id: int) -> list[str]:
        """See FakeBotAPI.texts."""
        return [e.get("text") or e.get("caption") or "" for e in self.sent(chat_id)]

    def plain_texts(self, chat_id: int) -> list[str]:
        """See FakeBotAPI.plain_texts."""
        return [e.get("plain") or "" for e in self.sent(chat_id)]

    def calls(self) -> list[tuple[str, JSON]]:
        """See FakeBotAPI.calls."""
        return [(name, params) for name, params in self._request("/_control/calls")]

    def state(self) -> JSON:
        """commands, answered_callbacks, pending_updates, errors, webhook, latest message."""
        result: JSON = self._request("/_control/state")
        return result

    def dump(self) -> str:
        """See FakeBotAPI.dump."""
        return str(self._request("/_control/dump"))

    def wait_for(
        self, predicate: Callable[[], bool], timeout: float = 10, interval: float = 0.05
    ) -> None:
        """Poll predicate until true (exceptions count as false) or raise TimeoutError."""
        deadline = time.monotonic() + timeout
        last_exc: BaseException | None = None
        while True:
            try:
                if predicate():
                    return
            except Exception as exc:
                last_exc = exc
            if time.monotonic() >= deadline:
                note = f" (predicate last raised {last_exc!r})" if last_exc else ""
                try:
                    dump = self.dump()
                except OSError as exc:
                    dump = f"(fake unreachable: {exc!r})"
                raise TimeoutError(f"condition not met within {timeout}s{note}\n{dump}")
            time.sleep(interval)

    def wait_for_texts(self, chat_id: int, count: int, timeout: float = 10) -> list[str]:
        """Wait until the bot sent at least count messages to chat_id; their texts."""
        self.wait_for(lambda: len(self.texts(chat_id)) >= count, timeout)
        return self.texts(chat_id)

    def update_ids(self, chat_id: int) -> list[int]:
        """See FakeBotAPI.update_ids."""
        return [int(u) for u in self._request(f"/_control/updates?chat_id={chat_id}")]

    # Short aliases.
    send = user_sends
    tap = user_taps
    block = block_chat
    unblock = unblock_chat
    fail = fail_next
