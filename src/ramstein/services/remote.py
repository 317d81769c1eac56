"""Talking to a Ramstein host's log over HTTP, for mirrors and witnesses.

Everything goes through a small `Http` protocol that urllib implements in production and a
test client in tests; every failure becomes one sentence.
"""

from __future__ import annotations

import base64
import http.client
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Protocol

from ramstein.domain.errors import DomainError, InvalidValue
from ramstein.ledger.notes import Checkpoint, NoteError, split_note
from ramstein.ledger.verify import StoredEntry

LOG_PATH = "/api/v1/log"
PAGE = 1000
"""The most entries one request returns."""
TIMEOUT = 30.0
MAX_ANSWER = 64 * 1024 * 1024


# --- talking to a host ----------------------------------------------------------------------


class Http(Protocol):
    """GET and POST that return the answer's body, raising `HttpError` for an error status."""

    def fetch(self, url: str) -> bytes: ...

    def post(self, url: str, body: bytes) -> bytes: ...


class HttpError(Exception):
    """The server answered with an error status; `body` is what it said (a problem, usually)."""

    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(f"HTTP {status}")
        self.status = status
        self.body = body


class RemoteRefused(DomainError):
    """The host cannot be reached, refused a request, or answered something malformed."""

    code = "remote-refused"


class UrlHttp:
    """`Http` over urllib, with a timeout, a size limit and an optional bearer token."""

    def __init__(self, *, token: str | None = None, timeout: float = TIMEOUT) -> None:
        self.token = token
        self.timeout = timeout

    def _headers(self) -> dict[str, str]:
        headers = {"Accept": "application/json", "User-Agent": "ramstein"}
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        return headers

    def fetch(self, url: str) -> bytes:
        return self._send(urllib.request.Request(url, headers=self._headers()))

    def post(self, url: str, body: bytes) -> bytes:
        headers = self._headers() | {"Content-Type": "application/json"}
        return self._send(urllib.request.Request(url, data=body, headers=headers, method="POST"))

    def _send(self, request: urllib.request.Request) -> bytes:
        url = request.full_url
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:
                data: bytes = answer.read(MAX_ANSWER + 1)
        except urllib.error.HTTPError as error:
            body = error.read(65536)
            error.close()
            raise HttpError(error.code, body) from None
        except urllib.error.URLError as error:
            reason = getattr(error.reason, "strerror", None) or str(error.reason)
            raise RemoteRefused(f"{url} cannot be reached: {reason}.") from None
        except TimeoutError:
            raise RemoteRefused(f"{url} did not answer within {self.timeout:g} s.") from None
        except (OSError, http.client.HTTPException) as error:
            reason = getattr(error, "strerror", None) or str(error) or type(error).__name__
            raise RemoteRefused(f"{url} cannot be read: {reason}.") from None
        if len(data) > MAX_ANSWER:
            raise RemoteRefused(f"{url} sent more than {MAX_ANSWER // 2**20} MiB.")
        return data


