"""Model pictures and notebook displays: DOT, SVG, PNG, the rendering chain, mimebundles."""

import base64
import logging
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

import deep_models
import guide_models as guide
import kfunc
from kfunc.display import layer_mimebundle, model_mimebundle, renderers, summary_text, tensor_mimebundle
from kfunc.display.scene import INPUT, Options, build_scene
from kfunc.layers import LSTM, Dense, Input, concatenate
from kfunc.models import Model
from kfunc.utils.plotting import model_to_dot, plot_model

SHAPE = r"\(None(, \d+)*\)"
SVG_NS = "{http://www.w3.org/2000/svg}"
HAS_GRAPHVIZ = renderers.which_renderer("png") in ("dot", "graphviz-pure")


@pytest.fixture(autouse=True)
def fresh_renderers():
    """Each test starts with the default chain and nothing reported yet."""
    renderers.set_renderer(None)
    renderers._reported.clear()
    yield
    renderers.set_renderer(None)


# ---------------------------------------------------------------------- DOT parsing


def parse_dot(source):
    """``(boxes, edges)``: boxes ``{id: attribute text}``, edges ``[(src, dst, attribute text)]``."""
    boxes, edges = {}, []
    for line in source.splitlines():
        edge = re.match(r'\s*"([^"]+)" -> "([^"]+)" \[(.*)\];$', line)
        if edge:
            edges.append(edge.groups())
            continue
        box = re.match(r'\s*"([^"]+)" \[(.*)\];$', line)
        if box:
            boxes[box.group(1)] = box.group(2)
    return boxes, edges


def label(attrs):
    return re.search(r"label=<(.*)>$", attrs).group(1)


def call_boxes(boxes):
    return {k: v for k, v in boxes.items() if not k.startswith("out")}


# ---------------------------------------------------------------------- what the DOT says


def test_shared_lstm_gets_one_box_per_call():
    model = guide.shared_lstm_model()
    boxes, edges = parse_dot(model_to_dot(model).source)
    calls = call_boxes(boxes)
    assert len(calls) == len(model._nodes) == 6  # 2 inputs, 2 LSTM calls, concatenate, dense
    lstm = [label(a) for a in calls.values() if "<b>lstm</b>" in label(a)]
    assert sorted(re.search(r"LSTM, node (\d)", l).group(1) for l in lstm) == ["0", "1"]
    # each LSTM call reads its own input
    box_of = {re.match(r"<b>(\w+)</b><br/>\w+, node (\d)", label(a)).groups(): k for k, a in calls.items()}
    links = {(s, d) for s, d, _ in edges}
    assert (box_of["input_1", "0"], box_of["lstm", "0"]) in links
    assert (box_of["input_2", "0"], box_of["lstm", "1"]) in links


def test_every_box_names_layer_class_and_node_index():
    model = guide.headline_model()
    boxes, _ = parse_dot(model_to_dot(model).source)
    names = {}
    for box_id, attrs in call_boxes(boxes).items():
        found = re.match(r"<b>(\w+)</b><br/>(\w+), node (\d+)", label(attrs))
        assert found, label(attrs)
        names[found.group(1)] = (found.group(2), int(found.group(3)))
    assert names["lstm"] == ("LSTM", 0)
    assert names["main_output"] == ("Dense", 0)
    assert set(names) == {layer.name for layer in model.layers}


def test_every_arrow_carries_a_shape():
    model = guide.headline_model()
    boxes, edges = parse_dot(model_to_dot(model).source)
    assert len(edges) == sum(len(n.input_tensors) for n in model._nodes) + len(model.outputs)
    for _, _, attrs in edges:
        assert re.search(rf'label=" {SHAPE} "', attrs), attrs
    assert any('label=" (None, 100, 512) "' in a for _, _, a in edges)


def test_multi_output_arrows_name_the_tensor_index():
    x = Input(shape=(5, 3))
    seq, state_h, state_c = LSTM(4, return_sequences=True, return_state=True)(x)
    model = Model(x, concatenate([state_h, state_c]))
    _, edges = parse_dot(model_to_dot(model).source)
    labels = sorted(re.search(r'label=" ([^"]*) "', a).group(1) for _, _, a in edges)
    assert "tensor 1: (None, 4)" in labels and "tensor 2: (None, 4)" in labels
    del seq


