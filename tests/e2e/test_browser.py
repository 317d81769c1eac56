"""The web UI in a real browser: signing in per role, announcing and revising pledges, the
charts, the keyboard and a phone-width screen. Every test fails on a console error or an
uncaught page error, and saves a full-page screenshot of each page it visits to artifacts/."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, Response, expect

from ramstein.domain.releasability import Role
from tests import factories as f
from tests.api.coalition import ROLE_USERS
from tests.e2e.conftest import Server, Watch

FIRST_TRANCHE_ON = "2027-03-31"


def go(page: Page, watch: Watch, path: str, name: str, status: int = 200) -> Response:
    response = page.goto(path)
    assert response is not None and response.status == status, (path, response)
    watch.shot(page, name)
    return response


def sign_in(page: Page, watch: Watch, server: Server, role: Role) -> None:
    go(page, watch, "/signin", "signin")
    token = server.api.tokens[role]
    assert token
    page.get_by_label("Your API token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{server.url}/")
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def pledged_total(page: Page) -> int:
    card = page.locator(
        "section.card", has=page.get_by_role("heading", name="Pledged and delivered")
    )
    text = card.locator(".figure-big").inner_text()
    assert text.startswith("EUR "), text
    return int(text.removeprefix("EUR ").replace(",", ""))


def pledge_ids(page: Page) -> set[int]:
    links = page.locator("main table tbody tr td:first-child a").all_inner_texts()
    return {int(t) for t in links}


# --- 1. each role sees what it may, and no more ---------------------------------------------


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_each_role_sees_only_its_records(
    page: Page, watch: Watch, server: Server, role: Role
) -> None:
    api = server.api
    who = page.locator("header .who")
    if role is Role.PUBLIC:
        go(page, watch, "/", "dashboard")
        expect(who).to_contain_text("Public portal")
        expect(who.get_by_role("link", name="Sign in")).to_be_visible()
    else:
        sign_in(page, watch, server, role)
        _, participant, roles = ROLE_USERS[role]
        expected = f"{participant} · " + ", ".join(sorted(r.value.replace("_", " ") for r in roles))
        expect(who).to_contain_text(expected)
        watch.shot(page, "dashboard")

    go(page, watch, "/pledges", "pledges")
    html = page.content()
    hidden = api.hidden_canaries(role)
    assert hidden or role is Role.CHAIR, "every role but the chair has records it may not see"
    leaked = {c for c in hidden if c in html}
    assert leaked == set()
    # The pages do not print a pledge's reference (where the canary is), so a seen record is
    # checked by its id: each visible pledge is listed, no hidden one is.
    shown = pledge_ids(page)
    pledges = [r for r in api.records if r.kind == "pledge"]
    visible = {r.key for r in pledges if api.visible(role, r)}
    invisible = {r.key for r in pledges if not api.visible(role, r)}
    assert visible, "each role may see at least one labelled pledge"
    assert visible <= shown
    assert invisible & shown == set()
    announce = page.get_by_role("link", name="Announce a pledge")
    if role is Role.PUBLIC:
        expect(announce).to_have_count(0)
    if role in (Role.CHAIR, Role.DONOR, Role.COALITION_LEAD):
        expect(announce).to_be_visible()

    # The held meeting's page prints its decisions' texts: the canaries themselves.
    go(page, watch, f"/meetings/{api.open_meeting}", "meeting")
    html = page.content()
    assert {c for c in hidden if c in html} == set()
    decisions = {r.canary for r in api.records if r.kind == "decision" and api.visible(role, r)}
    assert {c for c in decisions if c not in html} == set()
    expect(page.get_by_text("A public decision")).to_be_visible()


# --- 2. a donor announces a pledge and the dashboard's total grows ---------------------------


def test_donor_announces_a_pledge_and_the_total_grows(
    page: Page, watch: Watch, server: Server
) -> None:
    sign_in(page, watch, server, Role.DONOR)
    before = pledged_total(page)
    go(page, watch, "/pledges", "pledges")
    page.get_by_role("link", name="Announce a pledge").click()
    expect(page).to_have_url(f"{server.url}/pledges/new")
    page.get_by_label("Donor").select_option("DEU")
    page.get_by_label("Item", exact=True).select_option(f.SHELL)
    page.locator("#quantity").fill("300")
    page.locator("#tranche_quantity").fill("100")
    page.locator("#tranche_on").fill(FIRST_TRANCHE_ON)
    page.get_by_label("Releasability").select_option("public")
    watch.shot(page, "form")
    page.get_by_role("button", name="Announce").click()

    expect(page).to_have_url(re.compile(rf"^{re.escape(server.url)}/pledges/\d+$"))
    watch.shot(page, "detail")
    expect(page.get_by_role("heading", level=1)).to_contain_text("public")
    facts = page.locator("main dl")
    expect(facts).to_contain_text("DEU")
    expect(facts).to_contain_text("(300 ")
    expect(page.locator("main table tbody tr").first).to_contain_text(FIRST_TRANCHE_ON)
    value = re.search(r"EUR ([\d,]+) at the catalogue's value", facts.inner_text())
    assert value, facts.inner_text()

    go(page, watch, "/", "dashboard")
    assert pledged_total(page) == before + int(value[1].replace(",", ""))


# --- 3. a bad quantity is refused next to its field ------------------------------------------


@pytest.mark.parametrize(
    ("typed", "message"),
    [("0", "At least 1."), ("abc", "A whole number.")],
    ids=["zero", "letters"],
)
def test_a_bad_quantity_is_refused_next_to_the_field(
    page: Page, watch: Watch, server: Server, typed: str, message: str
) -> None:
    watch.allow(r"status of 422 \(Unprocessable (Entity|Content)\) \[.*/pledges/new\]")
    sign_in(page, watch, server, Role.DONOR)
    go(page, watch, "/pledges", "pledges-before")
    before = pledge_ids(page)
    go(page, watch, "/pledges/new", "form")
    quantity = page.locator("#quantity")
    quantity.press_sequentially(typed)  # as typed: a number field drops the letters
    page.locator("#tranche_quantity").fill("10")
    page.locator("#tranche_on").fill(FIRST_TRANCHE_ON)
    with page.expect_response(lambda r: r.request.method == "POST") as answer:
        page.get_by_role("button", name="Announce").click()
    assert answer.value.status == 422
    page.wait_for_load_state()
    watch.shot(page, "refused")

    error = page.locator("#quantity-error")
    expect(error).to_have_text(message)
    expect(error).to_have_class(re.compile(r"\bfield-error\b"))
    expect(quantity).to_have_attribute("aria-invalid", "true")
    expect(quantity).to_have_attribute("aria-describedby", "quantity-error")
    assert quantity.evaluate("field => field.nextElementSibling.id") == "quantity-error"
    expect(page.get_by_role("alert")).to_contain_text("Nothing was saved")
    expect(page.locator("#tranche_quantity")).to_have_value("10")  # what was typed is kept

    go(page, watch, "/pledges", "pledges-after")
    assert pledge_ids(page) == before


# --- 4. a stale form is refused and the first change is kept ---------------------------------


def test_a_stale_form_is_refused(page: Page, watch: Watch, server: Server) -> None:
    watch.allow(r"status of 409 \(Conflict\) \[.*/revise\]")
    sign_in(page, watch, server, Role.DONOR)
    pledge = server.api.pledge_of[Role.DONOR]
    other = watch.page(page.context.new_page())
    go(page, watch, f"/pledges/{pledge}", "first")
    go(other, watch, f"/pledges/{pledge}", "second")
    kept = int(page.locator("#quantity").input_value()) + 100

    page.locator("#quantity").fill(str(kept))
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    watch.shot(page, "first-saved")

    other.locator("#quantity").fill(str(kept + 100))
    with other.expect_response(lambda r: r.url.endswith(f"/pledges/{pledge}/revise")) as answer:
        other.get_by_role("button", name="Save").click()
    assert answer.value.status == 409
    other.wait_for_load_state()
    expect(other.get_by_role("alert")).to_contain_text(
        "was changed by someone else since you opened it"
    )
    watch.shot(other, "second-refused")

    go(other, watch, f"/pledges/{pledge}", "reopened")
    expect(other.locator("#quantity")).to_have_value(str(kept))
    expect(other.locator("main dl")).to_contain_text(f"({kept} ")


# --- 5. the charts are drawn, and their tables hold the same figures ------------------------


def test_the_charts_are_drawn_with_their_tables(page: Page, watch: Watch, server: Server) -> None:
    sign_in(page, watch, server, Role.CHAIR)
    coverage = page.locator("figure.chart", has=page.locator("#coverage-chart"))
    expect(coverage.locator("#coverage-chart svg").first).to_be_attached()
    expect(page.locator("#monthly-chart svg").first).to_be_attached()
    drawn = coverage.locator("#coverage-chart .ytick text").all_text_contents()

    coverage.get_by_text("The figures as a table").click()
    rows = coverage.locator("details table tbody tr")
    expect(rows.first).to_be_visible()
    needed = {
        row.locator("td").nth(0).inner_text()
        for row in rows.all()
        if row.locator("td").nth(1).inner_text() not in ("EUR 0", "—")
    }
    watch.shot(page, "dashboard")
    assert drawn, "the coverage chart has area labels"
    assert sorted(drawn) == sorted(needed)


def test_a_member_asks_what_if_a_donor_stopped(page: Page, watch: Watch, server: Server) -> None:
    sign_in(page, watch, server, Role.OBSERVER)
    go(page, watch, "/outlook", "outlook")
    expect(page.locator("#forecast-chart svg").first).to_be_attached()
    page.get_by_label("Donor that stops").select_option("DEU")
    page.get_by_label("after").fill("2027-01-01")
    page.get_by_role("button", name="Forecast").click()
    expect(page).to_have_url(re.compile(r"stop_donor=DEU"))
    expect(page.get_by_role("heading", name="Dependence on single donors")).to_be_visible()
    legend = page.locator("#forecast-chart .legendtext").all_text_contents()
    watch.shot(page, "outlook-scenario")
    assert "Under the scenario" in legend


# --- 6. the keyboard alone -------------------------------------------------------------------


def test_signing_in_by_keyboard(page: Page, watch: Watch, server: Server) -> None:
    go(page, watch, "/signin", "signin")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    watch.shot(page, "skip-link")

    for _ in range(30):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "token":
            break
    expect(page.get_by_label("Your API token")).to_be_focused()
    token = server.api.tokens[Role.DONOR]
    assert token
    page.keyboard.type(token)
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{server.url}/")
    expect(page.locator("header .who")).to_contain_text("DEU · donor")
    watch.shot(page, "dashboard")


# --- 7. a phone's width ----------------------------------------------------------------------

PHONE = {"width": 390, "height": 844}
WIDTHS = "[document.body.scrollWidth, window.innerWidth]"


def phone_dashboard(page: Page, watch: Watch, server: Server, role: Role) -> None:
    page.set_viewport_size(PHONE)
    if role is Role.PUBLIC:
        go(page, watch, "/", "dashboard")
    else:
        sign_in(page, watch, server, role)
    expect(page.locator("#coverage-chart svg").first).to_be_attached()
    expect(page.locator("#monthly-chart svg").first).to_be_attached()


@pytest.mark.parametrize("role", [Role.PUBLIC, Role.CHAIR], ids=["public", "chair"])
def test_the_dashboard_fits_a_phone(page: Page, watch: Watch, server: Server, role: Role) -> None:
    phone_dashboard(page, watch, server, role)
    watch.shot(page, "dashboard")
    body, window = page.evaluate(WIDTHS)
    assert body <= window + 1, f"body is {body} px wide in a {window} px window"


def test_the_opened_chart_tables_fit_a_phone(page: Page, watch: Watch, server: Server) -> None:
    phone_dashboard(page, watch, server, Role.CHAIR)
    for summary in page.get_by_text("The figures as a table").all():
        summary.click()
    watch.shot(page, "dashboard-tables")
    body, window = page.evaluate(WIDTHS)
    assert body <= window + 1, f"body is {body} px wide in a {window} px window"


# --- 8. the meeting pages: a read-out downloads ---------------------------------------------


def test_the_chair_downloads_a_public_readout(page: Page, watch: Watch, server: Server) -> None:
    number = server.api.open_meeting
    sign_in(page, watch, server, Role.CHAIR)
    go(page, watch, "/meetings", "meetings")
    expect(page.locator(f"main a[href='/meetings/{number}']").first).to_be_visible()
    go(page, watch, f"/meetings/{number}", "meeting")
    link = page.get_by_role("link", name="Read-out for the public (Markdown)")
    expect(link).to_have_attribute("href", f"/meetings/{number}/readout?audience=public&format=md")
    with page.expect_download() as started:
        link.click()
    download = started.value
    assert download.failure() is None
    assert download.suggested_filename.startswith("meeting-"), download.suggested_filename
    assert str(number) in download.suggested_filename
    text = Path(download.path()).read_text(encoding="utf-8")
    assert re.search(rf"\b[Mm]eeting {number}\b", text), text[:500]
    assert "A public decision" in text
    assert {c for c in server.api.hidden_canaries(Role.PUBLIC) if c in text} == set()
    assert "CANARY[decision-restricted]" not in text  # public audience, though the chair asks

    go(page, watch, "/log", "log")
    expect(page.get_by_role("heading", name="The verifiable log")).to_be_visible()


def test_a_member_runs_the_matching_and_stresses_it(
    page: Page, watch: Watch, server: Server
) -> None:
    sign_in(page, watch, server, Role.DONOR)
    go(page, watch, "/matching", "matching")
    page.get_by_role("button", name="Run the exact matching on what you may see").click()
    expect(page.get_by_role("heading", name="Coverage by priority")).to_be_visible()
    watch.shot(page, "plan")
    page.get_by_role("link", name="Stress-test this plan").click()
    donors = page.get_by_label("Donors withdrawn")
    offered = donors.locator("option").all_inner_texts()
    assert offered, "the plan has donors to withdraw"
    donors.select_option(offered[0])
    page.get_by_role("button", name="Stress").click()
    expect(page.get_by_role("heading", name=f"without {offered[0]}")).to_be_visible()
    expect(page.get_by_role("heading", name="Needs hurt, largest loss first")).to_be_visible()
    watch.shot(page, "stressed")
    page.get_by_role("link", name="Rank every donor's withdrawal").click()
    expect(page.get_by_role("heading", name=re.compile("most costly first"))).to_be_visible()
    watch.shot(page, "ranked")


# --- pages' loose ends -----------------------------------------------------------------------


def test_an_icon_is_served(page: Page, watch: Watch) -> None:
    go(page, watch, "/signin", "signin")
    icon = page.locator("link[rel~='icon']")
    href = icon.first.get_attribute("href") if icon.count() else "/favicon.ico"
    assert href
    if not href.startswith("data:"):
        assert page.request.get(href).ok, href
