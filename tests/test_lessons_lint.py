"""Cheap checks of the lesson notebooks, without executing them.

nbval (in tools/test.sh) runs the lessons and compares every output; these tests catch,
in a second, what nbval would not say clearly: a notebook edited by hand or out of sync
with its script, a cell not executed, an error where none belongs, a missing heading,
an absolute path, a notebook too large, a lesson missing from the index.
"""

import ast
import json
import re
from pathlib import Path

import nbformat
import pytest

REPO = Path(__file__).resolve().parent.parent
LESSONS = REPO / "lessons"
SOURCES = LESSONS / "src"
INDEX = LESSONS / "README.md"
MAX_BYTES = 1_500_000
RAISES = "raises-exception"
ABSOLUTE_PATH = re.compile(r"(?<![\w.~/:-])/(?:work|tmp|root|home)(?=[/\s'\":,)\]]|$)")
BINARY_MIME = ("image/png", "image/jpeg", "image/gif")
ACCURACY_LINE = re.compile(r"^accuracy:\s*[0-9]*\.?[0-9]+\s*$", re.MULTILINE)
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")

NOTEBOOKS = sorted(LESSONS.glob("[0-9][0-9]_*.ipynb"))
SCRIPTS = sorted(SOURCES.glob("[0-9][0-9]_*.py"))


def _read(path):
    return nbformat.read(path, as_version=4)


def _code_cells(nb):
    return [cell for cell in nb.cells if cell.cell_type == "code"]


def _tags(cell):
    return cell.metadata.get("tags", [])


def _stdout(nb):
    return "".join(
        out.get("text", "") for cell in _code_cells(nb) for out in cell.outputs
        if out.output_type == "stream" and out.name == "stdout")


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)