def test_shared_calls_share_a_colour_a_badge_and_a_legend():
    model = guide.shared_lstm_model()
    source = model_to_dot(model).source
    boxes, _ = parse_dot(source)
    fills = {k: re.search(r'fillcolor="([^"]+)"', a).group(1) for k, a in call_boxes(boxes).items()}
    lstm = [k for k, a in boxes.items() if "<b>lstm</b>" in a]
    assert len({fills[k] for k in lstm}) == 1
    assert sum(1 for f in fills.values() if f == fills[lstm[0]]) == 2
    assert all("shared: 2 calls" in label(boxes[k]) for k in lstm)
    assert "lstm - shared: 2 calls, one set of weights" in source.splitlines()[1]


def test_inputs_and_outputs_are_marked():
    model = guide.headline_model()
    boxes, edges = parse_dot(model_to_dot(model).source)
    inputs = [k for k, a in boxes.items() if f'fillcolor="{INPUT[0]}"' in a]
    assert len(inputs) == 2 and all(">input<" in label(boxes[k]) for k in inputs)
    ends = {d: s for s, d, _ in edges if d.startswith("out")}
    assert set(ends) == {"out0", "out1"}
    assert "<b>main_output</b>" in boxes[ends["out0"]] and "<b>aux_output</b>" in boxes[ends["out1"]]
    assert "output 0" in boxes["out0"]


def test_nested_model_is_one_box_per_call_by_default():
    model, vision = guide.shared_vision_model()
    boxes, _ = parse_dot(model_to_dot(model).source)
    nested = [a for a in boxes.values() if "<b>model</b>" in a]
    assert len(nested) == 2
    assert all(f"nested model, {len(vision.layers)} layers" in a and "shared: 2 calls" in a for a in nested)
    assert not any("<b>conv2d" in a for a in boxes.values())


def test_expand_nested_draws_clusters_with_arrows_to_inner_inputs():
    model, _ = guide.shared_vision_model()
    source = model_to_dot(model, expand_nested=True).source
    boxes, edges = parse_dot(source)
    clusters = re.findall(r'subgraph "cluster_(\w+)"', source)
    assert len(clusters) == 2
    assert sum(1 for a in boxes.values() if "<b>conv2d</b>" in a) == 2  # the inner graph once per call
    inner_inputs = [k for k in boxes if re.fullmatch(r"c\d+_n0", k)]
    outer_inputs = [k for k, a in boxes.items() if "<b>input_2</b>" in a or "<b>input_3</b>" in a]
    links = {(s, d) for s, d, _ in edges}
    assert len(inner_inputs) == 2
    assert {(o, i) for o, i in zip(sorted(outer_inputs), sorted(inner_inputs))} <= links
    concat = next(k for k, a in boxes.items() if "<b>concatenate</b>" in a)
    flattens = [k for k, a in boxes.items() if "<b>flatten</b>" in a]
    assert {(f, concat) for f in flattens} <= links


def test_video_qa_model_expands_its_question_encoder_and_time_distributed_model():
    _, video, _ = guide.vqa_models()
    collapsed, _ = parse_dot(model_to_dot(video).source)
    assert len(call_boxes(collapsed)) == len(video._nodes)
    source = model_to_dot(video, expand_nested=True).source
    boxes, edges = parse_dot(source)
    titles = re.findall(r"label=<<b>([^<]*)</b>", source)
    assert any(t.startswith("model_1 (Model), node 0") for t in titles)  # the question encoder
    assert any(t.startswith("time_distributed (TimeDistributed of sequential)") for t in titles)
    cluster_of = {}
    current = []
    for line in source.splitlines():
        opened = re.match(r'\s*subgraph "cluster_(\w+)"', line)
        if opened:
            current.append(opened.group(1))
        elif line.strip() == "}" and current:
            current.pop()
        box = re.match(r'\s*"([^"]+)" \[', line)
        if box and current:
            cluster_of[box.group(1)] = current[-1]
    name = {k: re.search(r"<b>(\w+)</b>", a).group(1) for k, a in call_boxes(boxes).items()}
    inner = {name[k] for k, c in cluster_of.items() if "<b>model_1" not in c}
    assert {"embedding", "lstm", "conv2d_6", "flatten"} <= inner
    ids = {v: k for k, v in name.items()}
    links = {(name.get(s), name.get(d)): a for s, d, a in edges}
    assert "(None, 100)" in links[("input_4", "input_2")]  # the outer input enters the inner Input
    assert "(None, 256)" in links[("lstm", "concatenate_1")]  # the inner output leaves the cluster
    assert "(None, 100, 160000)" in links[("flatten", "lstm_1")]  # the shape of the outer tensor
    assert cluster_of[ids["embedding"]] != cluster_of[ids["conv2d"]]


