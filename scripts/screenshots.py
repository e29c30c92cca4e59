"""Screenshots of a running demo (`make demo`), taken with Debian's Chromium.

.venv/bin/python scripts/screenshots.py [--url http://127.0.0.1:8000] [--out docs/screenshots]
    the README's screenshots (1440 px wide)
.venv/bin/python scripts/screenshots.py --all [--out var/screenshots/all]
    every page at 1366 px and 390 px, printing each page's width: at 390 px no page may be
    wider than the window (the page would scroll sideways)
"""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from playwright.sync_api import Page, sync_playwright

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
WIDTHS = (1366, 390)


def log_in(page: Page, url: str) -> None:
    page.goto(f"{url}/login/")
    page.get_by_role("button", name="Log in as demo admin").click()
    page.wait_for_url(f"{url}/")


def readme_shots(page: Page, url: str, out: Path) -> None:
    shots = {"demo-grid": "/", "demo-regions": "/regions/", "demo-activity": "/activity/"}
    for name, path in shots.items():
        page.goto(f"{url}{path}")
        page.screenshot(path=str(out / f"{name}.png"), full_page=True)
        print(f"saved {out / f'{name}.png'}")
    page.goto(f"{url}/")
    page.get_by_role("link", name="mydomain.example", exact=True).first.click()
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(out / "demo-domain.png"), full_page=True)
    print(f"saved {out / 'demo-domain.png'}")


def every_page(page: Page, url: str) -> dict[str, str]:
    """name -> path of every page of the demo (identity pages found from the grid)."""
    page.goto(f"{url}/")
    pages = {"grid": "/", "regions": "/regions/", "send-check": "/send-check/"}
    pages["activity"] = "/activity/"
    pages["admin"] = "/admin/"
    pages["api-tokens"] = "/account/tokens/"
    pages["api-docs"] = "/api/v1/docs"
    for href in page.eval_on_selector_all(
        "a.identity-name", "els => els.map(e => e.getAttribute('href'))"
    ):
        pages[f"identity-{href.strip('/').split('/')[-1]}"] = href
    page.goto(f"{url}/regions/")
    wizard = page.locator("a[href*='/production-access/']").first
    if wizard.count():
        pages["production-access"] = wizard.get_attribute("href") or ""
    return pages


def width_of(page: Page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def all_shots(page: Page, url: str, out: Path, width: int) -> None:
    page.set_viewport_size({"width": width, "height": 900})
    for name, path in every_page(page, url).items():
        page.goto(f"{url}{path}")
        page.wait_for_load_state("networkidle")
        shot = out / f"{name}-{width}.png"
        page.screenshot(path=str(shot), full_page=True)
        print(f"{width:>5} px window  {width_of(page):>5} px page  {path}  -> {shot}")
    # The grid with a cell's popover open, and the send check with an answer.
    page.goto(f"{url}/")
    summary = page.locator("td.cell-blocked summary").first
    if summary.count():
        summary.click()
        page.locator("td.cell-blocked details[open] .blocker-list").first.wait_for()
        page.screenshot(path=str(out / f"grid-popover-{width}.png"), full_page=True)
        print(f"{width:>5} px window  {width_of(page):>5} px page  / (popover open)")
    page.goto(f"{url}/send-check/")
    form = page.locator("form").filter(has=page.locator("input[name='to']")).first
    if form.count():
        page.locator("input[name='from']").fill("admin@mydomain.example")
        page.locator("input[name='to']").first.fill("new-hire@gmail.example")
        page.get_by_role("button", name=re.compile("Check", re.I)).first.click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(out / f"send-check-answer-{width}.png"), full_page=True)
        print(f"{width:>5} px window  {width_of(page):>5} px page  /send-check/ (answer)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--all", action="store_true", help="every page at 1366 and 390 px")
    opts = parser.parse_args()
    out = opts.out or Path("var/screenshots/all" if opts.all else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        if opts.all:
            page.goto(f"{opts.url}/login/")
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                page.screenshot(path=str(out / f"login-{width}.png"), full_page=True)
                print(f"{width:>5} px window  {width_of(page):>5} px page  /login/")
            log_in(page, opts.url)
            for width in WIDTHS:
                all_shots(page, opts.url, out, width)
        else:
            log_in(page, opts.url)
            readme_shots(page, opts.url, out)
        browser.close()


if __name__ == "__main__":
    main()
