#!/usr/bin/env python3
"""Check the live training tracker, a lesson and a slideshow in a real JupyterLab, in a headless Chromium.

    .venv/bin/python tools/browser_check.py SCREENSHOT_DIR
    .venv/bin/python tools/browser_check.py SCREENSHOT_DIR --lesson-only   # stage 3
    .venv/bin/python tools/browser_check.py SCREENSHOT_DIR --rise-only     # stage 4

Four stages, each failing loudly (exit status 1, a ``FAILED: <reason>`` line):

1. **headless notebook** (no browser): ``tools/browser_check.ipynb`` with a short
   training is executed by nbclient, saved, read back (the snapshot PNG and table are
   there, no widget is left, ``metadata.widgets`` is valid or absent), and nbval
   passes on it twice in a row.
2. **browser**: JupyterLab is started on 127.0.0.1 (a free port, a random token), the
   notebook is opened in Debian's ``chromium`` driven by playwright (the system
   browser, never a downloaded one) and run. The script waits until the tracker shows
   a few epochs of both outputs' curves and takes ``1_tracker_running.png``; clicks
   **Stop**, waits for the last cell's ``STOP-CHECK`` line (the History intact,
   training ended early) and takes ``2_after_stop.png``; picks ``lstm`` in the node
   explorer's layer menu and takes ``3_node_explorer.png``; then saves the
   notebook from the browser and checks the saved file as in stage 1.
3. **a lesson as a student opens it**: ``tools/lessons.sh`` itself serves a working
   copy of the lessons; lesson 06, untrusted as a fresh copy is, must show the node
   explorer's stored picture and no SVG source as text (``4_lesson_untrusted.png``);
   after "Run All" its worked answers must still be collapsed
   (``5_lesson_after_run_all.png``); after saving, the repository's ``lessons/``
   must be exactly as before.

4. **a lesson as a slideshow**: lesson 05, served by JupyterLab with the RISE extension
   (``jupyterlab-rise``, which ``tools/setup_env.sh`` installs), is opened at
   ``/rise/05_shared_layers.ipynb``, RISE's presenter; the first slide must show the
   lesson's title (``6_rise_first_slide.png``); two presses of the space bar must move two
   slides on, to the slide that the lesson's cells' slide metadata say comes third
   (``7_rise_two_slides_on.png``). The screenshots' paths are printed.

When no browser can be had (no ``chromium`` and ``apt-get install -y chromium``
fails, or playwright cannot be installed with pip) it prints
``SKIPPED: <reason>`` after stage 1 and exits 0.
"""

import argparse
import base64
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "tools" / "browser_check.ipynb"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"]
KERNEL_ENV = {"KFUNC_RENDERER": "graphviz-pure", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1",
              "PYTHONHASHSEED": "0"}
EPOCHS = 300  # the browser run's epochs: far more than it will run before Stop


class Failure(Exception):
    """The check failed; the message says what was expected and what was seen."""


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("screenshots", type=Path, help="folder for the screenshots (created if missing)")
    parser.add_argument("--timeout", type=float, default=180, help="seconds to wait for each step in the browser")
    parser.add_argument("--skip-headless", action="store_true", help="only the browser stages")
    parser.add_argument("--lesson-only", action="store_true", help="only the lesson stage (3)")
    parser.add_argument("--rise-only", action="store_true", help="only the slideshow stage (4)")
    args = parser.parse_args()
    args.screenshots.mkdir(parents=True, exist_ok=True)
    try:
        if not (args.skip_headless or args.lesson_only or args.rise_only):
            headless_stage()
        reason = browser_missing()
        if reason:
            print(f"SKIPPED: {reason}")
            return 0
        if not (args.lesson_only or args.rise_only):
            browser_stage(args.screenshots, args.timeout)
        if not args.rise_only:
            lesson_stage(args.screenshots, args.timeout)
        if not args.lesson_only:
            rise_stage(args.screenshots, args.timeout)
    except Failure as error:
        print(f"FAILED: {error}")
        return 1
    print("OK")
    return 0


# ---------------------------------------------------------------------- stage 1: headless