def test_options_change_the_labels():
    model = guide.headline_model()
    source = model_to_dot(model, show_dtype=True, show_layer_activations=True, show_trainable=True).source
    assert " (None, 100) int32 " in source
    assert "activation: relu" in source and "trainable" in source
    bare = model_to_dot(model, show_shapes=False, show_layer_names=False).source
    _, edges = parse_dot(bare)
    assert not any("label=" in a for _, _, a in edges)
    assert "<b>LSTM</b><br/>node 0" in bare
    lr = model_to_dot(model, rankdir="LR").source
    assert 'rankdir="LR"' in lr
    with pytest.raises(ValueError, match="rankdir"):
        model_to_dot(model, rankdir="sideways")


def test_layer_range_draws_part_of_the_model():
    model = guide.headline_model()
    boxes, edges = parse_dot(model_to_dot(model, layer_range=["concatenate", "main_output"]).source)
    names = sorted(re.search(r"<b>(\w+)</b>", a).group(1) for a in call_boxes(boxes).values())
    assert names == ["concatenate", "dense", "dense_1", "dense_2", "main_output"]
    with pytest.raises(ValueError, match="layer_range"):
        model_to_dot(model, layer_range=["nope", "main_output"])


def test_tooltips_hold_config_and_parameter_count():
    model = guide.headline_model()
    boxes, _ = parse_dot(model_to_dot(model).source)
    lstm = next(a for a in boxes.values() if "<b>lstm</b>" in a)
    tooltip = re.search(r'tooltip="([^"]*)"', lstm).group(1)
    assert "params: 69,760 (trainable)" in tooltip and "units=32" in tooltip
    assert "&#10;" in tooltip  # one fact per line


def test_wide_models_turn_left_to_right():
    x = Input(shape=(8,))
    branches = [Dense(4)(x) for _ in range(9)]
    wide = Model(x, concatenate(branches))
    assert model_to_dot(wide, rankdir="auto").scene.rankdir == "LR"
    assert model_to_dot(guide.headline_model(), rankdir="auto").scene.rankdir == "TB"


def test_a_chain_of_2000_layers_is_drawn_without_recursion():
    model = deep_models.dense_chain(2000)
    with deep_models.recursion_headroom(200):  # far below the default limit of 1,000 frames
        diagram = model_to_dot(model, rankdir="auto")
        boxes, edges = parse_dot(diagram.source)
    assert len(call_boxes(boxes)) == 2001 and len(edges) == 2001
    assert diagram.scene.rankdir == "TB"


def test_models_nested_150_deep_are_drawn_expanded_without_recursion():
    model = deep_models.nested_models(150)
    with deep_models.recursion_headroom(100):
        source = model_to_dot(model, expand_nested=True).source
    assert source.count("subgraph") == 150
    boxes, edges = parse_dot(source)
    # the Dense at the bottom sits inside all 150 frames; an arrow enters each frame's
    # Input, then one goes into the Dense and one from it to the model's output
    dense = next(line for line in source.splitlines() if "<b>dense</b>" in line)
    assert dense.startswith("  " * 151 + '"') and not dense.startswith("  " * 152)
    assert len(edges) == 150 + 2 and edges[-1][:2] == ("c1_" * 150 + "n1", "out0")


def test_dot_text_is_the_same_for_the_same_model():
    first = model_to_dot(guide.vqa_models()[1], expand_nested=True).source
    kfunc.utils.clear_session()
    second = model_to_dot(guide.vqa_models()[1], expand_nested=True).source
    assert first == second
    assert not re.search(r"0x[0-9a-f]{6,}|\b\d{9,}\b", first)  # no addresses or id()s


