"""/api/v1/log: what mirrors and witnesses read and post, redaction by token, and problems."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient

from ramstein.api.app import create_app
from ramstein.domain.releasability import Role
from ramstein.ledger.merkle import leaf_hash, verify_consistency, verify_inclusion
from ramstein.ledger.notes import Checkpoint, Signer, Verifier, open_note
from ramstein.services import log, users
from ramstein.store.engine import Store
from tests.factories import CLOCK, HOST_A, WITNESS, setup_coalition
from tests.system.support import hold_meeting, pledge_round

PREFIX = "/api/v1/log"


@dataclass
class Host:
    client: TestClient
    first: int
    second: int
    chair_token: str
    donor_token: str

    def get(self, path: str, token: str | None = None) -> object:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        answer = self.client.get(PREFIX + path, headers=headers)
        assert answer.status_code == 200, answer.text
        return answer.json()


def _token(store: Store, name: str, participant: str, role: Role) -> str:
    with store.write(clock=CLOCK) as uow:
        users.add_user(conn=uow.conn, name=name, participant=participant, roles=[role])
        _, secret = users.issue_token(conn=uow.conn, user=name)
    return secret


@pytest.fixture
def host(store: Store) -> Iterator[Host]:
    """A host with two signed checkpoints, a registered witness (DEU) and two tokens."""
    c = setup_coalition(store)
    with store.write(clock=CLOCK) as uow:
        log.set_witness(uow=uow, actor=c.chair, participant="DEU", key=WITNESS.cosigner_key())
    pledge_round(store, c)
    first = hold_meeting(store, c.chair, HOST_A)
    pledge_round(store, c)
    second = hold_meeting(store, c.chair, HOST_A, day=3)
    chair_token = _token(store, "usa-chair", "USA", Role.CHAIR)
    donor_token = _token(store, "deu-donor", "DEU", Role.DONOR)
    with TestClient(create_app(store=store)) as client:
        yield Host(client, first, second, chair_token, donor_token)


def _problem(answer: object, status: int) -> dict[str, object]:
    assert answer.status_code == status, answer.text  # type: ignore[attr-defined]
    assert answer.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body: dict[str, object] = answer.json()  # type: ignore[attr-defined]
    assert (
        {"type", "title", "status", "detail"}
        <= set(body)
        <= {
            "type",
            "title",
            "status",
            "detail",
            "errors",
        }
    )
    assert body["status"] == status
    return body


def test_no_checkpoint_yet_is_a_404_problem(store: Store) -> None:
    with TestClient(create_app(store=store)) as client:
        body = _problem(client.get(f"{PREFIX}/checkpoint"), 404)
    assert body["detail"] == "There is no signed checkpoint yet."


def test_the_latest_checkpoint_is_a_note_signed_by_the_host(host: Host) -> None:
    found = host.get("/checkpoint")
    assert isinstance(found, dict)
    assert (found["size"], found["origin"]) == (host.second, HOST_A.origin)
    text, verified = open_note(found["note"], [HOST_A.signer.verifier()])
    assert [v.name for v in verified] == [HOST_A.origin]
    assert Checkpoint.parse(text).root.hex() == found["root"]
    listed = host.get("/checkpoints")
    assert isinstance(listed, list)
    assert [c["size"] for c in listed] == [host.first, host.second]
    assert listed[-1] == found


def _payloads(host: Host, token: str | None) -> dict[str, int]:
    page = host.get("/entries?after=0&limit=1000", token)
    assert isinstance(page, dict)
    shown = {"public": 0, "coalition": 0, "restricted": 0}
    for e in page["entries"]:
        level = json.loads(e["leaf"])["releasability"]
        if e["payload"] is not None:
            assert e["salt"] is not None
            shown[level] += 1
        else:
            assert e["salt"] is None
    return shown


def test_payloads_are_shown_as_a_bundle_for_that_viewer_would_show_them(host: Host) -> None:
    public = _payloads(host, None)
    donor = _payloads(host, host.donor_token)
    chair = _payloads(host, host.chair_token)
    assert public["coalition"] == public["restricted"] == 0 and public["public"] > 0
    assert donor["coalition"] == 2 and donor["restricted"] == 0  # restricted to UKR and NLD
    assert chair["coalition"] == 2 and chair["restricted"] == 2
    assert chair["public"] == donor["public"] == public["public"]


def test_a_bad_token_or_scheme_is_a_401_problem_everywhere(host: Host) -> None:
    for path in ("/entries", "/checkpoint", "/keys"):
        answer = host.client.get(PREFIX + path, headers={"Authorization": "Bearer rst_nope"})
        body = _problem(answer, 401)
        assert body["detail"] == "The token is unknown, expired or revoked."
        assert answer.headers["www-authenticate"] == "Bearer"
    answer = host.client.get(PREFIX + "/entries", headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert "Bearer <token>" in str(_problem(answer, 401)["detail"])


def test_entries_come_in_pages_after_a_sequence_number(host: Host) -> None:
    page = host.get("/entries?after=0&limit=5")
    assert isinstance(page, dict)
    assert [e["seq"] for e in page["entries"]] == [1, 2, 3, 4, 5]
    assert page["size"] == host.second
    page = host.get("/entries?after=5&limit=3")
    assert isinstance(page, dict)
    assert [e["seq"] for e in page["entries"]] == [6, 7, 8]
    page = host.get(f"/entries?after={host.second - 1}")
    assert isinstance(page, dict)
    assert [e["seq"] for e in page["entries"]] == [host.second]
    assert host.get(f"/entries?after={host.second}") == {"entries": [], "size": host.second}
    body = _problem(host.client.get(f"{PREFIX}/entries?limit=1001"), 422)
    assert "limit" in str(body["detail"])
    _problem(host.client.get(f"{PREFIX}/entries?after=-1"), 422)


def test_proofs_verify_against_the_signed_roots(host: Host) -> None:
    listed = host.get("/checkpoints")
    assert isinstance(listed, list)
    old, new = (bytes.fromhex(c["root"]) for c in listed)
    found = host.get(f"/proof/consistency?from={host.first}&to={host.second}")
    assert isinstance(found, dict)
    proof = [base64.b64decode(h) for h in found["proof"]]
    verify_consistency(host.first, host.second, old, new, proof)
    page = host.get("/entries?after=2&limit=1")
    assert isinstance(page, dict)
    leaf = page["entries"][0]["leaf"].encode()
    found = host.get(f"/proof/inclusion?seq=3&size={host.second}")
    assert isinstance(found, dict)
    proof = [base64.b64decode(h) for h in found["proof"]]
    verify_inclusion(leaf_hash(leaf), 2, host.second, proof, new)
    body = _problem(host.client.get(f"{PREFIX}/proof/consistency?from=3&to=999"), 404)
    assert "3 and 999" in str(body["detail"])
    _problem(host.client.get(f"{PREFIX}/proof/consistency?from=0&to=3"), 422)
    _problem(host.client.get(f"{PREFIX}/proof/inclusion?seq=9&size=4"), 404)


def test_keys_list_the_host_key_chain_and_the_witnesses(host: Host) -> None:
    found = host.get("/keys")
    assert isinstance(found, dict)
    assert [(k["number"], k["key"], k["participant"]) for k in found["host_keys"]] == [
        (1, HOST_A.signer.verifier_key(), "USA")
    ]
    assert found["host_keys"][0]["since_seq"] <= host.first
    assert found["witnesses"] == [{"participant": "DEU", "key": WITNESS.cosigner_key()}]
    assert found["quorum"] == 0


def _cosign(host: Host, signer: Signer, size: int, timestamp: int = 1_750_000_000) -> object:
    found = host.get("/checkpoint")
    assert isinstance(found, dict)
    body = Checkpoint.parse(found["note"].split("\n\n")[0] + "\n")
    line = signer.cosign(body, timestamp)
    return host.client.post(f"{PREFIX}/cosignatures", json={"size": size, "line": line})


def test_a_registered_witness_cosignature_is_stored(host: Host) -> None:
    answer = _cosign(host, WITNESS, host.second)
    assert answer.status_code == 200, answer.text  # type: ignore[attr-defined]
    assert answer.json()["cosigners"] == ["DEU"]  # type: ignore[attr-defined]
    note = host.get("/checkpoint")["note"]  # type: ignore[index]
    _, verified = open_note(note, [HOST_A.signer.verifier(), WITNESS.cosigner()])
    assert [(v.kind, v.timestamp) for v in verified] == [
        ("ed25519", None),
        ("cosignature/v1", 1_750_000_000),
    ]


def test_an_unregistered_witness_is_refused_and_an_unknown_size_is_404(host: Host) -> None:
    stranger = Signer.generate("witness.stranger.example")
    body = _problem(_cosign(host, stranger, host.second), 403)
    assert "does not verify with any registered witness key" in str(body["detail"])
    body = _problem(_cosign(host, WITNESS, host.second + 1), 404)
    assert body["detail"] == f"There is no checkpoint of size {host.second + 1}."
    assert host.get("/checkpoint")["cosigners"] == []  # type: ignore[index]


def test_a_forged_line_cannot_replace_a_stored_cosignature(host: Host) -> None:
    assert _cosign(host, WITNESS, host.second).status_code == 200  # type: ignore[attr-defined]
    good = host.get("/checkpoint")["note"]  # type: ignore[index]
    # The witness's name and key ID, with signature bytes that verify nothing.
    forged = base64.b64encode(WITNESS.cosigner().key_id + bytes(72)).decode()
    answer = host.client.post(
        f"{PREFIX}/cosignatures",
        json={"size": host.second, "line": f"\u2014 {WITNESS.name} {forged}"},
    )
    _problem(answer, 403)
    assert host.get("/checkpoint")["note"] == good  # type: ignore[index]
    open_note(good, [Verifier.parse(WITNESS.cosigner_key())])


def test_a_malformed_cosignature_is_a_422_problem(host: Host) -> None:
    for line in ("not a signature", "\u2014 name AAAA\n\u2014 other AAAA", ""):
        answer = host.client.post(
            f"{PREFIX}/cosignatures", json={"size": host.second, "line": line}
        )
        _problem(answer, 422)
    _problem(host.client.post(f"{PREFIX}/cosignatures", json={"size": host.second}), 422)