def headless_stage():
    import nbformat
    from nbclient import NotebookClient
    from traitlets.config import Config

    nb = nbformat.read(str(NOTEBOOK), as_version=4)
    for cell in nb.cells:  # a short training: 3 epochs
        cell.source = cell.source.replace(f"epochs={EPOCHS}", "epochs=3").replace(f"of {EPOCHS}", "of 3")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "trained.ipynb"
        with _environment(KERNEL_ENV, drop=("JPY_SESSION_NAME", "KFUNC_TRACKER")):
            NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": folder}},
                           config=Config({"KernelManager": {"transport_encryption": "auto"}})).execute()
        nbformat.write(nb, str(path))
        check_saved_notebook(path, epochs=3)
        for attempt in (1, 2):
            run = subprocess.run(
                [sys.executable, "-m", "pytest", "--nbval", str(path), "-q", "-p", "no:cacheprovider",
                 "--rootdir", folder], capture_output=True, text=True, cwd=folder,
                env={**os.environ, **KERNEL_ENV}, timeout=600)
            if run.returncode != 0:
                raise Failure(f"nbval run {attempt} on the executed notebook failed:\n{run.stdout[-4000:]}")
    print("headless notebook: snapshot saved, no widget left, nbval passed twice")


def check_saved_notebook(path, epochs=None):
    """The training cell keeps the snapshot (PNG + table) and no widget; metadata.widgets valid or absent."""
    import nbformat

    nb = nbformat.read(str(path), as_version=4)
    nbformat.validate(nb)
    cell = next(c for c in nb.cells if c.cell_type == "code" and "model.fit(" in c.source)
    data = [o.get("data", {}) for o in cell.outputs if o.output_type in ("display_data", "execute_result")]
    if any(k.startswith("application/vnd.jupyter.widget-view") for d in data for k in d):
        raise Failure(f"{path.name}: the training cell still holds a widget view: {[sorted(d) for d in data]}")
    pictures = [d for d in data if "image/png" in d]
    tables = [d for d in data if "<table" in d.get("text/html", "") and "Trained " in d.get("text/plain", "")]
    if not pictures or not base64.b64decode(pictures[-1]["image/png"]).startswith(b"\x89PNG"):
        raise Failure(f"{path.name}: no curves PNG in the training cell's outputs: {[sorted(d) for d in data]}")
    if not tables:
        raise Failure(f"{path.name}: no epoch table in the training cell's outputs")
    if epochs is not None and f"Trained {epochs} epochs." not in tables[-1]["text/plain"]:
        raise Failure(f"{path.name}: the table says {tables[-1]['text/plain'].splitlines()[0]!r}")
    widgets = nb.metadata.get("widgets")
    if widgets is not None:
        state = widgets.get("application/vnd.jupyter.widget-state+json", {})
        for model_id, entry in state.get("state", {}).items():
            if not {"model_name", "model_module", "model_module_version", "state"} <= set(entry):
                raise Failure(f"{path.name}: widget {model_id} in metadata.widgets lacks fields: {sorted(entry)}")
    return tables[-1]["text/plain"]


# ---------------------------------------------------------------------- stage 2: the browser


def browser_missing():
    """Why no browser can be used (after trying to install what is missing), or None."""
    if not Path(CHROMIUM).exists() and shutil.which("apt-get") and os.geteuid() == 0:
        print("installing chromium with apt-get ...")
        for command in (["apt-get", "install", "-y", "chromium"], ["apt-get", "update"],
                        ["apt-get", "install", "-y", "chromium"]):
            if subprocess.run(command, capture_output=True).returncode == 0 and command[1] == "install":
                break
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM}, and `apt-get install -y chromium` did not provide one"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        print("installing playwright with pip ...")
        pip = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "playwright"], capture_output=True)
        if pip.returncode != 0:
            return "playwright (the Python package) is not installed and `pip install playwright` failed"
    return None


def browser_stage(screenshots, timeout):
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(NOTEBOOK, Path(folder) / NOTEBOOK.name)
        port, token = _free_port(), secrets.token_hex(16)
        server = _start_lab(folder, port, token)
        try:
            _wait_for_server(port, token, server)
            _in_browser(lambda page: _run_in_lab(page, port, token, screenshots, timeout), screenshots / "failure.png")
            check_saved_notebook(Path(folder) / NOTEBOOK.name)
        finally:
            _stop(server)
    print(f"browser: tracker shown live, Stop ended training early, screenshots in {screenshots}")