def _literal_assignment(path, name):
    """The value of ``name = <literal>`` at the top level of a Python file, read without running it."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == name for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError(f"{path.relative_to(REPO)} has no top-level {name} = ...")


def lesson_ids(paths):
    return [p.stem for p in paths]


# ------------------------------------------------------------------ the set of lessons


def test_there_are_lessons():
    assert NOTEBOOKS, "no lesson notebooks in lessons/"


def test_every_script_has_its_notebook_and_every_notebook_its_script():
    scripts = {p.stem for p in SCRIPTS}
    notebooks = {p.stem for p in NOTEBOOKS}
    assert not scripts - notebooks, f"scripts without a notebook (run tools/regen_lessons.py): {sorted(scripts - notebooks)}"
    assert not notebooks - scripts, f"notebooks without a script in lessons/src/: {sorted(notebooks - scripts)}"


def test_lesson_numbers_are_unique():
    numbers = [p.name[:2] for p in NOTEBOOKS]
    assert len(numbers) == len(set(numbers)), f"two lessons share a number: {numbers}"


# ------------------------------------------------------------------ each notebook


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lesson_ids(NOTEBOOKS))
def test_notebook_is_small(path):
    size = path.stat().st_size
    assert size < MAX_BYTES, f"{path.name} is {size / 1e6:.2f} MB; keep lessons under {MAX_BYTES / 1e6} MB"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lesson_ids(NOTEBOOKS))
def test_notebook_metadata_is_clean(path):
    nb = _read(path)
    assert nb.metadata.get("kernelspec", {}).get("name") == "python3"
    assert "widgets" not in nb.metadata, "widget state holds random ids: regenerate with tools/regen_lessons.py"
    assert "version" not in nb.metadata.get("language_info", {}), "the Python version varies by machine"
    for index, cell in enumerate(nb.cells):
        assert cell.get("id") == f"cell-{index:03d}", f"cell {index} has id {cell.get('id')!r}: regenerate"
        assert "execution" not in cell.metadata, f"cell {index} keeps execution timings: regenerate"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lesson_ids(NOTEBOOKS))
def test_every_code_cell_ran_in_order(path):
    counts = [cell.execution_count for cell in _code_cells(_read(path))]
    assert counts == list(range(1, len(counts) + 1)), (
        f"{path.name}: execution counts {counts}; run tools/regen_lessons.py {path.name[:2]}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lesson_ids(NOTEBOOKS))
def test_errors_only_where_tagged(path):
    for index, cell in enumerate(_read(path).cells):
        if cell.cell_type != "code":
            continue
        errors = [out for out in cell.outputs if out.output_type == "error"]
        if RAISES in _tags(cell):
            assert errors, f"{path.name} cell {index} is tagged {RAISES} but shows no error"
        else:
            assert not errors, f"{path.name} cell {index} shows {errors[0].ename}: {errors[0].evalue}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lesson_ids(NOTEBOOKS))
def test_no_absolute_paths(path):
    for index, cell in enumerate(_read(path).cells):
        for out in cell.get("outputs", []):
            data = out.get("data")
            payload = {k: v for k, v in data.items() if k not in BINARY_MIME} if data else dict(out)
            for text in _strings(payload):
                match = ABSOLUTE_PATH.search(ANSI.sub("", text))
                assert not match, f"{path.name} cell {index} shows an absolute path: ...{text[max(0, match.start() - 40):match.end() + 40]}..."


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lesson_ids(NOTEBOOKS))
def test_stored_outputs_read_untrusted(path):
    # JupyterLab strips <svg> inside HTML until a notebook is trusted, and a fresh clone is not:
    # pictures travel as image/png or image/svg+xml outputs of their own
    for index, cell in enumerate(_read(path).cells):
        for out in cell.get("outputs", []):
            html = out.get("data", {}).get("text/html", "")
            html = "".join(html) if isinstance(html, list) else html
            assert "<svg" not in html, f"{path.name} cell {index} stores SVG inside text/html"
            assert "<script" not in html and "<style" not in html, f"{path.name} cell {index}: scripts and styles are stripped untrusted"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lesson_ids(NOTEBOOKS))
def test_first_code_cell_seeds(path):
    first = _code_cells(_read(path))[0].source
    assert "set_random_seed(" in first, f"{path.name}: the first code cell must seed everything"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lesson_ids(NOTEBOOKS))
def test_exercises_with_collapsed_worked_answers(path):
    cells = _read(path).cells
    headings = [(i, c) for i, c in enumerate(cells) if c.cell_type == "markdown"]
    exercises = [i for i, c in headings if re.search(r"^## Exercises\s*$", c.source, re.MULTILINE)]
    answers = [(i, c) for i, c in headings if c.source.lstrip().startswith("### Worked answers")]
    assert exercises, f"{path.name}: no '## Exercises' heading"
    assert len(answers) == 1, f"{path.name}: expected one '### Worked answers' heading, found {len(answers)}"
    index, cell = answers[0]
    assert index > exercises[0], "the worked answers come after the exercises"
    assert cell.metadata.get("jp-MarkdownHeadingCollapsed") is True, "the worked answers heading must be collapsed"
    assert any(c.cell_type == "code" for c in cells[index + 1:]), "the worked answers need code cells"
    # JupyterLab's "Run All" makes the last cell active and opens the heading that hides it, so
    # the lesson ends with a heading of its own, outside the worked answers
    last = cells[-1]
    assert last.cell_type == "markdown" and re.match(r"##? \S", last.source), (
        f"{path.name}: end with a '## Next' heading after the worked answers, so that Run All leaves them collapsed")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lesson_ids(NOTEBOOKS))
def test_lesson_trains_shows_its_graph_and_prints_accuracy(path):
    nb = _read(path)
    code = "\n".join(cell.source for cell in _code_cells(nb))
    assert ".fit(" in code, f"{path.name}: every lesson trains a model"
    assert ACCURACY_LINE.search(_stdout(nb)), f"{path.name}: print the trained model's result as 'accuracy: 0.93'"
    pictures = [out for cell in _code_cells(nb) for out in cell.outputs if "image/svg+xml" in out.get("data", {})]
    assert pictures, f"{path.name}: show a model's graph (a cell ending with the model)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lesson_ids(NOTEBOOKS))
def test_notebook_matches_its_script(path):
    jupytext = pytest.importorskip("jupytext", reason="the lessons' scripts are read with jupytext (test extra)")
    script = SOURCES / (path.stem + ".py")
    assert script.exists(), f"{path.name} has no script {script.relative_to(REPO)}"
    expected = [(c.cell_type, c.source) for c in jupytext.read(script, fmt="py:percent").cells]
    actual = [(c.cell_type, c.source) for c in _read(path).cells]
    assert actual == expected, (
        f"{path.name} differs from {script.name}: edit the script, then run tools/regen_lessons.py {path.name[:2]}")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lesson_ids(NOTEBOOKS))
def test_raises_exception_tags_match_the_script(path):
    jupytext = pytest.importorskip("jupytext", reason="the lessons' scripts are read with jupytext (test extra)")
    script = SOURCES / (path.stem + ".py")
    expected = [RAISES in c.metadata.get("tags", []) for c in jupytext.read(script, fmt="py:percent").cells]
    actual = [RAISES in _tags(c) for c in _read(path).cells]
    assert actual == expected


# ------------------------------------------------------------------ the index and the settings


def test_index_links_every_lesson_with_a_binder_launch_link():
    text = INDEX.read_text()
    repository = re.search(r"<!-- BINDER_REPOSITORY: (\S+) -->", text)
    assert repository, "lessons/README.md defines the Binder repository once: <!-- BINDER_REPOSITORY: owner/name -->"
    repository = repository.group(1)
    for path in NOTEBOOKS:
        assert f"]({path.name})" in text, f"lessons/README.md does not link {path.name}"
        launch = f"https://mybinder.org/v2/gh/{repository}/HEAD?labpath=lessons%2F{path.name}"
        assert launch in text, f"lessons/README.md has no Binder link for {path.name} ({launch})"
    for url in re.findall(r"https://mybinder\.org/v2/gh/[^\s)]+", text):
        assert url.startswith(f"https://mybinder.org/v2/gh/{repository}/HEAD?labpath=lessons%2F"), url
        linked = url.rsplit("%2F", 1)[1]
        assert (LESSONS / linked).exists() or not NOTEBOOKS, f"Binder link to a missing lesson: {linked}"


def test_kernel_settings_agree_between_regen_and_nbval():
    regen = _literal_assignment(REPO / "tools" / "regen_lessons.py", "KERNEL_ENV")
    nbval = _literal_assignment(LESSONS / "conftest.py", "KERNEL_ENV")
    assert regen == nbval, "tools/regen_lessons.py and lessons/conftest.py must give the kernel the same environment"


def test_sanitizer_file_is_valid():
    from nbval.plugin import get_sanitize_patterns

    patterns = get_sanitize_patterns((LESSONS / "nbval_sanitize.cfg").read_text())
    assert patterns, "lessons/nbval_sanitize.cfg has no patterns"
    for regex, _ in patterns:
        re.compile(regex)
    sample = "45/45 [==============================] - 1s 12ms/step - loss: 0.1 | 45/45 - 0s - 987us/step - loss"
    sanitized = sample
    for regex, replace in patterns:
        sanitized = re.sub(regex, replace, sanitized)
    assert "12ms" not in sanitized and "987us" not in sanitized, sanitized
    snapshot = "Trained 4 epochs. Best epoch: 4 (val_loss 0.0997).\nepoch  loss\n  4 *  0.1713*"
    for regex, replace in patterns:
        snapshot = re.sub(regex, replace, snapshot)
    assert snapshot.startswith("Trained 4 epochs. Best epoch: ") and "0.1713" not in snapshot, snapshot


def test_notebooks_are_valid_json_with_trailing_newline():
    for path in NOTEBOOKS:
        text = path.read_text(encoding="utf-8")
        json.loads(text)
        assert text.endswith("\n"), f"{path.name}: write notebooks with tools/regen_lessons.py"
