"""The page in a real browser (headless Debian Chromium driven by Playwright).

Each test opens the page as a user would, works the controls by keyboard or mouse, and
reads back what the page shows; screenshots at 1280 px and 420 px go to the artifacts.
"""

from __future__ import annotations

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.slow]

WIDTHS = {"desktop": 1280, "phone": 420}


@pytest.fixture
def open_page(browser, live_server):
    """A function opening the page at a width with a query string; pages close after."""
    contexts = []

    def open_(query: str = "", width: int = 1280):
        # bypass_csp: Playwright evaluates its wait conditions as strings, which our CSP forbids
        context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
        context.set_default_timeout(60_000)  # the machine may be shared and busy
        contexts.append(context)
        page = context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.errors = errors
        page.goto(live_server.url + query)
        page.wait_for_function("document.getElementById('epoch').textContent !== ''")
        page.wait_for_selector("#regions[data-signature]")
        return page

    yield open_
    for context in contexts:
        context.close()


def shot(page, artifacts, name: str) -> None:
    page.screenshot(path=str(artifacts / f"{name}.png"), full_page=True)


def no_horizontal_overflow(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", WIDTHS)
def test_xor_trains_to_full_validation_accuracy(open_page, artifacts, width):
    page = open_page("?data=xor&noise=0&seed=0&points=200&hidden=4", WIDTHS[width])
    before = page.get_attribute("#regions", "data-signature")
    page.focus("#train")
    page.keyboard.press("Enter")  # the controls work from the keyboard
    page.wait_for_function(
        "Number(document.getElementById('metrics').dataset.valAccuracy) === 1", timeout=60_000
    )
    page.click("#train")  # pause
    page.wait_for_function("document.getElementById('train').textContent === 'Train'")
    assert page.get_attribute("#regions", "data-signature") != before
    assert "validation accuracy 100.0%" in page.inner_text("#metrics")
    assert page.locator("#findings li").count() > 0
    assert no_horizontal_overflow(page)
    shot(page, artifacts, f"xor-trained-{width}")
    assert page.errors == []


def test_nor_preset_truth_table(open_page, artifacts):
    page = open_page()
    page.click("#tab-handset")
    page.click("[data-preset=NOR]")
    page.wait_for_function("document.getElementById('truth-table').textContent.includes('NOT x')")
    table = page.inner_text("#truth-table")
    assert "h_θ(x) = f(10 − 20x₁ − 20x₂)" in table
    rows = [line.split() for line in table.splitlines()[2:]]
    # x₁ x₂ y = f(z) ≈ h, as the slide prints NOR
    assert [r[:3] for r in rows] == [
        ["0", "0", "1"],
        ["0", "1", "0"],
        ["1", "0", "0"],
        ["1", "1", "0"],
    ]
    assert [r[4] for r in rows] == ["f(10)", "f(−10)", "f(−10)", "f(−30)"]
    assert rows[0][-1] == "0.99995"
    assert rows[1][-1] == "4.54e-05"
    # typing a weight changes the table: θ₀ = −10 makes it (almost) never fire
    page.fill("[aria-label='θ⁽¹⁾₁₀ of h_θ(x)']", "-10")
    page.keyboard.press("Tab")
    page.wait_for_function("document.getElementById('truth-table').textContent.includes('f(−50)')")
    assert "θ set by hand" in page.inner_text("#truth-table")
    page.click("[data-preset=XNOR]")
    page.wait_for_function("document.getElementById('truth-table').textContent.includes('a₂⁽²⁾')")
    shot(page, artifacts, "handset-xnor-desktop")
    page.set_viewport_size({"width": 420, "height": 900})
    assert no_horizontal_overflow(page)
    shot(page, artifacts, "handset-xnor-phone")


def test_zero_initialization_gives_identical_hidden_units(open_page, artifacts):
    # With θ = 0 and tanh every a⁽²⁾ⱼ = tanh(0) = 0, so θ⁽²⁾ gets no gradient but its bias
    # and δ⁽²⁾ = 0: the hidden units stay exactly alike (no rounding can tell them apart).
    page = open_page("?data=circles&initializer=zeros&hidden=3&activation=tanh&seed=1")
    page.click("#step")
    page.wait_for_function("document.getElementById('epoch').textContent === 'epoch 1'")
    page.click("#train")
    page.wait_for_function(
        "Number(document.getElementById('epoch').textContent.split(' ')[1]) >= 10",
        timeout=60_000,
    )
    page.click("#train")
    page.wait_for_function("document.getElementById('train').textContent === 'Train'")
    images = page.eval_on_selector_all(
        "#diagram canvas.unit", "cs => cs.map(c => c.dataset.signature)"
    )
    assert len(images) == 3
    assert len(set(images)) == 1
    symmetry = page.locator("#findings li[data-check=symmetry]")
    assert symmetry.get_attribute("data-status") == "FAIL"
    shot(page, artifacts, "zero-init-desktop")


def test_four_animals_four_regions(open_page, artifacts):
    page = open_page("?data=animals&hidden=8&points=400&seed=0&lr=0.03&output=sigmoid", 420)
    page.click("#train")
    page.wait_for_function(
        "Number(document.getElementById('metrics').dataset.valAccuracy) >= 0.85", timeout=60_000
    )
    page.click("#train")
    page.wait_for_function("document.getElementById('train').textContent === 'Train'")
    assert page.get_attribute("#regions", "data-classes-shown") == "4"
    assert page.locator("#legend span.swatch").count() == 4
    assert no_horizontal_overflow(page)
    shot(page, artifacts, "animals-phone")


def test_csv_upload(open_page, artifacts, tmp_path):
    lines = ["size,speed,kind"]
    for i in range(60):
        lines.append(f"{i % 10},{i // 10},{'fast' if i // 10 > 2 else 'slow'}")
    path = tmp_path / "mine.csv"
    path.write_text("\n".join(lines) + "\n")
    page = open_page()
    page.set_input_files("#csv", str(path))
    page.wait_for_function("document.getElementById('data-info').textContent.startsWith('mine')")
    assert page.input_value("#data") == "csv"
    assert "60 points" in page.inner_text("#data-info")
    assert "uploaded mine.csv: 60 rows" in page.inner_text("#message")
    assert page.locator("#legend").inner_text().split() == ["fast", "slow"]
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b,label\n1,2,x\n1,oops,y\n")
    page.set_input_files("#csv", str(bad))
    page.wait_for_function("document.getElementById('message').textContent.includes('oops')")
    message = page.inner_text("#message")
    assert "bad.csv, line 3, column 2" in message
    assert "/tmp" not in message
    shot(page, artifacts, "csv-upload-desktop")


def test_bad_value_is_shown(open_page, artifacts):
    page = open_page()
    page.fill("#lr", "100")
    page.keyboard.press("Tab")
    page.wait_for_selector("#message:not([hidden])")
    expected = "lr (η, the learning rate) must be between 1e-05 and 10, got 100"
    assert page.inner_text("#message") == expected
    shot(page, artifacts, "bad-value-desktop")


def test_reload_from_shared_url(open_page, browser, live_server):
    page = open_page("?data=spirals&hidden=6,5&activation=relu&lr=0.01&solver=sgd&seed=7")
    page.select_option("#initializer", "uniform")
    page.wait_for_function("!document.getElementById('init_epsilon').disabled")
    page.fill("#init_epsilon", "0.5")
    page.keyboard.press("Tab")
    page.wait_for_function("location.search.includes('init_epsilon=0.5')")
    url = page.url
    fields = ["data", "activation", "lr", "solver", "seed", "initializer", "init_epsilon"]
    shown = {name: page.input_value(f"#{name}") for name in fields}
    other = open_page(url[len(live_server.url) :])
    assert {name: other.input_value(f"#{name}") for name in fields} == shown
    assert other.locator("#diagram canvas.unit").count() == 11  # 6 + 5 hidden units
    assert other.url == url