LESSON = "06_layer_nodes.ipynb"  # the lesson whose stored explorer output is checked untrusted


def lesson_stage(screenshots, timeout):
    """A lesson served by ``tools/lessons.sh``, as a student opens it: stored outputs readable
    untrusted, "Run All" leaves the worked answers collapsed, the repository stays clean."""
    before = _lessons_state()
    with tempfile.TemporaryDirectory() as folder:
        workdir = Path(folder) / "kfunc-lessons"
        port, token = _free_port(), secrets.token_hex(16)
        server = _start_lessons(folder, workdir, port, token)
        try:
            _wait_for_server(port, token, server, timeout=300)
            _in_browser(lambda page: _lesson_in_lab(page, port, token, screenshots, timeout),
                        screenshots / "failure_lesson.png")
        finally:
            _stop(server)
        saved = json.loads((workdir / LESSON).read_text())
        counts = [c.get("execution_count") for c in saved["cells"] if c["cell_type"] == "code"]
        if None in counts:
            log = (Path(folder) / "lessons.log").read_text().splitlines()[-30:]
            raise Failure(f"the working copy of {LESSON}, saved after Run All, has cells that did not run: "
                          f"execution counts {counts}; the server's log ends:\n" + "\n".join(log))
    after = _lessons_state()
    if after != before:
        raise Failure(f"running {LESSON} in the browser changed the repository's lessons/: {after}")
    print(f"lesson: {LESSON} served from a working copy by tools/lessons.sh; the explorer's stored picture "
          "shows untrusted; Run All left the worked answers collapsed; lessons/ unchanged "
          f"(git status: {after[0] or 'clean'})")


def _lessons_state():
    """``git status --porcelain lessons/`` and the bytes of every file there."""
    status = subprocess.run(["git", "status", "--porcelain", "lessons/"], cwd=REPO, capture_output=True,
                            text=True).stdout.strip()
    files = {str(p.relative_to(REPO)): p.read_bytes() for p in sorted((REPO / "lessons").rglob("*")) if p.is_file()}
    return status, files


def _start_lessons(folder, workdir, port, token):
    """``bash tools/lessons.sh`` itself, on a working copy in ``workdir``."""
    env = {**os.environ}
    env.pop("KFUNC_TRACKER", None)
    env.update(_lab_settings(folder))
    command = ["bash", str(REPO / "tools" / "lessons.sh"), "--dir", str(workdir), "--port", str(port),
               f"--IdentityProvider.token={token}", "--LabApp.news_url=",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    log = open(Path(folder) / "lessons.log", "w")
    return subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def _lesson_in_lab(page, port, token, screenshots, timeout):
    ms = timeout * 1000
    page.goto(f"http://127.0.0.1:{port}/lab/tree/{LESSON}?token={token}", timeout=ms)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=ms)
    page.wait_for_function("document.body.innerText.includes('Idle')", timeout=ms)
    news = page.locator(".jp-toast-button:has-text('No')")
    if news.count():
        news.first.click()
    # 1. untrusted, as a fresh copy is: the explorer's stored panel shows a picture, no SVG source
    shown = page.evaluate(_EXPLORER_OUTPUTS)
    if not shown["cells"]:
        raise Failure(f"{LESSON}: no cell calls explore(")
    for cell in shown["cells"]:
        if cell["images"] < 1:
            raise Failure(f"{LESSON}: the explorer's stored output shows no picture untrusted: {cell['text'][:200]!r}")
        if "<svg" in cell["text"] or "xmlns" in cell["text"]:
            raise Failure(f"{LESSON}: the explorer's stored output shows SVG source as text: {cell['text'][:200]!r}")
    _scroll_to(page.locator(".jp-CodeCell:has-text('explore(') .jp-OutputArea").first)
    page.screenshot(path=str(screenshots / "4_lesson_untrusted.png"), full_page=False)
    # 2. Run All, then the worked answers are still collapsed
    page.click(".lm-MenuBar-item:has-text('Run')")
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    page.wait_for_function(_CELLS_WAITING, arg=True, timeout=ms)  # queued or running: [*]
    _wait_for_every_cell_to_run(page, timeout)
    answers = page.evaluate(_WORKED_ANSWERS)
    if answers["heading"] < 0:
        raise Failure(f"{LESSON}: no 'Worked answers' heading in the page")
    if answers["visible"]:
        raise Failure(f"after Run All the worked answers are open: {answers['visible']}")
    page.screenshot(path=str(screenshots / "5_lesson_after_run_all.png"), full_page=False)
    # 3. save into the working copy
    page.click(".lm-MenuBar-item:has-text('File')")
    page.get_by_role("menuitem", name=re.compile(r"^Save Notebook(?! As)")).click()
    page.wait_for_function("!document.querySelector('.lm-TabBar-tab.jp-mod-dirty')", timeout=ms)


