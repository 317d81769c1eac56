"""The web UI without a browser: sessions, CSRF, need-to-know on pages, forms and conflicts."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from ramstein.domain.releasability import Role
from ramstein.web.sessions import COOKIE, Sealer, load_key
from tests import factories as f
from tests.api.coalition import ApiCoalition
from tests.web.support import csrf_of, sign_in

ROLES = [Role.CHAIR, Role.RECIPIENT, Role.DONOR, Role.COALITION_LEAD, Role.OBSERVER]


@pytest.mark.parametrize("role", [Role.PUBLIC, *ROLES], ids=lambda r: r.value)
def test_each_visitor_sees_only_what_it_may(
    api: ApiCoalition, client: TestClient, role: Role
) -> None:
    token = api.tokens[role]
    if token:
        sign_in(client, token)
    pages = ("/", "/needs", "/pledges", f"/pledges/{api.pledge_of.get(role, 1)}", "/donors",
             "/donors/DEU", "/funds", f"/funds/{f.FUND}", "/baselines", f"/baselines/{f.BASELINE}",
             "/coalitions", "/coalitions/arty", "/matching")  # fmt: skip
    for path in pages:
        answer = client.get(path)
        assert answer.status_code in (200, 404), path
        leaked = {c for c in api.hidden_canaries(role) if c in answer.text}
        assert not leaked, f"{path} shows {role.value} records it may not see: {sorted(leaked)}"
    assert ("Sign out" in client.get("/").text) is (token is not None)


def test_a_bad_token_and_a_forged_form_are_refused(api: ApiCoalition, client: TestClient) -> None:
    form = client.get("/signin")
    bad = client.post("/signin", data={"token": "nope", "csrf": csrf_of(form.text)})
    assert bad.status_code == 401 and "unknown, expired or revoked" in bad.text
    forged = client.post("/signin", data={"token": api.tokens[Role.CHAIR], "csrf": "guess"})
    assert forged.status_code == 403
    sign_in(client, api.tokens[Role.DONOR] or "")
    refused = client.post("/pledges/new", data={"quantity": "5", "csrf": "guess"})
    assert refused.status_code == 403 and "The form has expired" in refused.text
    client.cookies.clear()
    client.cookies.set(COOKIE, "not-a-session")
    assert "Public portal" in client.get("/").text


def test_a_pledge_announced_through_the_form_shows_on_the_dashboard(
    api: ApiCoalition, client: TestClient
) -> None:
    sign_in(client, api.tokens[Role.DONOR] or "")
    form = client.get("/pledges/new")
    wrong = client.post(
        "/pledges/new",
        data={"csrf": csrf_of(form.text), "donor": "DEU", "item_type": f.SHELL, "quantity": "x"},
    )
    assert wrong.status_code == 422 and 'id="quantity-error"' in wrong.text
    made = client.post(
        "/pledges/new",
        data={
            "csrf": csrf_of(form.text),
            "donor": "DEU",
            "item_type": f.SHELL,
            "quantity": "777",
            "tranche_quantity": "700",
            "tranche_on": "2099-12-01",
            "releasability": "public",
        },  # fmt: skip
        follow_redirects=False,
    )
    assert made.status_code == 303
    detail = client.get(made.headers["location"])
    assert "777" in detail.text and "badge-public" in detail.text
    assert "777" in client.get("/pledges").text


def test_a_stale_form_is_refused_and_says_so(api: ApiCoalition, client: TestClient) -> None:
    sign_in(client, api.tokens[Role.DONOR] or "")
    pledge = api.pledge_of[Role.DONOR]
    page = client.get(f"/pledges/{pledge}").text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    quantity = re.search(r'name="quantity" type="number" min="1" value="(\d+)"', page)
    assert quantity
    first, second = int(quantity.group(1)) + 10, int(quantity.group(1)) + 20
    data = {"csrf": csrf_of(page), "version": version.group(1)}
    saved = client.post(f"/pledges/{pledge}/revise", data={**data, "quantity": str(first)})
    assert saved.status_code == 200 and "Saved." in saved.text
    stale = client.post(f"/pledges/{pledge}/revise", data={**data, "quantity": str(second)})
    assert stale.status_code == 409 and "changed by someone else" in stale.text
    assert f'value="{first}"' in client.get(f"/pledges/{pledge}").text


def test_sessions_are_sealed_and_expire(tmp_path: Path) -> None:
    sealer = Sealer(load_key(tmp_path / "session.key"))
    cookie, session = sealer.seal("secret-token")
    assert "secret-token" not in cookie and sealer.open(cookie) == session
    assert sealer.open(cookie[:-2] + "xx") is None and sealer.open(None) is None
    other = Sealer(load_key(tmp_path / "other.key"))
    assert other.open(cookie) is None
    assert (tmp_path / "session.key").stat().st_mode & 0o777 == 0o600


def test_the_ui_needs_no_outside_network(client: TestClient) -> None:
    page = client.get("/").text
    assert not re.search(r'(src|href)="(https?:)?//', page)
    assert client.get("/static/vendor/plotly.min.js").status_code == 200


def test_a_member_runs_the_matching_and_stresses_the_plan(
    api: ApiCoalition, client: TestClient
) -> None:
    assert client.get(f"/matching/{api.public_plan}/stress?donor=DEU").status_code == 401
    sign_in(client, api.tokens[Role.CHAIR] or "")
    page = client.get("/matching").text
    ran = client.post("/matching/run", data={"csrf": csrf_of(page)}, follow_redirects=False)
    assert ran.status_code == 303
    plan = ran.headers["location"]
    shown = client.get(plan).text
    assert "Coverage by priority" in shown and "Unused offers" in shown
    stressed = client.get(f"{plan}/stress?donor=DEU")
    assert stressed.status_code == 200 and "without DEU" in stressed.text
    ranked = client.get(f"{plan}/stress?every=true").text
    assert "most costly first" in ranked and "remove DEU" in ranked
    assert client.get(f"{plan}/stress?share=2").status_code == 422
    assert "between 0 and 1" in client.get(f"{plan}/stress?share=abc").text


def test_filters_left_at_any_filter_nothing(client: TestClient) -> None:
    every = client.get("/needs").text.count("<tr>")
    assert client.get("/needs?area=&priority=&status=&sort=urgency").text.count("<tr>") == every
    assert client.get("/needs?priority=P1").status_code == 200
    assert client.get("/pledges?donor=&status=").status_code == 200


def test_needs_tranches_deliveries_and_receipts_through_the_forms(
    api: ApiCoalition, client: TestClient
) -> None:
    sign_in(client, api.tokens[Role.RECIPIENT] or "")
    form = client.get("/needs/new").text
    made = client.post(
        "/needs/new",
        data={
            "csrf": csrf_of(form),
            "item_type": f.SHELL,
            "quantity": "900",
            "priority": "P1",
            "needed_by": "2099-01-31",
            "rationale": "<script>alert(1)</script>",
            "releasability": "public",
        },  # fmt: skip
        follow_redirects=False,
    )
    assert made.status_code == 303
    need = client.get(made.headers["location"]).text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in need and "<script>alert" not in need
    version = re.search(r'name="version" value="(\d+)"', need)
    assert version
    data = {"csrf": csrf_of(need), "version": version.group(1), "priority": "P2",
            "needed_by": "2099-02-28"}  # fmt: skip
    path = made.headers["location"]
    assert client.post(f"{path}/revise", data={**data, "quantity": "950"}).status_code == 200
    stale = client.post(f"{path}/revise", data={**data, "quantity": "990"})
    assert stale.status_code == 409 and "Need" in stale.text
    empty = client.post("/needs/new", data={"csrf": csrf_of(form), "quantity": "0"})
    assert empty.status_code == 422 and 'id="quantity-error"' in empty.text

    client.cookies.clear()
    sign_in(client, api.tokens[Role.DONOR] or "")
    pledge = api.pledge_of[Role.DONOR]
    page = client.get(f"/pledges/{pledge}").text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    scheduled = client.post(
        f"/pledges/{pledge}/tranches",
        data={
            "csrf": csrf_of(page),
            "version": version.group(1),
            "quantity": "5",
            "expected_on": "2099-06-30",
        },  # fmt: skip
    )
    assert scheduled.status_code == 200 and "2099-06-30" in scheduled.text
    page = scheduled.text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    moved = client.post(
        f"/pledges/{pledge}/tranches/1",
        data={
            "csrf": csrf_of(page),
            "version": version.group(1),
            "quantity": "60",
            "expected_on": "2099-05-31",
        },  # fmt: skip
    )
    assert moved.status_code == 200 and "2099-05-31" in moved.text
    page = moved.text
    version = re.search(r'name="version" value="(\d+)"', page)
    assert version
    sent = client.post(
        f"/pledges/{pledge}/deliveries",
        data={
            "csrf": csrf_of(page),
            "version": version.group(1),
            "tranche": "1",
            "quantity": "1",
            "dispatched_on": "2025-03-01",
        },  # fmt: skip
    )
    assert sent.status_code == 200, sent.text
    client.cookies.clear()
    sign_in(client, api.tokens[Role.RECIPIENT] or "")
    page = client.get(f"/pledges/{pledge}").text
    receipt = re.search(r'action="/deliveries/(\d+)/receipt"', page)
    assert receipt, "the recipient is offered to confirm the receipt"
    form_part = page[receipt.start() :]
    version = re.search(r'name="version" value="(\d+)"', form_part)
    assert version
    confirmed = client.post(
        f"/deliveries/{receipt.group(1)}/receipt",
        data={
            "csrf": csrf_of(page),
            "version": version.group(1),
            "pledge_id": str(pledge),
            "received_quantity": "1",
            "received_on": "2025-03-05",
        },  # fmt: skip
    )
    assert confirmed.status_code == 200 and "Saved." in confirmed.text


@pytest.mark.parametrize("role", [Role.PUBLIC, *ROLES], ids=lambda r: r.value)
def test_the_outlook_forecasts_what_the_visitor_may_see_and_runs_a_scenario(
    api: ApiCoalition, client: TestClient, role: Role
) -> None:
    token = api.tokens[role]
    if token:
        sign_in(client, token)
    plain = client.get("/outlook")
    assert plain.status_code == 200
    assert "Value expected to arrive, by quarter" in plain.text
    assert "Firmly funded, the next twelve months" in plain.text
    assert "Multi-year commitments" in plain.text
    assert "P1 needs exposed" not in plain.text
    what_if = client.get("/outlook", params={"stop_donor": "DEU", "stop_after": "2025-01-31"})
    assert what_if.status_code == 200, what_if.text
    assert "Under the scenario" in what_if.text and "Dependence on single donors" in what_if.text
    newest = api.chair_plan if role is Role.CHAIR else api.public_plan  # the newest it may read
    assert f"Matching plan {newest} under the same scenario" in what_if.text
    assert f'href="/matching/{newest}/stress"' in what_if.text
    for answer in (plain, what_if):
        leaked = {c for c in api.hidden_canaries(role) if c in answer.text}
        assert not leaked, f"/outlook shows {role.value} records it may not see: {sorted(leaked)}"


@pytest.mark.parametrize(
    ("params", "reason"),
    [
        ({"stop_donor": "DEU", "stop_after": "soon"}, "is not DONOR:YYYY-MM-DD"),
        ({"cut_donors": "half", "cut_by": "0.5"}, "A share is a number"),
        ({"cut_donors": "NaN", "cut_by": "0.5"}, "A share is a number"),
        ({"cut_donors": "0.5"}, "Give both"),
        ({"cut_donors": "3", "cut_by": "0.5"}, "between 0 and 1"),
    ],
)
def test_a_scenario_that_cannot_be_run_is_refused_on_the_page(
    client: TestClient, params: dict[str, str], reason: str
) -> None:
    answer = client.get("/outlook", params=params)
    assert answer.status_code == 422 and reason in answer.text


def test_a_pledge_page_shows_each_year_of_a_multi_year_pledge(
    api: ApiCoalition, client: TestClient
) -> None:
    donor = api.headers(Role.DONOR)
    url = f"/api/v1/pledges/{api.pledge_of[Role.DONOR]}"
    tag = client.get(url, headers=donor).headers["ETag"]
    longer = client.patch(url, json={"years": [2025, 2026]}, headers={**donor, "If-Match": tag})
    client.put(
        f"{url}/years/2026",
        json={"amount_eur": "250000.00", "status": "committed"},
        headers={**donor, "If-Match": longer.headers["ETag"]},
    )
    sign_in(client, api.tokens[Role.DONOR] or "")

    text = client.get(f"/pledges/{api.pledge_of[Role.DONOR]}").text

    years = text.split("<h2>Years</h2>", 1)[1].split("</table>", 1)[0]
    assert re.search(r"<td>2025</td><td class=\"num\">—</td><td>not planned</td>", years)
    assert re.search(r"<td>2026</td><td class=\"num\">EUR 250,000</td><td>committed</td>", years)


def test_a_fund_page_attributes_its_deliveries_and_withholds_what_would_reveal_a_donor(
    api: ApiCoalition, client: TestClient
) -> None:
    # DEU gave EUR 4,000 at four labels and POL EUR 1,000; the package dispatched 4 shells at
    # the EUR 3,200 reference value: EUR 12,800, 80 % of it DEU's.
    public = client.get(f"/funds/{f.FUND}")
    assert public.status_code == 200
    assert "the attribution is withheld" in public.text
    assert "EUR 10,240.00" not in public.text
    sign_in(client, api.tokens[Role.CHAIR] or "")
    full = client.get(f"/funds/{f.FUND}")
    assert "EUR 10,240.00" in full.text and "EUR 2,560.00" in full.text
    assert "withheld" not in full.text
    assert f'href="/funds/{f.FUND}"' in client.get("/funds").text
    donor = client.get("/donors/DEU")
    assert "Through pooled funds" in donor.text and "EUR 10,240.00" in donor.text
    assert client.get("/funds/DEU").status_code == 404
    every = client.get("/donors").text.split("<h2>Every donor</h2>", 1)[1]
    assert '<th class="num">To pooled funds</th>' in every
    deu = re.search(r'<tr><td><a href="/donors/DEU">.*?</tr>', every, re.S)
    assert deu is not None and "EUR 4,000" in deu.group(0)


def test_a_baseline_page_shows_its_rules_and_each_years_shares(
    api: ApiCoalition, client: TestClient
) -> None:
    listed = client.get("/baselines")
    assert f'href="/baselines/{f.BASELINE}"' in listed.text
    assert "air-defence; pooled funds&#39; packages count pro rata" in listed.text
    shown = client.get(f"/baselines/{f.BASELINE}?year=2026")
    assert shown.status_code == 200
    assert "Air defence only, from the June meeting" in shown.text
    assert "Each donor state's share, 2026" in shown.text
    # Five donor states share EUR 40 bn; the United States' target is the largest.
    rows = re.findall(r'<tr><td><a href="/donors/(\w+)">', shown.text)
    assert rows[:1] == ["USA"] and sorted(rows) == ["DEU", "GBR", "NLD", "POL", "USA"]
    assert "EUR 40,000,000,000" in shown.text
    assert 'href="/baselines/pledge-2025?year=2025"' in shown.text
    assert client.get("/baselines/nothing").status_code == 404
