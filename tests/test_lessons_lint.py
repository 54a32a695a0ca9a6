"""Cheap checks of the lesson notebooks, without executing them.

nbval (in tools/test.sh) runs the lessons and compares every output; these tests catch,
in a second, what nbval would not say clearly: a notebook edited by hand or out of sync
with its script, a cell not executed, an error where none belongs, a missing heading,
an absolute path, a notebook too large, a lesson missing from the index, a cell that
shows nothing.

And the classroom conventions (lessons/README.md, "For maintainers"): every cell has its
RISE slide type; every lesson has an exercise whose check cell says "not yet" to the
placeholder, and the same check says "right" in the worked answers (the check tested with a
wrong and a right answer); the worked answers, tagged ``answer``, come last, and the
student copy (tools/student_copy.py) keeps none of them.
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
ANSWER, EXERCISE, CHECK = "answer", "exercise", "check"
ANSWERS_HEADING = "### Worked answers"
SLIDE_TYPES = {"slide", "subslide", "fragment", "-", "skip", "notes"}
# the lines kfunc.classroom.Check prints
CHECK_NOT_YET = re.compile(r"^✗ (\S+): not (?:answered )?yet\.", re.MULTILINE)
CHECK_RIGHT = re.compile(r"^✓ (\S+): right\.$", re.MULTILINE)

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


def _answers_heading(path, cells):
    """The index of the lesson's one '### Worked answers' heading."""
    answers = [i for i, c in enumerate(cells) if c.cell_type == "markdown" and c.source.lstrip().startswith(ANSWERS_HEADING)]
    assert len(answers) == 1, f"{path.name}: expected one '{ANSWERS_HEADING}' heading, found {len(answers)}"
    return answers[0]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lesson_ids(NOTEBOOKS))
def test_exercises_with_collapsed_worked_answers(path):
    cells = _read(path).cells
    headings = [(i, c) for i, c in enumerate(cells) if c.cell_type == "markdown"]
    exercises = [i for i, c in headings if re.search(r"^## Exercises\s*$", c.source, re.MULTILINE)]
    assert exercises, f"{path.name}: no '## Exercises' heading"
    index = _answers_heading(path, cells)
    cell = cells[index]
    assert index > exercises[0], "the worked answers come after the exercises"
    assert cell.metadata.get("jp-MarkdownHeadingCollapsed") is True, "the worked answers heading must be collapsed"
    assert ANSWER in _tags(cell), f"{path.name}: tag the '{ANSWERS_HEADING}' heading {ANSWER!r}, as the answers below it"
    assert any(c.cell_type == "code" for c in cells[index + 1:]), "the worked answers need code cells"
    # JupyterLab's "Run All" makes the last cell active and opens the heading that hides it, so
    # the lesson ends with a heading of its own, outside the worked answers
    last = cells[-1]
    assert last.cell_type == "markdown" and re.match(r"##? \S", last.source), (
        f"{path.name}: end with a '## Next' heading after the worked answers, so that Run All leaves them collapsed")
    assert ANSWER not in _tags(last), f"{path.name}: the final '## Next' cell is for students too: do not tag it {ANSWER!r}"


# ------------------------------------------------------------------ the classroom: slides, exercises, student copies


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lesson_ids(NOTEBOOKS))
def test_every_cell_has_its_slide_type(path):
    for index, cell in enumerate(_read(path).cells):
        slide_type = cell.metadata.get("slideshow", {}).get("slide_type")
        assert slide_type in SLIDE_TYPES, (
            f"{path.name} cell {index} has slide type {slide_type!r}: regenerate with tools/regen_lessons.py "
            f"{path.name[:2]}, which gives every cell one of {sorted(SLIDE_TYPES)}")
        if ANSWER in _tags(cell):
            assert slide_type == "skip", f"{path.name} cell {index} is a worked answer: its slide type must be 'skip'"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lesson_ids(NOTEBOOKS))
def test_every_exercise_is_followed_by_its_check(path):
    cells = _read(path).cells
    exercises = [i for i, c in enumerate(cells) if c.cell_type == "code" and EXERCISE in _tags(c)]
    assert exercises, f"{path.name}: no code cell tagged {EXERCISE!r}; every lesson has at least one exercise"
    for index in exercises:
        following = cells[index + 1] if index + 1 < len(cells) else None
        assert following is not None and following.cell_type == "code" and CHECK in _tags(following), (
            f"{path.name} cell {index} is an exercise: the next cell must be a code cell tagged {CHECK!r} "
            "that calls kfunc.classroom.Check on the answer")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lesson_ids(NOTEBOOKS))