RISE_LESSON = "05_shared_layers.ipynb"  # the lesson presented as a slideshow
SLIDES_ON = 2  # how many slides the check moves on


def rise_stage(screenshots, timeout):
    """Lesson 05 as RISE presents it: the first slide renders, and two presses of space move two slides on."""
    try:
        import jupyterlab_rise  # noqa: F401
    except ImportError:
        raise Failure("the RISE extension (jupyterlab-rise) is not installed: run bash tools/setup_env.sh") from None
    titles = slide_titles(REPO / "lessons" / RISE_LESSON)
    if len(titles) <= SLIDES_ON:
        raise Failure(f"{RISE_LESSON} has {len(titles)} slide(s) by its cells' slide metadata; "
                      f"regenerate it with tools/regen_lessons.py, which gives every cell its slide type")
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(REPO / "lessons" / RISE_LESSON, Path(folder) / RISE_LESSON)
        port, token = _free_port(), secrets.token_hex(16)
        server = _start_lab(folder, port, token)
        try:
            _wait_for_server(port, token, server)
            shots = _in_browser(lambda page: _present(page, port, token, screenshots, timeout, titles),
                                screenshots / "failure_rise.png")
        finally:
            _stop(server)
    print(f"rise: {RISE_LESSON} shown as a RISE slideshow, moved {SLIDES_ON} slides on with the space bar; "
          "screenshots:")
    for shot in shots:
        print(f"  {shot}")


def slide_titles(path):
    """The first line of each slide and subslide of a notebook, by its cells' slide metadata, in order."""
    nb = json.loads(path.read_text())
    titles = []
    for cell in nb["cells"]:
        kind = cell["metadata"].get("slideshow", {}).get("slide_type")
        if kind in ("slide", "subslide") or (not titles and kind != "skip"):
            source = "".join(cell["source"]).strip()
            titles.append(source.splitlines()[0].lstrip("#").strip() if source else "")
    return titles


def _present(page, port, token, screenshots, timeout, titles):
    """Open the lesson in RISE's presenter, screenshot, press space twice, screenshot; return the paths."""
    ms = timeout * 1000
    page.set_viewport_size({"width": 1280, "height": 800})
    page.goto(f"http://127.0.0.1:{port}/rise/{RISE_LESSON}?token={token}", timeout=ms)
    page.wait_for_selector(".reveal .slides section.present", timeout=ms)
    _wait_for_slide(page, titles[0], timeout)
    first = screenshots / "6_rise_first_slide.png"
    time.sleep(1)  # the slide's transition
    page.screenshot(path=str(first))
    for _ in range(SLIDES_ON):
        page.keyboard.press("Space")
        time.sleep(0.8)
    _wait_for_slide(page, titles[SLIDES_ON], timeout)
    second = screenshots / "7_rise_two_slides_on.png"
    time.sleep(1)
    page.screenshot(path=str(second))
    return [first, second]


