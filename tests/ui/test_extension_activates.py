"""The installed jhops labextension activates in JupyterLab and reaches its server extension."""

from __future__ import annotations

import re

import pytest

from tests.ui.conftest import CHROMIUM, CHROMIUM_ARGS, Lab

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is missing: apt-get install -y chromium"),
]


def test_the_extension_activates_and_reaches_the_server(lab: Lab) -> None:
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    activated = re.compile(r"^jhops \S+ activated, project at (?P<project>.+)$")
    messages: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page()
            page.on("console", lambda message: messages.append(f"{message.type}: {message.text}"))
            try:
                with page.expect_console_message(
                    lambda message: message.text.startswith("jhops "), timeout=60_000
                ) as first:
                    page.goto(f"{lab.url}lab?token={lab.token}")
                message = first.value
            except PlaywrightTimeout:
                message = None
        finally:
            browser.close()

    seen = "\n".join(messages)
    if message is None:
        pytest.fail(
            "no jhops message on the console in 60 s: is the labextension built and installed "
            f"(jupyter labextension list)? Console:\n{seen}"
        )
    assert message.type == "log", f"jhops warned instead of activating: {message.text}\n{seen}"
    match = activated.match(message.text)
    assert match, f"unexpected jhops message {message.text!r}; console:\n{seen}"
    assert match["project"] == str(lab.project)
