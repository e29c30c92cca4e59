"""Screenshots of a running demo (`make demo`) for the README, taken with Debian's Chromium.

.venv/bin/python scripts/screenshots.py [--url http://127.0.0.1:8000] [--out docs/screenshots]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playwright.sync_api import sync_playwright

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--out", type=Path, default=Path("docs/screenshots"))
    opts = parser.parse_args()
    opts.out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{opts.url}/login/")
        page.get_by_role("button", name="Log in as demo admin").click()
        page.wait_for_url(f"{opts.url}/")
        shots = {
            "demo-grid": "/",
            "demo-regions": "/regions/",
            "demo-activity": "/activity/",
        }
        for name, path in shots.items():
            page.goto(f"{opts.url}{path}")
            page.screenshot(path=str(opts.out / f"{name}.png"), full_page=True)
            print(f"saved {opts.out / f'{name}.png'}")
        page.goto(f"{opts.url}/")
        page.get_by_role("link", name="mydomain.example", exact=True).first.click()
        page.wait_for_load_state("networkidle")
        page.screenshot(path=str(opts.out / "demo-domain.png"), full_page=True)
        print(f"saved {opts.out / 'demo-domain.png'}")
        browser.close()


if __name__ == "__main__":
    main()