def _wait_for_slide(page, title, timeout):
    """Until the slide on screen shows ``title``; a Failure naming what it shows instead."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if title in page.evaluate(_PRESENT_SLIDE):
            return
        time.sleep(0.5)
    raise Failure(f"RISE shows {page.evaluate(_PRESENT_SLIDE)[:200]!r}, expected the slide {title!r}")


_PRESENT_SLIDE = """() => {
  const present = [...document.querySelectorAll('.reveal .slides section.present')];
  const inner = present.filter(s => !s.querySelector('section.present'));
  return inner.length ? inner[0].innerText : '';
}"""


def _wait_for_every_cell_to_run(page, timeout):
    """Until every code cell shows an execution count, three looks in a row.

    Neither "no [*]" nor the kernel's status will do: when a cell tagged raises-exception
    fails, JupyterLab blanks the prompts of the cells still queued (the kernel runs them
    all the same), and a widget's messages make the status flicker to Idle mid-cell.
    """
    deadline, calm = time.time() + timeout, 0
    while calm < 3:
        if time.time() > deadline:
            raise Failure(f"{LESSON}: Run All did not finish within {timeout} s")
        calm = calm + 1 if page.evaluate(_ALL_CELLS_COUNTED) else 0
        time.sleep(0.5)


_EXPLORER_OUTPUTS = """() => {
  const cells = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell')]
    .filter(c => (c.querySelector('.jp-InputArea') || {innerText: ''}).innerText.includes('explore('));
  return {cells: cells.map(c => {
    const out = c.querySelector('.jp-OutputArea');
    return {images: out ? out.querySelectorAll('img').length : 0, text: out ? out.innerText : ''};
  })};
}"""

_ALL_CELLS_COUNTED = """() => [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')]
  .every(p => /^\\[\\d+\\]:$/.test(p.innerText.trim()))"""

_CELLS_WAITING = """(waiting) => {
  const prompts = [...document.querySelectorAll('.jp-Notebook .jp-CodeCell .jp-InputPrompt')];
  return prompts.some(p => p.innerText.includes('[*]')) === waiting;
}"""

_WORKED_ANSWERS = """() => {
  const cells = [...document.querySelectorAll('.jp-Notebook .jp-Cell')];
  const heading = cells.findIndex(c => c.classList.contains('jp-MarkdownCell')
    && c.innerText.trim().startsWith('Worked answers'));
  const next = cells.findIndex((c, i) => i > heading && c.classList.contains('jp-MarkdownCell')
    && /^Next/.test(c.innerText.trim()));
  const inside = heading < 0 ? [] : cells.slice(heading + 1, next < 0 ? cells.length : next);
  return {heading, visible: inside.filter(c => c.offsetParent !== null).map(c => c.innerText.slice(0, 60))};
}"""


def _in_browser(steps, failure_png):
    """Run ``steps(page)`` in a headless Chromium page and return what it returns; on a failure, save a screenshot first."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_FLAGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1700})
            try:
                return steps(page)
            except Exception as error:
                page.screenshot(path=str(failure_png), full_page=True)
                if isinstance(error, Failure):
                    raise
                raise Failure(f"{type(error).__name__}: {error} (see {failure_png.name})") from error
        finally:
            browser.close()


def _scroll_to(locator, tries=5):
    """Scroll an element into view for a screenshot; JupyterLab may redraw it meanwhile."""
    for _ in range(tries):
        try:
            locator.scroll_into_view_if_needed(timeout=5000)
            return
        except Exception:  # the element was replaced while scrolling: find it again
            time.sleep(0.5)


def _run_in_lab(page, port, token, screenshots, timeout):
    ms = timeout * 1000
    page.goto(f"http://127.0.0.1:{port}/lab/tree/{NOTEBOOK.name}?token={token}", timeout=ms)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=ms)
    page.wait_for_function("document.body.innerText.includes('Idle')", timeout=ms)  # the kernel is up
    # 1. run every cell from the Run menu
    news = page.locator(".jp-toast-button:has-text('No')")  # JupyterLab's "news?" question
    if news.count():
        news.first.click()
    page.click(".lm-MenuBar-item:has-text('Run')")
    page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
    # 2. the tracker, live: wait for a few epochs with both outputs' curves
    stop = page.locator(".widget-button:has-text('Stop')")
    stop.wait_for(state="visible", timeout=ms)
    deadline = time.time() + timeout
    while True:
        text = page.locator(".jp-OutputArea").all_inner_texts()
        epoch = max([int(n) for t in text for n in re.findall(rf"Epoch (\d+)/{EPOCHS}", t)] or [0])
        if epoch >= 5 and page.locator(".jupyter-widgets img").count() and "aux_output" in " ".join(text):
            break
        if time.time() > deadline:
            raise Failure(f"the tracker did not reach epoch 5 with its curves (last seen: epoch {epoch})")
        time.sleep(0.5)
    tracker = page.locator(".jupyter-widgets.widget-vbox").first
    _scroll_to(tracker)
    time.sleep(1.5)  # let the next curves picture arrive
    page.screenshot(path=str(screenshots / "1_tracker_running.png"), full_page=True)
    if "main_output" not in tracker.inner_text() or "aux_output" not in tracker.inner_text():
        raise Failure("the live tracker does not show both outputs (main_output, aux_output)")
    # 3. Stop: training ends after the current batch; the last cell reports the History
    stop.click()
    line = page.locator(".jp-OutputArea-output:has-text('STOP-CHECK')")
    line.wait_for(timeout=ms)
    report = line.inner_text()
    match = re.search(r"epochs=(\d+) of (\d+); history intact=(True|False)", report)
    if not match or match.group(3) != "True" or not 1 <= int(match.group(1)) < int(match.group(2)):
        raise Failure(f"after Stop, the last cell printed {report!r}: expected an intact History of fewer epochs")
    if page.locator(".widget-button:has-text('Stop')").count():
        raise Failure("the live widget is still shown after training ended")
    _scroll_to(line)  # the snapshot above, the report line below
    time.sleep(0.5)
    page.screenshot(path=str(screenshots / "2_after_stop.png"), full_page=True)
    print(f"stopped after {match.group(1)} of {match.group(2)} epochs")
    # 4. the node explorer: choose a layer in its dropdown, see that call and the graph
    menu = page.locator(".widget-dropdown select").first
    menu.wait_for(timeout=ms)
    labels = menu.locator("option").evaluate_all("options => options.map(o => o.textContent)")
    menu.select_option(label=next(label for label in labels if label.replace("\xa0", " ").startswith("lstm ")))
    details = page.locator(".widget-html:has-text('lstm[0][0] (None, 32)')")
    details.first.wait_for(timeout=ms)
    _scroll_to(page.locator(".jupyter-widgets svg").last)
    time.sleep(0.5)
    page.screenshot(path=str(screenshots / "3_node_explorer.png"), full_page=True)
    # 5. save from the browser, for the saved-file check
    page.keyboard.press("Control+s")
    page.wait_for_timeout(2000)


