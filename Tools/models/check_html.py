"""Standalone HTML pages written by DocumentModel render in headless Chromium without console errors.

    python Tools/models/check_html.py <directory of *.html from ModelsInterop>

Each page carries BokehJS inline (taken from the installed bokeh wheel), so nothing is fetched. For
every page: BokehJS builds the document, a view exists for every root, some canvas has colored (glyph)
pixels, and the console has no SEVERE entry. Uses /usr/bin/chromium and /usr/bin/chromedriver with
Selenium Manager kept offline (SE_OFFLINE=true).
"""

import os
import pathlib
import shutil
import sys
import tempfile
import time

os.environ.setdefault("SE_OFFLINE", "true")

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402

FLAGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1000,800",
    "--no-first-run", "--no-default-browser-check", "--disable-extensions", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--disable-default-apps", "--no-pings",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1 , EXCLUDE localhost",
]

# Views are inside shadow roots: walk them to find canvases, count non-transparent pixels.
STATE_JS = r"""
const deep = (root, out) => {
  for (const n of root.querySelectorAll('*')) {
    if (n.tagName === 'CANVAS') out.push(n);
    if (n.shadowRoot) deep(n.shadowRoot, out);
  }
  return out;
};
if (!window.Bokeh || !Bokeh.documents || Bokeh.documents.length === 0) return {ready: false};
const doc = Bokeh.documents[0];
const roots = doc.roots();
const views = roots.filter(r => Bokeh.index.find_one(r) != null).length;
let painted = 0;
const canvases = deep(document, []);
for (const c of canvases) {
  if (c.width === 0 || c.height === 0) continue;
  const copy = document.createElement('canvas');
  copy.width = c.width; copy.height = c.height;
  const ctx = copy.getContext('2d');
  ctx.drawImage(c, 0, 0);
  const data = ctx.getImageData(0, 0, c.width, c.height).data;
  for (let i = 0; i < data.length; i += 4) {
    const [r, g, b, a] = [data[i], data[i + 1], data[i + 2], data[i + 3]];
    if (a > 0 && Math.max(r, g, b) - Math.min(r, g, b) > 40) painted++;
  }
}
return {ready: true, roots: roots.length, views: views, painted: painted, canvases: canvases.length};
"""


# Documents whose plots start without data (the OHLC app streams all of its rows): they must build and log no
# error, but have nothing colored to draw.
STARTS_EMPTY = {"ohlc_app"}


def drawn(state, name=""):
    """Colored pixels on the canvases; a document without canvases (a data table) has none to draw."""
    return state["painted"] > 0 or state.get("canvases") == 0 or name in STARTS_EMPTY


def check(driver, path, timeout=30.0):
    driver.get(path.resolve().as_uri())
    deadline = time.monotonic() + timeout
    state = {}
    while time.monotonic() < deadline:
        state = driver.execute_script(STATE_JS) or {}
        if state.get("ready") and state["roots"] > 0 and state["views"] == state["roots"] and drawn(state, path.stem):
            break
        time.sleep(0.25)
    problems = []
    if not state.get("ready"):
        problems.append("BokehJS built no document")
    elif state["views"] != state["roots"] or state["roots"] == 0:
        problems.append(f"{state['views']} views for {state['roots']} roots")
    elif not drawn(state, path.stem):
        problems.append("no colored canvas pixels drawn")
    time.sleep(0.5)
    for entry in driver.get_log("browser"):
        if entry.get("level") == "SEVERE":
            problems.append(f"console: {entry.get('message')}")
    return problems, state


def main():
    directory = pathlib.Path(sys.argv[1])
    pages = sorted(directory.glob("*.html"))
    if not pages:
        print(f"no pages in {directory}")
        return 1
    profile = tempfile.mkdtemp(prefix="swiftbokeh-html-check-")
    options = webdriver.ChromeOptions()
    options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
    for flag in FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    driver = webdriver.Chrome(service=service, options=options)
    failed = 0
    try:
        for page in pages:
            problems, state = check(driver, page)
            print(f"{page.stem}: {'ok' if not problems else 'FAILED'} {state}")
            for problem in problems:
                print(f"  {problem}")
            failed += bool(problems)
    finally:
        driver.quit()
        process = getattr(service, "process", None)
        if process is not None and process.poll() is None:
            process.terminate()
            process.wait(timeout=5)
        shutil.rmtree(profile, ignore_errors=True)
    print(f"html-check: {len(pages) - failed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
