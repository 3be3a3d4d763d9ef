#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
# make test-web's browser: serves the site SITE on a free localhost port
# (a file:// page cannot fetch its wasm), opens it in Debian's headless
# chromium through chromium-driver and Debian's selenium, waits for the
# guest's prompt, types each COMMAND into the page's terminal as a student
# would, and waits for the next prompt. The whole console goes to LOG;
# stdout gets one "# time ..." line per step, for tests/web/test.sh, which
# judges the log. Exits 1 if a prompt never came.
# Usage: tests/web/chromium.py SITE LOG TIMEOUT COMMAND...
# Run it with /usr/bin/python3: Debian's selenium is that Python's.
import functools
import http.server
import re
import sys
import threading
import time

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

# busybox ash's prompt (tests/guest/init.c), then its cursor query.
PROMPT = re.compile(r"guest:/root# (\x1b\[6n)?$")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update",
         "--disable-sync", "--no-first-run"]


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def serve(site):
    handler = functools.partial(QuietHandler, directory=site)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def main():
    site, log, timeout, commands = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4:]
    server = serve(site)
    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in FLAGS:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    output = ""

    def wait_prompt(since):
        nonlocal output
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            output = driver.execute_script(
                "return window.shmdemoLab ? window.shmdemoLab.output : ''")
            if len(output) > since and PROMPT.search(output):
                return True
            time.sleep(0.05)
        return False

    status = 0
    try:
        start = time.monotonic()
        driver.get("http://127.0.0.1:%d/" % server.server_address[1])
        if not wait_prompt(0):
            print("# time prompt never (%.0f s)" % timeout)
            return 1
        print("# time prompt %.1f" % (time.monotonic() - start))
        keys = driver.find_element(By.CSS_SELECTOR, ".xterm-helper-textarea")
        for command in commands:
            since = len(output)
            start = time.monotonic()
            keys.send_keys(command + "\n")
            if not wait_prompt(since):
                print("# time never %s" % command)
                status = 1
                break
            print("# time %.2f %s" % (time.monotonic() - start, command))
    finally:
        with open(log, "w") as f:
            f.write(output)
        driver.quit()
        server.shutdown()
    return status


sys.exit(main())