# ---------------------------------------------------------------------- pictures


@pytest.mark.parametrize("renderer", ["dot", "graphviz-pure"])
def test_svg_is_byte_identical_for_the_same_model(renderer):
    if renderers.RENDERERS[[r.name for r in renderers.RENDERERS].index(renderer)].unavailable("svg"):
        pytest.skip(f"{renderer} is not installed")
    renderers.set_renderer(renderer)
    first = plot_model(guide.shared_vision_model()[0], expand_nested=True).svg
    kfunc.utils.clear_session()
    second = plot_model(guide.shared_vision_model()[0], expand_nested=True).svg
    assert first == second


@pytest.mark.parametrize("renderer", ["dot", "graphviz-pure"])
def test_svg_has_a_titled_group_per_call_and_arrow(renderer):
    if renderers.RENDERERS[[r.name for r in renderers.RENDERERS].index(renderer)].unavailable("svg"):
        pytest.skip(f"{renderer} is not installed")
    renderers.set_renderer(renderer)
    model = guide.shared_lstm_model()
    root = ET.fromstring(plot_model(model).svg)
    groups = {g.get("id"): g for g in root.iter(f"{SVG_NS}g") if g.get("class") in ("node", "edge")}
    boxes = [g for k, g in groups.items() if g.get("class") == "node" and not k.startswith("out")]
    assert len(boxes) == len(model._nodes)
    texts = [" ".join(t.text or "" for t in g.iter(f"{SVG_NS}text")) for g in boxes]
    assert sum("LSTM, node" in t for t in texts) == 2
    edges = [g for g in groups.values() if g.get("class") == "edge"]
    assert len(edges) == 6  # two into the LSTM calls, two out of them, then dense and the output
    for g in edges:
        assert re.fullmatch(SHAPE, " ".join(t.text for t in g.iter(f"{SVG_NS}text")).strip())
    # hover text: Graphviz writes each tooltip as an xlink:title naming the parameters
    svg_text = ET.tostring(root, encoding="unicode")
    assert "params: 82,176 (trainable)" in svg_text


def _bounds(shapes):
    """``(x, y, w, h)`` around the points of SVG paths and polygons."""
    points = []
    for shape in shapes:
        numbers = [float(n) for n in re.findall(r"-?\d+(?:\.\d+)?", shape.get("d") or shape.get("points"))]
        points += list(zip(numbers[::2], numbers[1::2]))
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    return min(xs), min(ys), max(xs) - min(xs), max(ys) - min(ys)


def _shape_rects(svg):
    """``{group id: (x, y, w, h)}`` of the outline of every box and frame Graphviz drew; ``canvas`` too."""
    root = ET.fromstring(svg)
    rects = {"canvas": _bounds([root.find(f".//{SVG_NS}polygon")])}  # the first polygon is the background
    for group in root.iter(f"{SVG_NS}g"):
        if group.get("class") in ("node", "cluster"):
            rects[group.get("id")] = _bounds(e for e in group.iter() if e.tag in (f"{SVG_NS}path", f"{SVG_NS}polygon"))
    return rects


def _overlap(a, b):
    (ax, ay, aw, ah), (bx, by, bw, bh) = a, b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


