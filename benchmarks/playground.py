"""The playground under load: frames per second reaching a page, server memory per page.

    python benchmarks/playground.py            # about a minute; needs /usr/bin/chromium

1. Frame rate: ``mlplab playground`` runs as its own process; headless Chromium opens
   one page with a 2-8-8-1 network on 500 XOR points, trains, and counts the WebSocket
   frames that reach the page over 10 s (the server sends at most 20 per second and
   drops older frames when the page or the trainer is slower).
2. Memory: the server's resident set size (VmRSS) with no page, with 10 pages open, and
   with the 10 pages all training for 20 s (10 worker threads on the machine's cores).

The load average is printed with the results: on a shared machine other processes take
cores, which lowers the frame rate and the epochs per second.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _harness import facts_line, load_average, machine_facts

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
QUERY = "?data=xor&points=500&noise=0.2&hidden=8,8&activation=tanh&solver=adam&batch=10"


def rss_mib(pid: int) -> float:
    """Resident set size of a process in MiB, from /proc."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def start_server() -> tuple[subprocess.Popen, str]:
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    process = subprocess.Popen(
        [sys.executable, "-m", "mlplab", "playground", "--port", "0"],
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )
    url = process.stdout.readline().split()[2]
    return process, url


def open_page(browser, url: str, query: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, bypass_csp=True)
    page = context.new_page()
    page.goto(url + query)
    page.wait_for_selector("#regions[data-signature]")
    return page


def frames_drawn(page) -> int:
    """Frames the page has received and drawn (its own counter)."""
    return int(page.get_attribute("#epoch", "data-frames") or 0)


def epoch_of(page) -> int:
    return int(page.inner_text("#epoch").split()[1])


def main() -> None:
    from playwright.sync_api import sync_playwright

    print(facts_line(machine_facts()))
    server, url = start_server()
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            # 1. frames per second on one page
            page = open_page(browser, url, QUERY)
            page.click("#train")
            page.wait_for_function("document.getElementById('train').textContent === 'Pause'")
            page.wait_for_timeout(2000)  # past the first epochs
            count, first_epoch, started = frames_drawn(page), epoch_of(page), time.monotonic()
            page.wait_for_timeout(10_000)
            fps = (frames_drawn(page) - count) / (time.monotonic() - started)
            epochs = (epoch_of(page) - first_epoch) / (time.monotonic() - started)
            page.click("#train")
            page.context.close()
            print(f"load average before: {load_average()}")
            print(
                f"2-8-8-1 on 500 points (350 training, batch 10, adam): "
                f"{fps:.1f} frames/s reach the page, {epochs:.0f} epochs/s"
            )
            # 2. memory with 10 pages; the baseline after one page, which imported and
            # compiled what every page uses (scikit-learn, numba's kernels, matplotlib's colours)
            time.sleep(1.0)
            idle = rss_mib(server.pid)
            pages = [open_page(browser, url, QUERY) for _ in range(10)]
            open_ten = rss_mib(server.pid)
            for page in pages:
                page.click("#train")
            pages[0].wait_for_timeout(20_000)
            training = rss_mib(server.pid)
            reached = [epoch_of(page) for page in pages]
            for page in pages:
                page.click("#train")
            print(
                f"server RSS: {idle:.0f} MiB with no page (after one has come and gone), "
                f"{open_ten:.0f} MiB with 10 pages open, {training:.0f} MiB after 10 pages "
                "trained for 20 s "
                f"(epochs reached: {min(reached)}–{max(reached)})"
            )
            print(
                f"per page: {(open_ten - idle) / 10:.1f} MiB open, "
                f"{(training - idle) / 10:.1f} MiB after training"
            )
            print(f"load average after: {load_average()}")
            browser.close()
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(30)


if __name__ == "__main__":
    main()