# JupyterLab settings for the run (in a folder of its own): draw every cell (by default
# JupyterLab 4 leaves cells out of the page while they are scrolled away) and ask no
# question about news.
LAB_SETTINGS = {
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {"fetchNews": "false"},
}


def _lab_settings(folder):
    """Environment variables that give a JupyterLab server :data:`LAB_SETTINGS`, kept in ``folder``."""
    settings = Path(folder) / ".lab-settings"
    for name, values in LAB_SETTINGS.items():
        path = settings / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values))
    return {"JUPYTERLAB_SETTINGS_DIR": str(settings), "JUPYTERLAB_WORKSPACES_DIR": str(Path(folder) / ".lab-workspaces")}


def _stop(server):
    """Stop a server started in a session of its own, with everything it started."""
    try:
        os.killpg(server.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def _start_lab(folder, port, token):
    env = {**os.environ, **KERNEL_ENV}
    env.pop("KFUNC_TRACKER", None)
    env.update(_lab_settings(folder))
    command = [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
               f"--ServerApp.port={port}", "--ServerApp.port_retries=0", f"--IdentityProvider.token={token}",
               f"--ServerApp.root_dir={folder}", "--LabApp.news_url=", "--allow-root",
               "--KernelManager.transport_encryption=auto",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    log = open(Path(folder) / "lab.log", "w")
    return subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT,
                            start_new_session=True)


def _wait_for_server(port, token, server, timeout=90):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if server.poll() is not None:
            raise Failure(f"JupyterLab exited at start (status {server.returncode})")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/status?token={token}", timeout=2) as r:
                if r.status == 200:
                    json.load(r)
                    return
        except OSError:
            time.sleep(0.5)
    raise Failure(f"JupyterLab did not answer on 127.0.0.1:{port} within {timeout} s")


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _environment:
    """Set and drop environment variables for the duration of a ``with`` block."""

    def __init__(self, values, drop=()):
        self.values, self.drop, self.saved = values, drop, {}

    def __enter__(self):
        for key in list(self.values) + list(self.drop):
            self.saved[key] = os.environ.get(key)
        os.environ.update(self.values)
        for key in self.drop:
            os.environ.pop(key, None)

    def __exit__(self, *exc):
        for key, value in self.saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


if __name__ == "__main__":
    sys.exit(main())