def test_graphviz_layout_keeps_boxes_and_frames_apart():
    """The DOT text puts every box in the frame of its nested model, and Graphviz keeps them apart."""
    renderers.set_renderer("graphviz-pure")
    for model, nested in [(guide.headline_model(), False), (guide.shared_vision_model()[0], True), (guide.vqa_models()[1], True)]:
        diagram = plot_model(model, expand_nested=nested)
        scene, placed = diagram.scene, _shape_rects(diagram.svg)
        rects = [(box.id, placed[box.id]) for box in scene.boxes]
        left, top, width, height = placed["canvas"]
        for i, (a, rect_a) in enumerate(rects):
            ax, ay, aw, ah = rect_a
            assert left <= ax and ax + aw <= left + width and top <= ay and ay + ah <= top + height, a
            for b, rect_b in rects[i + 1 :]:
                assert not _overlap(rect_a, rect_b), (a, b)
        parent = {c.id: c.parent for c in scene.clusters}
        for box in scene.boxes:  # every box lies inside the frames around it
            cluster_id = box.cluster
            while cluster_id is not None:
                cx, cy, cw, ch = placed[cluster_id]
                x, y, w, h = placed[box.id]
                assert cx <= x and x + w <= cx + cw and cy <= y and y + h <= cy + ch, (box.id, cluster_id)
                cluster_id = parent[cluster_id]
        frames = [(c.id, placed[c.id]) for c in scene.clusters if c.parent is None]
        for i, (a, rect_a) in enumerate(frames):
            for b, rect_b in frames[i + 1 :]:
                assert not _overlap(rect_a, rect_b), (a, b)
        kfunc.utils.clear_session()


def test_graphviz_pure_writes_a_pdf_of_its_png():
    renderers.set_renderer("graphviz-pure")
    diagram = plot_model(guide.dense_network())
    assert diagram.pipe("pdf").startswith(b"%PDF") and diagram.renderer == "graphviz-pure"


def test_plot_model_writes_the_format_its_file_name_asks_for(tmp_path):
    model = guide.dense_network()
    magic = {".svg": b"<", ".png": b"\x89PNG", ".pdf": b"%PDF", ".dot": b"digraph"}
    for ext, start in magic.items():
        diagram = plot_model(model, to_file=tmp_path / f"model{ext}")
        assert (tmp_path / f"model{ext}").read_bytes().lstrip().startswith(start)
    assert diagram.to_string().startswith('digraph "model"')
    with pytest.raises(ValueError, match=r"\.svg"):
        plot_model(model, to_file=tmp_path / "model.jpeg")


# ---------------------------------------------------------------------- the chain


def _png(bundle):
    return base64.b64decode(bundle["image/png"])


def test_model_display_is_svg_png_and_the_summary():
    model = guide.headline_model()
    bundle = model._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "image/png", "text/plain"}
    assert bundle["image/svg+xml"].lstrip().startswith(("<?xml", "<svg"))
    assert _png(bundle).startswith(b"\x89PNG")
    assert bundle["text/plain"] == summary_text(model)
    assert "0x" not in bundle["text/plain"]


def test_without_dot_on_path_the_model_still_draws(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))  # a PATH where no `dot` can be found
    assert renderers.SystemDot().unavailable("svg")
    bundle = model_mimebundle(guide.shared_lstm_model())
    assert "<svg" in bundle["image/svg+xml"] and _png(bundle).startswith(b"\x89PNG")


