#!/usr/bin/env python3
"""`cambrian serve` and `cambrian report` driven in a real headless Chromium
(issue 15): a real matmul-cpu run of several dozen candidates, and a run
whose candidate wrote <script> and <img onerror> into its feedback and
output. Every page: no console errors, plots drawn with data,
nothing a candidate wrote runs. Screenshots go to ARTIFACTS.

  dashboard_test.py CAMBRIAN SOURCE_DIR ARTIFACTS_DIR
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

CAMBRIAN, SRC, ARTIFACTS = sys.argv[1], sys.argv[2], sys.argv[3]
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=2">'


def fail(message):
    print("FAIL [dashboard]: " + message, file=sys.stderr)
    sys.exit(1)


def run(*args, **kwargs):
    result = subprocess.run([CAMBRIAN, *args], capture_output=True, text=True, **kwargs)
    if result.returncode != 0:
        fail("cambrian %s exited %d: %s" % (" ".join(args), result.returncode, result.stderr[-600:]))
    return result


def hostile_task(work):
    """A one-stage task whose candidate reports hostile feedback and output."""
    task = os.path.join(work, "hostile")
    shutil.rmtree(task, ignore_errors=True)
    os.makedirs(os.path.join(task, "program"))
    with open(os.path.join(task, "program", "params.sh"), "w") as f:
        f.write("X=3  # @knob range=0..9\n")
    with open(os.path.join(task, "program", "run.py"), "w") as f:
        f.write("import json, os, re\n"
                "X = int(re.search(r'X=(\\d+)', open('params.sh').read()).group(1))\n"
                "print(%r)\n" % HOSTILE +
                "json.dump({'metrics': {'x': X}, 'feedback': %r},\n" % HOSTILE +
                "          open(os.environ['CAMBRIAN_OUT'] + '/metrics.json', 'w'))\n")
    with open(os.path.join(task, "task.toml"), "w") as f:
        f.write('name = "hostile"\ndescription = "Feedback with markup in it."\n'
                '[program]\nroot = "program"\neditable = ["params.sh"]\n'
                '[[stages]]\nname = "run"\nrun = "python3 run.py"\ntimeout = "20s"\n'
                '[fitness]\nscore = "x"\ngoal = "maximize"\nconfirm = 0\n')
    return task


def start_server(*args):
    server = subprocess.Popen([CAMBRIAN, "serve", "--port", "0", *args],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    line = server.stdout.readline()
    match = re.search(r"at (http://\S+)", line)
    if not match:
        server.kill()
        fail("serve said: %r %s" % (line, server.stderr.read()[-400:]))
    return server, match.group(1)


def browser():
    options = webdriver.ChromeOptions()
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--window-size=1400,1000"):
        options.add_argument(flag)
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=shutil.which("chromedriver"))
    return webdriver.Chrome(options=options, service=service)


def no_console_errors(driver, where):
    errors = [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    if errors:
        fail("console errors on %s: %s" % (where, errors))


def wait_for(driver, css, count=1, timeout=30):
    WebDriverWait(driver, timeout, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: len(d.find_elements(By.CSS_SELECTOR, css)) >= count)
    return driver.find_elements(By.CSS_SELECTOR, css)


def open_candidate(driver, base, run, cid):
    """Goes to a candidate's page and waits until it, not the page before, is shown
    (a hash change re-renders asynchronously; an element read early goes stale)."""
    driver.get(base + "#/run/%s/c/%d" % (run, cid))
    title = "Candidate #%d" % cid
    # An element of the page being replaced goes stale mid-check: look again.
    WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,)).until(
        lambda d: any(h.text == title for h in d.find_elements(By.CSS_SELECTOR, "h2")))


def shot(driver, name):
    driver.save_screenshot(os.path.join(ARTIFACTS, name))


def check_run_page(driver, base, key, where):
    driver.get(base + "#/run/" + key)
    points = wait_for(driver, "#fitness-plot circle.point", 10)
    wait_for(driver, "#fitness-plot polyline.best-line")
    rows = wait_for(driver, "#leaderboard tbody tr", 10)
    wait_for(driver, "svg.heatmap rect.cell")
    wait_for(driver, "#lineage circle", 10)
    if len(points) < 10 or len(rows) < 10:
        fail("%s: %d points, %d rows" % (where, len(points), len(rows)))
    shot(driver, "run.png")
    # Sort by id, then filter to one island: the table follows.
    driver.find_elements(By.CSS_SELECTOR, "#leaderboard th")[0].click()
    first = driver.find_element(By.CSS_SELECTOR, "#leaderboard tbody tr td").text
    if first != "#1":
        fail("%s: sorted by id, the first row is %s" % (where, first))
    Select(driver.find_element(By.ID, "filter-island")).select_by_value("0")
    islands = {r.find_elements(By.TAG_NAME, "td")[4].text
               for r in driver.find_elements(By.CSS_SELECTOR, "#leaderboard tbody tr")}
    if islands != {"0"}:
        fail("%s: the island filter left islands %s" % (where, islands))
    no_console_errors(driver, where)


def check_front(driver, base):
    """A task with two objectives: the front plotted, joined up and listed, and
    marked in the leaderboard, as the API says it is."""
    data = json.load(urllib.request.urlopen(base + "api/run/pareto"))
    front = set(data["front"])
    if [o["name"] for o in data["objectives"]] != ["quality", "cost"] or len(front) < 3:
        fail("the pareto run's API: objectives %s, front %s" % (data["objectives"], front))
    driver.get(base + "#/run/pareto")
    on = wait_for(driver, "#front-plot circle.front-point", len(front))
    off = driver.find_elements(By.CSS_SELECTOR, "#front-plot circle.point")
    scored = [c for c in data["candidates"] if c["fitness"] is not None]
    if len(on) != len(front) or len(on) + len(off) != len(scored):
        fail("front plot: %d on, %d off; expected %d of %d" % (len(on), len(off), len(front), len(scored)))
    wait_for(driver, "#front-plot polyline")
    listed = {int(r.find_elements(By.TAG_NAME, "td")[0].text.lstrip("#"))
              for r in driver.find_elements(By.CSS_SELECTOR, "#front tr") if r.find_elements(By.TAG_NAME, "td")}
    if listed != front:
        fail("the front table lists %s, the API says %s" % (listed, front))
    marked = len(driver.find_elements(By.CSS_SELECTOR, "#leaderboard tbody tr.front"))
    if marked != len(front):
        fail("%d leaderboard rows marked on the front, expected %d" % (marked, len(front)))
    no_console_errors(driver, "the pareto run")
    shot(driver, "pareto.png")


def main():
    os.makedirs(ARTIFACTS, exist_ok=True)
    # CAMBRIAN_DASHBOARD_WORK keeps the runs between tries (while editing).
    work = os.environ.get("CAMBRIAN_DASHBOARD_WORK") or tempfile.mkdtemp(prefix="cambrian-dashboard-")
    os.makedirs(work, exist_ok=True)
    os.chdir(work)
    if not os.path.exists("runs/matmul"):
        run("run", "matmul-cpu", "--run-dir", "runs/matmul", "--budget", "36", "--workers", "2")
    if not os.path.exists("runs/hostile"):
        # With the fake LLM of the e2e suites (it adds 1 to X): LLM calls to plot.
        llm = subprocess.Popen([sys.executable, os.path.join(SRC, "tests/e2e/fake_llm_server.py"),
                                "--port-file", "llm.port", "--log", "llm.log", "--step", "--unique"])
        for _ in range(100):
            if os.path.exists("llm.port"):
                break
            time.sleep(0.1)
        with open("llm.port") as f:
            port = f.read().strip()
        try:
            run("run", hostile_task(work), "--run-dir", "runs/hostile", "--budget", "12",
                "--llm", "openai:fake", "--llm-base-url", "http://127.0.0.1:%s/v1" % port,
                "--llm-key-env", "", "--llm-share", "0.5")
        finally:
            llm.kill()
    if not os.path.exists("runs/pareto"):
        run("run", os.path.join(SRC, "tests/data/tasks/pareto"), "--run-dir", "runs/pareto",
            "--budget", "30", "--workers", "2", "--seed", "1")
    # A run going on while the page is open: slow evaluations of the tiny task.
    slow = os.path.join(work, "slow")
    shutil.rmtree(slow, ignore_errors=True)
    shutil.copytree(os.path.join(SRC, "tests/data/tasks/quadratic"), slow)
    with open(os.path.join(slow, "task.toml")) as f:
        toml = f.read().replace('run = "sh -n params.sh"', 'run = "sleep 0.4; sh -n params.sh"')
    with open(os.path.join(slow, "task.toml"), "w") as f:
        f.write(toml)
    shutil.rmtree("runs/live", ignore_errors=True)
    live = subprocess.Popen([CAMBRIAN, "run", slow, "--run-dir", "runs/live", "--budget", "300",
                             "--workers", "1"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # No run directories: every run under ./runs, the live one included.
    server, base = start_server()
    driver = browser()
    try:
        driver.get(base)
        rows = wait_for(driver, "#runs tr td a", 3)
        no_console_errors(driver, "the runs page")
        shot(driver, "runs.png")
        check_run_page(driver, base, "matmul", "matmul-cpu")
        best = json.load(urllib.request.urlopen(base + "api/run/matmul"))["best_id"]
        open_candidate(driver, base, "matmul", best)
        facts = wait_for(driver, "#facts")[0].text
        diffs = wait_for(driver, "pre.diff span.add")
        if not diffs:
            fail("the best candidate shows no diff")
        lineage = driver.find_elements(By.CSS_SELECTOR, "#facts a")
        if not lineage or lineage[0].text != "#1" or "http" in facts:
            fail("the lineage path is not links from the seed: %r" % facts)
        no_console_errors(driver, "a candidate page")
        shot(driver, "candidate.png")
        check_front(driver, base)
        # Hostile text is shown as text and runs nothing.
        for cid in (1, 2, 3):
            open_candidate(driver, base, "hostile", cid)
            feedback = wait_for(driver, "#feedback")[0].text
            if HOSTILE not in feedback:
                fail("the hostile feedback is not shown as text: %r" % feedback)
            if driver.find_elements(By.CSS_SELECTOR, "main img, main script"):
                fail("a candidate's markup became elements")
            if driver.execute_script("return window.__pwned") is not None:
                fail("a candidate's script ran")
        shot(driver, "hostile.png")
        driver.get(base + "#/run/hostile")
        wait_for(driver, "#leaderboard tbody tr", 5)
        wait_for(driver, "#llm-plot circle.call", 2)
        wait_for(driver, "#llm-plot polyline")
        if driver.execute_script("return window.__pwned") is not None:
            fail("a candidate's script ran on the run page")
        llm_child = [c for c in json.load(urllib.request.urlopen(base + "api/run/hostile"))["candidates"]
                     if c["mutator"] == "llm"]
        if not llm_child:
            fail("the hostile run has no LLM child")
        open_candidate(driver, base, "hostile", llm_child[0]["id"])
        prompt = wait_for(driver, "#prompt")[0].text
        if "X=" not in prompt or not wait_for(driver, "#reply")[0].text:
            fail("the LLM call's prompt and reply are not shown")
        no_console_errors(driver, "an LLM child's page")
        shot(driver, "llm_child.png")
        # Live: the page of a running run refreshes by itself.
        driver.get(base + "#/run/live")
        WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: "live" in d.find_element(By.ID, "live").text)
        before = len(wait_for(driver, "#leaderboard tbody tr"))
        time.sleep(8)
        after = len(driver.find_elements(By.CSS_SELECTOR, "#leaderboard tbody tr"))
        if after <= before:
            fail("the live run's page did not refresh (%d rows, then %d)" % (before, after))
        live.send_signal(2)
        live.wait(timeout=30)
        driver.get(base + "#/run/live")
        WebDriverWait(driver, 30, ignored_exceptions=(StaleElementReferenceException,)).until(
            lambda d: d.find_element(By.ID, "live").text == "")
        no_console_errors(driver, "the live run")
        # The report: one file, no server, the same views.
        run("report", "runs/matmul", "--html", os.path.join(work, "report.html"))
        driver.get("file://" + os.path.join(work, "report.html"))
        wait_for(driver, "#fitness-plot circle.point", 10)
        wait_for(driver, "svg.heatmap rect.cell")
        no_console_errors(driver, "the report")
        shot(driver, "report.png")
    finally:
        driver.quit()
        if live.poll() is None:
            live.kill()
        server.terminate()
        server.wait(timeout=10)
    # A token off loopback; the API refuses a request without it.
    token_server, url = start_server("runs/matmul", "--token", "s3cret")
    try:
        try:
            urllib.request.urlopen(url.split("?")[0] + "api/runs")
            fail("the API answered without its token")
        except urllib.error.HTTPError as error:
            if error.code != 401:
                fail("without a token: HTTP %d" % error.code)
        runs = json.load(urllib.request.urlopen(url.split("?")[0] + "api/runs?token=s3cret"))
        if len(runs) != 1:
            fail("with the token: %s" % runs)
    finally:
        token_server.terminate()
        token_server.wait(timeout=10)
    if not os.environ.get("CAMBRIAN_DASHBOARD_WORK"):
        shutil.rmtree(work, ignore_errors=True)
    print("PASS [dashboard]: screenshots in " + ARTIFACTS)


main()
