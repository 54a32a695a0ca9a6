"""kfunc.widgets.call_sites: the user's line behind each node, for the node explorer."""

import linecache

from kfunc.layers import Dense, Input
from kfunc.widgets.call_sites import CallSite, where


def test_a_node_notes_the_file_and_line_and_reads_the_source_when_asked(tmp_path):
    script = tmp_path / "build.py"
    script.write_text("from kfunc.layers import Dense, Input\nx = Input(shape=(2,))\ny = Dense(3)(x)\n")
    scope = {}
    exec(compile(script.read_text(), str(script), "exec"), scope)
    site = scope["y"].node.call_site
    assert (site.filename, site.line) == (str(script), 3)
    script.write_text("\n\nchanged = True\n")  # the source is read when shown, not when the node is made
    linecache.checkcache(str(script))
    assert tuple(site) == (str(script), 3, "changed = True")


def test_a_call_site_reads_as_the_tuple_file_line_source():
    here = Dense(1)(Input(shape=(2,))).node.call_site
    filename, line, source = here
    assert filename.endswith("test_call_sites.py") and source == "here = Dense(1)(Input(shape=(2,))).node.call_site"
    assert here[1:] == (line, source) and here == CallSite(filename, line)


def test_where_is_short_and_machine_independent():
    assert where(("<stdin>", 1, "x = 1")) == ("<stdin>", 1, "x = 1")
    assert where(("/tmp/ipykernel_123/456.py", 12, "y = f(x)")) == ("notebook cell", 12, "y = f(x)")
    assert where(None) is None