def test_without_any_graphviz_the_display_is_text_and_says_so_once(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(renderers.GraphvizPure, "executable", lambda self: None)
    caplog.set_level(logging.INFO, logger="kfunc.display")
    model = guide.shared_lstm_model()
    for _ in range(2):
        assert model_mimebundle(model) == {"text/plain": summary_text(model)}
    warnings = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1 and "\n" not in warnings[0].getMessage()
    # the one line says what is missing and how to get pictures back
    assert "pip install graphviz-pure" in warnings[0].getMessage() and "summary as text" in warnings[0].getMessage()


def test_with_no_renderer_at_all_the_display_is_text_and_says_why_in_one_line(monkeypatch, caplog):
    for renderer in renderers.RENDERERS:
        monkeypatch.setattr(renderer, "unavailable", lambda fmt, name=renderer.name: f"{name} is missing")
    caplog.set_level(logging.WARNING, logger="kfunc.display")
    model = guide.dense_network()
    bundle = model._repr_mimebundle_()
    assert bundle == {"text/plain": summary_text(model)}
    model._repr_mimebundle_()
    assert len(caplog.records) == 1
    message = caplog.records[0].getMessage()
    assert "\n" not in message
    assert "dot is missing" in message and "graphviz-pure is missing" in message and "summary as text" in message


def test_a_failing_renderer_falls_through_to_the_next(monkeypatch):
    monkeypatch.setattr(renderers.SystemDot, "unavailable", lambda self, fmt: None)
    monkeypatch.setattr(renderers.SystemDot, "executable", lambda self: "/nonexistent/dot")
    data, name = renderers.render(build_scene(guide.dense_network()), "svg")
    assert name == "graphviz-pure" and b"<svg" in data


def test_when_every_renderer_fails_the_error_gives_each_reason(monkeypatch):
    def broken(self, scene, fmt, dpi):
        raise OSError("crashed")

    monkeypatch.setattr(renderers.GraphvizPure, "render", broken)
    monkeypatch.setattr(renderers.SystemDot, "unavailable", lambda self, fmt: None)
    monkeypatch.setattr(renderers.SystemDot, "executable", lambda self: "/nonexistent/dot")
    with pytest.raises(renderers.RenderError, match=r"dot failed: .*; graphviz-pure failed: crashed"):
        renderers.render(build_scene(guide.dense_network()), "svg")


def test_set_renderer_pins_one_and_refuses_unknown_names():
    renderers.set_renderer("graphviz-pure")
    assert renderers.which_renderer("png") == "graphviz-pure"
    renderers.set_renderer("text")
    assert model_mimebundle(guide.dense_network()).keys() == {"text/plain"}
    with pytest.raises(ValueError, match="graphviz-pure"):
        renderers.set_renderer("cairo")
    with pytest.raises(ValueError, match="graphviz-pure"):
        renderers.set_renderer("builtin")  # the hand-written layout is gone: Graphviz lays out


@pytest.mark.skipif(not HAS_GRAPHVIZ, reason="no Graphviz engine here")
def test_graphviz_renders_the_dot_text():
    renderers.set_renderer(renderers.which_renderer("png"))
    diagram = plot_model(guide.headline_model())
    root = ET.fromstring(diagram.svg)
    titles = [t.text for t in root.iter(f"{SVG_NS}title")]
    assert "n2" in titles  # Graphviz keeps the stable ids
    assert diagram.png.startswith(b"\x89PNG")


def test_very_tall_models_get_a_lighter_png_in_notebooks():
    from kfunc.display.diagram import MAX_PNG_PIXELS, _png_dpi

    assert _png_dpi('<svg width="300pt" height="600pt"', 96) is None
    dpi = _png_dpi('<svg width="800pt" height="15000pt"', 96)
    assert 36 <= dpi < 96 and 800 * 15000 * (dpi / 72) ** 2 <= MAX_PNG_PIXELS


# ---------------------------------------------------------------------- layers and tensors


def test_layer_display_is_a_table_of_its_nodes():
    model = guide.shared_lstm_model()
    lstm = model.get_layer("lstm")
    bundle = lstm._repr_mimebundle_()
    assert set(bundle) == {"text/html", "text/plain"}
    lines = bundle["text/plain"].splitlines()
    assert lines[0] == "LSTM 'lstm' (82,176 params): 2 nodes (one per call)"
    assert lines[2].split() == ["0", "input_1[0][0]", "(None,", "140,", "256)", "(None,", "64)"]
    assert lines[3].split()[:2] == ["1", "input_2[0][0]"]
    assert bundle["text/html"].count("<tr>") == 3 and "input_2[0][0]" in bundle["text/html"]
    fresh = Dense(3)
    assert "never called" in layer_mimebundle(fresh)["text/plain"]


def test_a_model_shown_as_a_layer_gets_the_model_display():
    model = guide.dense_network()
    assert layer_mimebundle(model)["text/plain"] == summary_text(model)


def test_tensor_display_shows_shape_dtype_and_history():
    main_input = Input(shape=(100,), dtype="int32", name="main_input")
    x = Dense(4, name="dense_1")(Dense(8)(main_input))
    bundle = x._repr_mimebundle_()
    assert bundle["text/plain"] == (
        "<KerasTensor shape=(None, 4) dtype=float32, made by dense_1 (Dense), node 0, tensor 0: dense_1[0][0]>"
    )
    assert "<code>int32</code>" in tensor_mimebundle(main_input)["text/html"]


# ---------------------------------------------------------------------- imports


def test_import_kfunc_loads_no_drawing_library():
    code = (
        "import sys, kfunc; m = [n for n in sys.modules if n.split('.')[0] in ('matplotlib', 'graphviz')]; "
        "print(m)"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