def log_url(url: str) -> str:
    """The log's API address for a host's base URL (or for the log's address itself)."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InvalidValue("url", f"{url!r} is not an http:// or https:// address of a host.")
    if parts.query or parts.fragment:
        raise InvalidValue("url", f"{url!r} has a query or fragment; give the host's address.")
    path = parts.path.rstrip("/")
    if not path.endswith(LOG_PATH):
        path += LOG_PATH
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


@dataclass(frozen=True, slots=True)
class RemoteCheckpoint:
    """A checkpoint as a host serves it: the note is the truth, the rest is read from it."""

    checkpoint: Checkpoint
    note: str

    @property
    def size(self) -> int:
        return self.checkpoint.size

    @property
    def root(self) -> bytes:
        return self.checkpoint.root

    @property
    def origin(self) -> str:
        return self.checkpoint.origin


@dataclass(frozen=True, slots=True)
class RemoteHostKey:
    key: str
    since: int
    participant: str


@dataclass(frozen=True, slots=True)
class RemoteKeys:
    host_keys: list[RemoteHostKey]
    witnesses: list[str]
    quorum: int


class RemoteLog:
    """A host's log API, read (and cosigned) through `http`."""

    def __init__(self, url: str, http: Http) -> None:
        self.url = log_url(url)
        self.http = http

    def _refused(self, what: str, status: int, body: bytes) -> RemoteRefused:
        try:
            detail = str(json.loads(body)["detail"])
        except (ValueError, KeyError, TypeError):
            detail = f"it answered HTTP {status}"
        return RemoteRefused(f"The log at {self.url} refused {what}: {detail.rstrip('.')}.")

    def _json(self, path: str, what: str, body: bytes | None = None) -> Any:
        try:
            if body is None:
                data = self.http.fetch(self.url + path)
            else:
                data = self.http.post(self.url + path, body)
        except HttpError as error:
            raise self._refused(what, error.status, error.body) from None
        try:
            return json.loads(data)
        except ValueError:
            raise RemoteRefused(
                f"The log at {self.url} sent something other than JSON for {what}."
            ) from None

    def _malformed(self, what: str) -> RemoteRefused:
        return RemoteRefused(f"The log at {self.url} sent a malformed answer for {what}.")

    def _checkpoint(self, item: Any, what: str) -> RemoteCheckpoint:
        try:
            note = str(item["note"])
            body, _ = split_note(note)
            return RemoteCheckpoint(Checkpoint.parse(body), note)
        except (KeyError, TypeError, NoteError):
            raise self._malformed(what) from None

    def checkpoint(self) -> RemoteCheckpoint:
        what = "its latest checkpoint"
        return self._checkpoint(self._json("/checkpoint", what), what)

    def checkpoints(self) -> list[RemoteCheckpoint]:
        found = self._json("/checkpoints", "its checkpoints")
        if not isinstance(found, list):
            raise self._malformed("its checkpoints")
        return [self._checkpoint(item, "its checkpoints") for item in found]

    def entries(self, *, after: int, limit: int = PAGE) -> list[StoredEntry]:
        what = f"the entries after {after}"
        page = self._json(f"/entries?after={after}&limit={limit}", what)
        try:
            return [
                StoredEntry(
                    int(e["seq"]),
                    str(e["leaf"]).encode(),
                    bytes.fromhex(e["salt"]) if e["salt"] is not None else None,
                    str(e["payload"]).encode() if e["payload"] is not None else None,
                )
                for e in page["entries"]
            ]
        except (KeyError, TypeError, ValueError):
            raise self._malformed(what) from None

    def entries_between(self, after: int, upto: int) -> Iterator[StoredEntry]:
        """Entries after+1..upto, page by page; refuses gaps and short answers."""
        seq = after
        while seq < upto:
            page = self.entries(after=seq, limit=min(PAGE, upto - seq))
            if not page:
                raise RemoteRefused(
                    f"The log at {self.url} has a checkpoint of size {upto} but serves only "
                    f"{seq} entries."
                )
            for entry in page:
                if entry.seq != seq + 1:
                    raise RemoteRefused(
                        f"The log at {self.url} sent entry {entry.seq} where {seq + 1} was due."
                    )
                seq += 1
                yield entry
                if seq == upto:
                    return

    def _proof(self, path: str, what: str) -> list[bytes]:
        found = self._json(path, what)
        try:
            return [base64.b64decode(h, validate=True) for h in found["proof"]]
        except (KeyError, TypeError, ValueError):
            raise self._malformed(what) from None

    def consistency(self, old: int, new: int) -> list[bytes]:
        what = f"a consistency proof from size {old} to {new}"
        return self._proof(f"/proof/consistency?from={old}&to={new}", what)

    def inclusion(self, seq: int, size: int) -> list[bytes]:
        what = f"an inclusion proof of entry {seq} in size {size}"
        return self._proof(f"/proof/inclusion?seq={seq}&size={size}", what)

    def keys(self) -> RemoteKeys:
        found = self._json("/keys", "its keys")
        try:
            return RemoteKeys(
                host_keys=[
                    RemoteHostKey(str(k["key"]), int(k["since_seq"]), str(k["participant"]))
                    for k in found["host_keys"]
                ],
                witnesses=[str(w["key"]) for w in found["witnesses"]],
                quorum=int(found["quorum"]),
            )
        except (KeyError, TypeError, ValueError):
            raise self._malformed("its keys") from None

    def post_cosignature(self, size: int, line: str) -> None:
        body = json.dumps({"size": size, "line": line}).encode()
        self._json("/cosignatures", f"the cosignature of size {size}", body)