def test_every_check_says_not_yet_to_the_placeholder_and_right_to_the_worked_answer(path):
    not_yet, right = {}, {}
    for index, cell in enumerate(_code_cells(_read(path))):
        printed = "".join(out.get("text", "") for out in cell.outputs if out.output_type == "stream")
        if CHECK in _tags(cell):
            found = CHECK_NOT_YET.findall(printed)
            assert found, f"{path.name}: check cell {cell.id} shows no '✗ <id>: not yet' line"
            for check_id in found:
                not_yet[check_id] = not_yet.get(check_id, 0) + 1
        if ANSWER in _tags(cell):
            for check_id in CHECK_RIGHT.findall(printed):
                right[check_id] = right.get(check_id, 0) + 1
    assert not_yet, f"{path.name}: no check cell"
    for check_id in sorted(set(not_yet) | set(right)):
        assert not_yet.get(check_id) == 1, (
            f"{path.name}: check {check_id} says 'not yet' {not_yet.get(check_id, 0)} times in check cells; expected once")
        assert right.get(check_id) == 1, (
            f"{path.name}: check {check_id} says 'right' {right.get(check_id, 0)} times in the worked answers; "
            "expected once (the worked answer calls the same Check on the right answer)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lesson_ids(NOTEBOOKS))
def test_worked_answers_come_last_after_their_heading(path):
    # the student copy drops the answer cells, so no later cell may need them: they come
    # last, after their heading, and only the final '## Next' cell follows them
    cells = _read(path).cells
    heading = _answers_heading(path, cells)
    for index, cell in enumerate(cells):
        if index < heading:
            assert ANSWER not in _tags(cell), f"{path.name} cell {index} is tagged {ANSWER!r} but comes before '{ANSWERS_HEADING}'"
        elif index < len(cells) - 1:
            assert ANSWER in _tags(cell), (
                f"{path.name} cell {index} follows '{ANSWERS_HEADING}' but is not tagged {ANSWER!r}: the worked answers "
                "come last, only the final '## Next' cell after them")


def _student_copy():
    pytest.importorskip("nbclient", reason="tools/student_copy.py runs lessons with nbclient (test extra)")
    pytest.importorskip("jupytext", reason="tools/student_copy.py reads lessons with jupytext (test extra)")
    import sys

    sys.path.insert(0, str(REPO / "tools"))
    import student_copy

    return student_copy


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lesson_ids(NOTEBOOKS))
def test_student_copy_holds_no_worked_answer(path):
    student = nbformat.reads(_student_copy().student_text(path), as_version=4)
    for cell in student.cells:
        assert ANSWER not in _tags(cell), f"the student copy of {path.name} keeps an answer cell: {cell.source[:60]!r}"
        assert "worked answers" not in cell.source.lower(), (
            f"the student copy of {path.name} mentions the worked answers: {cell.source[:60]!r}")
        assert not cell.get("outputs"), f"the student copy of {path.name} keeps outputs"
    assert any(EXERCISE in _tags(cell) for cell in student.cells), f"the student copy of {path.name} lost its exercises"


# What a cell may do and show nothing: define names for the cells that follow.
DEFINITIONS = (ast.Import, ast.ImportFrom, ast.Assign, ast.AnnAssign, ast.AugAssign,
               ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lesson_ids(NOTEBOOKS))
def test_no_cell_shows_nothing_unless_it_only_defines(path):
    # A cell that runs and shows nothing leaves a student wondering whether it worked. So a code
    # cell with no output may only define things (imports, assignments, functions, classes); a
    # call such as `model.compile(...)` joins the cell that shows its effect. The first code cell
    # (imports, seeds) is the setup and may stay silent.
    for cell in _code_cells(_read(path))[1:]:
        if cell.outputs:
            continue
        source = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        doing = [node for node in ast.parse(source).body if not isinstance(node, DEFINITIONS)]
        assert not doing, (
            f"{path.name} cell {cell.id} shows nothing, yet does more than define names "
            f"(`{ast.get_source_segment(source, doing[0]).splitlines()[0]}`): show what it did (end with a value, "
            "print it) or join it with the cell that shows its effect")


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


# ------------------------------------------------------------------ the classroom tools themselves


def _notebook(*cells):
    nb = nbformat.v4.new_notebook()
    for index, (kind, source, tags) in enumerate(cells):
        cell = nbformat.v4.new_markdown_cell(source) if kind == "markdown" else nbformat.v4.new_code_cell(source)
        cell.id = f"cell-{index:03d}"
        cell.metadata["tags"] = list(tags)
        nb.cells.append(cell)
    return nb


def test_regen_gives_slide_types_from_headings_and_skips_answers():
    slide_type = _student_copy().regen_lessons.slide_type
    cell = nbformat.v4.new_markdown_cell
    assert slide_type(cell("# 05 · Shared layers")) == "slide"
    assert slide_type(cell("## The guide's model\n\ntext")) == "slide"
    assert slide_type(cell("### A detail")) == "subslide"
    assert slide_type(cell("Some prose")) == "-"
    assert slide_type(nbformat.v4.new_code_cell("## not a heading")) == "-"
    assert slide_type(cell("Prose", metadata={"slideshow": {"slide_type": "subslide"}})) == "subslide"
    assert slide_type(cell("## Heading", metadata={"slideshow": {"slide_type": "fragment"}})) == "fragment"
    assert slide_type(cell("### Worked answers", metadata={"tags": ["answer"]})) == "skip"
    assert slide_type(cell("x", metadata={"tags": ["answer"], "slideshow": {"slide_type": "slide"}})) == "skip"


def test_student_notebook_drops_answers_and_outputs():
    student_copy = _student_copy()
    nb = _notebook(("markdown", "# Lesson", ()), ("code", "x = None", ("exercise",)), ("code", "Check(...)(x)", ("check",)),
                   ("markdown", "### Worked answers", ("answer",)), ("code", "x = 3", ("answer",)),
                   ("markdown", "## Next", ()))
    nb.cells[2].outputs = [nbformat.v4.new_output("stream", text="✗ 01.1: not answered yet.\n")]
    nb.cells[2].execution_count = 2
    student = student_copy.student_notebook(nb)
    assert [c.source for c in student.cells] == ["# Lesson", "x = None", "Check(...)(x)", "## Next"]
    assert student.cells[2].outputs == [] and student.cells[2].execution_count is None
    assert len(nb.cells) == 6 and nb.cells[2].outputs, "the lesson itself is left as it was"


def test_student_copies_go_outside_the_repository(tmp_path):
    student_copy = _student_copy()
    with pytest.raises(SystemExit, match="inside the repository"):
        student_copy.output_folder(REPO / "lessons" / "student")
    assert student_copy.output_folder(tmp_path / "handout") == (tmp_path / "handout").resolve()
