"""The meeting pages and the log page over HTTP, as the public and as the signed-in chair."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from ramstein.domain.releasability import Role
from tests import factories as f
from tests.api.coalition import ApiCoalition
from tests.web.support import csrf_of
from tests.web.support import sign_in as signed_in

VERSION = re.compile(
    r'action="/meetings/\d+/decisions">\s*<input[^>]*>\s*<input type="hidden" '
    r'name="version" value="(\d+)"'
)


def sign_in(client: TestClient, api: ApiCoalition, role: Role) -> None:
    signed_in(client, api.tokens[role] or "")


def test_the_meeting_list_links_each_meeting_newest_first(
    api: ApiCoalition, client: TestClient
) -> None:
    shown = client.get("/meetings")
    assert shown.status_code == 200
    links = re.findall(r'href="/meetings/(\d+)"', shown.text)
    assert links == [str(api.next_meeting), str(api.open_meeting)]
    assert "Ramstein Air Base" in shown.text and "<th" in shown.text


def test_the_public_sees_the_meeting_with_public_read_outs_only(
    api: ApiCoalition, client: TestClient
) -> None:
    shown = client.get(f"/meetings/{api.open_meeting}")
    assert shown.status_code == 200
    html = shown.text
    for fmt, name in (("pdf", "PDF"), ("html", "HTML"), ("md", "Markdown")):
        assert f"Read-out for the public ({name})" in html
        assert f"/meetings/{api.open_meeting}/readout?audience=public&amp;format={fmt}" in html
    assert "coalition members" not in html
    assert "A public decision" in html and "Ramstein Air Base" in html
    assert "Agenda" in html and "Attendance" in html and "minister" in html
    for canary in api.hidden_canaries(Role.PUBLIC):
        assert canary not in html
    assert "Report to the group" not in html  # coalition action items
    assert 'action="/meetings/' not in html  # no chair forms
    assert client.get("/meetings/999").status_code == 404


def test_a_donor_sees_its_own_read_outs_and_the_restricted_decision_released_to_it(
    api: ApiCoalition, client: TestClient
) -> None:
    sign_in(client, api, Role.DONOR)
    html = client.get(f"/meetings/{api.open_meeting}").text
    assert "Read-out for coalition members (Markdown)" in html
    assert "Read-out for DEU (PDF)" in html
    assert "audience=DEU&amp;format=md" in html
    assert "CANARY[decision-restricted]" in html
    assert 'action="/meetings/' not in html
    sign_in(client, api, Role.OBSERVER)
    html = client.get(f"/meetings/{api.open_meeting}").text
    assert "Read-out for EU (HTML)" in html
    for canary in api.hidden_canaries(Role.OBSERVER):
        assert canary not in html


def test_the_chair_records_an_action_item_through_the_form(
    api: ApiCoalition, client: TestClient
) -> None:
    sign_in(client, api, Role.CHAIR)
    path = f"/meetings/{api.open_meeting}"
    html = client.get(path).text
    version = VERSION.search(html)
    assert version is not None
    done = client.post(
        f"{path}/decisions",
        data={
            "csrf": csrf_of(html),
            "version": version.group(1),
            "text": "Deliver the winter kits",
            "owner": "DEU",
            "kind": "action",
            "due_on": "2025-03-01",
            "releasability": "coalition",
            "releasable_to": "",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == f"{path}?done=decision"
    after = client.get(done.headers["location"]).text
    assert "The decision was recorded." in after and "Deliver the winter kits" in after
    assert "2025-03-01" in after


def test_a_stale_version_is_refused_with_the_conflict_sentence(
    api: ApiCoalition, client: TestClient
) -> None:
    sign_in(client, api, Role.CHAIR)
    path = f"/meetings/{api.open_meeting}"
    html = client.get(path).text
    version = VERSION.search(html)
    assert version is not None
    form = {
        "csrf": csrf_of(html),
        "version": str(int(version.group(1)) - 1),
        "text": "Too late",
        "owner": "USA",
        "kind": "decision",
        "releasability": "public",
    }
    stale = client.post(f"{path}/decisions", data=form)
    assert stale.status_code == 409
    assert (
        f"Meeting {api.open_meeting} was changed by someone else since you opened it; "
        "nothing was saved." in stale.text
    )
    assert 'role="alert"' in stale.text
    assert "Too late" not in client.get(path).text


def test_a_refused_decision_says_why_and_saves_nothing(
    api: ApiCoalition, client: TestClient
) -> None:
    sign_in(client, api, Role.CHAIR)
    path = f"/meetings/{api.open_meeting}"
    html = client.get(path).text
    version = VERSION.search(html)
    assert version is not None
    refused = client.post(
        f"{path}/decisions",
        data={
            "csrf": csrf_of(html),
            "version": version.group(1),
            "text": "No date given",
            "owner": "DEU",
            "kind": "action",
            "releasability": "coalition",
        },
    )
    assert refused.status_code == 422
    assert "An action item needs the date it is due." in refused.text
    assert 'role="alert"' in refused.text
    assert "No date given" in refused.text  # kept in the form
    forged = client.post(f"{path}/decisions", data={**dict(version="0"), "csrf": "forged"})
    assert forged.status_code == 403


def test_a_bad_round_lists_its_bad_line_and_a_good_one_is_recorded(
    api: ApiCoalition, client: TestClient
) -> None:
    sign_in(client, api, Role.CHAIR)
    path = f"/meetings/{api.open_meeting}"
    csrf = csrf_of(client.get(path).text)
    bad_csv = f"donor,item_type,quantity\nDEU,{f.SHELL},10\nPOL,{f.SHELL},many\n"
    bad = client.post(f"{path}/round", data={"csrf": csrf, "csv": bad_csv})
    assert bad.status_code == 422
    assert "line 3, column quantity" in bad.text and "a whole number" in bad.text
    assert "POL,155mm-shell,many" in bad.text  # the pasted round is kept
    good_csv = f"donor,item_type,quantity,releasability\nDEU,{f.SHELL},10,public\n"
    done = client.post(
        f"{path}/round", data={"csrf": csrf, "csv": good_csv}, follow_redirects=False
    )
    assert done.status_code == 303
    after = client.get(done.headers["location"]).text
    assert "The announcement round was recorded." in after
    assert re.search(r"<td>DEU</td><td>[^<]+</td><td class=\"num\">10</td>", after)
    refused = client.post(
        f"{path}/round",
        data={"csrf": csrf, "csv": "donor,item_type,quantity\nDEU,no-such-item,5\n"},
    )
    assert refused.status_code == 422
    assert "Announcement 1 (DEU, no-such-item) was refused" in refused.text


def test_the_chair_moves_the_next_meeting_along(api: ApiCoalition, client: TestClient) -> None:
    sign_in(client, api, Role.CHAIR)
    path = f"/meetings/{api.next_meeting}"
    html = client.get(path).text
    assert "Send the invitations" in html and "Close the meeting" not in html
    version = re.search(r'name="version" value="(\d+)"', html)
    assert version is not None
    done = client.post(
        f"{path}/status",
        data={"csrf": csrf_of(html), "version": version.group(1), "status": "invited"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    after = client.get(path).text
    assert "<dd>invited</dd>" in after and "Mark it as held" in after
    again = client.post(
        f"{path}/status",
        data={"csrf": csrf_of(html), "version": version.group(1), "status": "held"},
    )
    assert again.status_code == 409


def test_the_markdown_read_out_downloads_as_an_attachment(
    api: ApiCoalition, client: TestClient
) -> None:
    got = client.get(f"/meetings/{api.open_meeting}/readout?audience=public&format=md")
    assert got.status_code == 200
    assert got.headers["content-type"].startswith("text/markdown")
    assert got.headers["content-disposition"] == (
        f'attachment; filename="meeting-{api.open_meeting}-readout-public.md"'
    )
    for canary in api.hidden_canaries(Role.PUBLIC):
        assert canary not in got.text
    denied = client.get(f"/meetings/{api.open_meeting}/readout?audience=coalition&format=md")
    assert denied.status_code == 403 and 'role="alert"' in denied.text
    unknown = client.get(f"/meetings/{api.open_meeting}/readout?audience=a:b:c&format=md")
    assert unknown.status_code == 422
    assert client.get(f"/meetings/{api.open_meeting}/readout?format=doc").status_code == 422
    assert client.get("/meetings/999/readout?format=md").status_code == 404


def test_the_log_page_lists_checkpoints_and_verifies_on_request(
    api: ApiCoalition, client: TestClient
) -> None:
    shown = client.get("/log")
    assert shown.status_code == 200
    assert "Checkpoints" in shown.text and "1 signed checkpoint," in shown.text
    assert "Quorum: 0" in shown.text and "Verify the log now" not in shown.text
    assert client.post("/log/verify", data={"csrf": "x"}).status_code == 403
    sign_in(client, api, Role.OBSERVER)
    html = client.get("/log").text
    assert "Verify the log now" in html
    checked = client.post("/log/verify", data={"csrf": csrf_of(html)})
    assert checked.status_code == 200
    assert "The log verified:" in checked.text
    assert client.post("/log/verify", data={"csrf": "forged"}).status_code == 403


def test_what_visitors_send_is_escaped(api: ApiCoalition, client: TestClient) -> None:
    bad = client.get(f"/meetings/{api.open_meeting}/readout?audience=<b>x:y:z</b>&format=md")
    assert bad.status_code == 422 and "<b>" not in bad.text and "&lt;b&gt;" in bad.text
    sign_in(client, api, Role.CHAIR)
    path = f"/meetings/{api.open_meeting}"
    html = client.get(path).text
    version = VERSION.search(html)
    assert version is not None
    client.post(
        f"{path}/decisions",
        data={
            "csrf": csrf_of(html),
            "version": version.group(1),
            "text": "<script>alert(1)</script>",
            "owner": "USA",
            "kind": "decision",
            "releasability": "public",
        },
    )
    shown = client.get(path).text
    assert "<script>alert(1)</script>" not in shown and "&lt;script&gt;alert(1)" in shown


def test_closing_a_meeting_signs_a_checkpoint(api: ApiCoalition, client: TestClient) -> None:
    sign_in(client, api, Role.CHAIR)
    path = f"/meetings/{api.open_meeting}"
    html = client.get(path).text
    version = re.search(r'name="version" value="(\d+)"', html)
    assert version is not None
    done = client.post(
        f"{path}/status",
        data={"csrf": csrf_of(html), "version": version.group(1), "status": "closed"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert "<dd>closed</dd>" in client.get(path).text
    assert "2 signed checkpoints, newest first." in client.get("/log").text
