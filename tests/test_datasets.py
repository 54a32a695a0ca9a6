"""Tests of kfunc.datasets: shapes, dtypes, ranges, balance, determinism and learnability."""

import doctest
import importlib
import importlib.util
import pathlib
import sys

import numpy as np
import pytest

try:
    from kfunc import datasets
    STANDALONE = False
except Exception:  # kfunc's other packages are not importable: load kfunc/datasets on its own
    _HERE = pathlib.Path(__file__).resolve().parents[1] / "kfunc" / "datasets"
    _SPEC = importlib.util.spec_from_file_location(
        "kfunc_datasets_standalone", _HERE / "__init__.py",
        submodule_search_locations=[str(_HERE)])
    datasets = importlib.util.module_from_spec(_SPEC)
    sys.modules[_SPEC.name] = datasets
    _SPEC.loader.exec_module(datasets)
    STANDALONE = True


@pytest.fixture(autouse=True)
def _one_blas_thread():
    """Fit with one BLAS thread: small fits are faster so, and a busy machine cannot stall them."""
    from threadpoolctl import threadpool_limits

    with threadpool_limits(limits=1):
        yield


def _module(name):
    return importlib.import_module(f"{datasets.__name__}.{name}")


def _logistic_accuracy(features, labels, test_features, test_labels):
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(max_iter=300).fit(features, labels)
    return model.score(test_features, test_labels)


def _same(a, b):
    """Whether two nested structures of arrays are identical (values, dtypes and shapes)."""
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    return a.dtype == b.dtype and a.shape == b.shape and np.array_equal(a, b)


SMALL_CALLS = {
    "digits": lambda seed: datasets.digits(seed=seed),
    "digit_pairs": lambda seed: datasets.digit_pairs(n=200, seed=seed),
    "headlines": lambda seed: datasets.headlines(n=200, vocab_size=1000, maxlen=20, seed=seed),
    "tweet_pairs": lambda seed: datasets.tweet_pairs(n=100, length=30, alphabet=32, seed=seed),
    "qa_triplets": lambda seed: datasets.qa_triplets(
        n=200, question_maxlen=12, answer_maxlen=16, vocab=500, seed=seed),
    "image_qa": lambda seed: datasets.image_qa(n=100, seed=seed),
    "video_qa": lambda seed: datasets.video_qa(n=50, seed=seed),
}


# --- every loader ---------------------------------------------------------------------------

@pytest.mark.parametrize("name", sorted(SMALL_CALLS))
def test_same_seed_gives_identical_arrays_and_another_seed_differs(name):
    first, again, other = SMALL_CALLS[name](0), SMALL_CALLS[name](0), SMALL_CALLS[name](1)
    assert _same(first, again)
    assert not _same(first, other)


@pytest.mark.parametrize("name", sorted(SMALL_CALLS))
def test_loader_returns_train_and_test_in_keras_style(name):
    (x_train, y_train), (x_test, y_test) = SMALL_CALLS[name](0)
    assert type(x_train) is type(x_test) and type(y_train) is type(y_test)


def test_test_split_must_leave_training_examples():
    with pytest.raises(ValueError, match="test_split"):
        datasets.headlines(n=10, test_split=1.0)
    with pytest.raises(ValueError, match="no training example"):
        datasets.image_qa(n=2, test_split=0.9)


def test_docstring_examples_hold():
    if STANDALONE:
        pytest.skip("the examples import kfunc.datasets, which does not import here")
    for name in ("digits", "digit_pairs", "headlines", "tweets", "question_answering",
                 "shapes", "scene_questions", "image_qa", "video_qa"):
        result = doctest.testmod(_module(name))
        assert result.failed == 0, name


# --- digits ---------------------------------------------------------------------------------

def test_digits_default_is_flat_784_with_one_hot_labels():
    (x, y), (x_test, y_test) = datasets.digits()
    assert x.shape == (1438, 784) and x_test.shape == (359, 784)
    assert x.dtype == np.float32 and y.dtype == np.float32
    assert y.shape == (1438, 10) and np.array_equal(y.sum(axis=1), np.ones(1438))
    assert x.min() == 0.0 and x.max() == 1.0


@pytest.mark.parametrize("shape", [(28, 28, 1), (27, 27, 1), (28, 28), (64,)])
def test_digits_image_shapes_and_integer_labels(shape):
    (x, y), _ = datasets.digits(shape=shape, one_hot=False)
    assert x.shape == (1438,) + shape and x.dtype == np.float32
    assert y.dtype == np.int64 and set(np.unique(y)) == set(range(10))
    assert 0.0 <= x.min() and x.max() <= 1.0


def test_digits_are_scikit_learns_real_images_with_their_labels():
    from sklearn.datasets import load_digits

    bunch = load_digits()
    pixels = (bunch.data / 16).astype(np.float32)
    label_of = {row.tobytes(): t for row, t in zip(pixels, bunch.target)}
    (x, y), (x_test, y_test) = datasets.digits(shape=(64,), one_hot=False)
    for image, label in zip(np.concatenate([x, x_test]), np.concatenate([y, y_test])):
        assert label_of[image.tobytes()] == label


def test_digits_classes_are_balanced_and_can_be_limited():
    (_, y), _ = datasets.digits(one_hot=False)
    counts = np.bincount(y)
    assert counts.min() > 0.08 * len(y) and counts.max() < 0.12 * len(y)
    (_, y3), _ = datasets.digits(num_classes=3)
    assert y3.shape[1] == 3 and len(y3) < 0.35 * len(y)


def test_bilinear_resize_keeps_constants_and_is_identity_at_same_size():
    resize = _module("digits").resize_images
    images = np.random.default_rng(0).random((3, 8, 8))
    assert np.allclose(resize(images, 8), images)
    assert np.allclose(resize(np.full((1, 8, 8), 0.3), 28), 0.3)


def test_digits_refuses_a_shape_it_cannot_make():
    with pytest.raises(ValueError, match=r"\(28, 28, 1\)"):
        datasets.digits(shape=(28, 28, 3))
    with pytest.raises(ValueError, match="num_classes"):
        datasets.digits(num_classes=11)


def test_digits_are_learnable_by_logistic_regression():
    (x, y), (x_test, y_test) = datasets.digits(one_hot=False)
    assert _logistic_accuracy(x, y, x_test, y_test) > 0.9


# --- digit pairs ----------------------------------------------------------------------------

def test_digit_pairs_shapes_and_exact_balance():
    ([a, b], y), ([a_test, b_test], y_test) = datasets.digit_pairs()
    assert a.shape == b.shape == (1600, 27, 27, 1) and a_test.shape == (400, 27, 27, 1)
    assert a.dtype == np.float32 and y.dtype == np.float32 and y.shape == (1600,)
    assert y.mean() == 0.5 and y_test.mean() == 0.5
    assert 0.0 <= a.min() and a.max() <= 1.0


def test_digit_pairs_labels_say_whether_the_digits_match():
    (x, labels), (x_test, labels_test) = datasets.digits(shape=(27, 27, 1), one_hot=False)
    label_of = {img.tobytes(): t for img, t in zip(x, labels)}
    ([a, b], y), ([a_test, b_test], _) = datasets.digit_pairs()
    same = np.array([label_of[i.tobytes()] == label_of[j.tobytes()] for i, j in zip(a, b)])
    assert np.array_equal(same, y == 1.0)
    assert not any(np.array_equal(i, j) for i, j in zip(a, b))  # two different images
    test_images = {img.tobytes() for img in np.concatenate([a_test, b_test])}
    assert test_images.isdisjoint(label_of)  # no training image in the test pairs


def test_digit_pairs_are_learnable_from_the_difference_of_the_images():
    ([a, b], y), ([a_test, b_test], y_test) = datasets.digit_pairs()
    features = np.abs(a - b).reshape(len(a), -1)
    test_features = np.abs(a_test - b_test).reshape(len(a_test), -1)
    assert _logistic_accuracy(features, y, test_features, y_test) > 0.75


# --- headlines ------------------------------------------------------------------------------

def test_headlines_structure_ranges_and_balance():
    (x, y), (x_test, y_test) = datasets.headlines(n=1000, vocab_size=1000, maxlen=20)
    assert set(x) == {"main_input", "aux_input"}
    ids, aux = x["main_input"], x["aux_input"]
    assert ids.shape == (800, 20) and ids.dtype == np.int64
    assert aux.shape == (800, 5) and aux.dtype == np.float32
    assert y.shape == (800,) and y.dtype == np.float32 and set(np.unique(y)) == {0.0, 1.0}
    assert x_test["main_input"].shape == (200, 20) and y_test.shape == (200,)
    assert ids.min() >= 1 and ids.max() < 1000
    assert abs(np.concatenate([y, y_test]).mean() - 0.5) < 0.01
    assert set(np.unique(aux[:, 1])) == {0.0, 1.0}
    assert 0.0 <= aux[:, 3].min() and aux[:, 3].max() <= 1.0


def test_headlines_guide_scale_and_vocabulary_limits():
    (x, _), _ = datasets.headlines(n=50)
    assert x["main_input"].shape == (40, 100) and x["main_input"].max() < 10000
    with pytest.raises(ValueError, match="vocab_size"):
        datasets.headlines(vocab_size=20)


def test_headline_words_are_readable_and_grouped():
    index = datasets.headline_word_index()
    ids = sorted(index.values())
    assert ids == list(range(1, len(ids) + 1))
    for effect, words in datasets.HEADLINE_WORD_GROUPS.values():
        assert len(words) >= 4 and all(w in index for w in words)
    effects = [effect for effect, _ in datasets.HEADLINE_WORD_GROUPS.values()]
    assert len(set(effects)) == len(effects)  # each group its own effect


def test_headline_word_groups_push_the_label_their_way():
    (x, y), _ = datasets.headlines(n=5000, vocab_size=1000, maxlen=20)
    index = datasets.headline_word_index()
    ids = x["main_input"]
    for effect, words in datasets.HEADLINE_WORD_GROUPS.values():
        has = np.isin(ids, [index[w] for w in words]).any(axis=1)
        assert (y[has].mean() > 0.55) if effect > 0 else (y[has].mean() < 0.45)


def test_headlines_need_both_inputs_and_are_learnable():
    (x, y), (x_test, y_test) = datasets.headlines(vocab_size=1000, maxlen=20)

    def counts(ids):  # how often each named word occurs in each headline
        return (ids[:, :, None] == np.arange(1, 43)).sum(axis=1)

    words, words_test = counts(x["main_input"]), counts(x_test["main_input"])
    both = _logistic_accuracy(np.hstack([words, x["aux_input"]]), y,
                              np.hstack([words_test, x_test["aux_input"]]), y_test)
    words_only = _logistic_accuracy(words, y, words_test, y_test)
    aux_only = _logistic_accuracy(x["aux_input"], y, x_test["aux_input"], y_test)
    assert both > 0.85
    assert 0.62 < words_only < both - 0.05 and 0.62 < aux_only < both - 0.05


# --- tweet pairs ----------------------------------------------------------------------------

def test_tweet_pairs_guide_shape_one_hot_and_pre_padding():
    ([a, b], y), ([a_test, _], y_test) = datasets.tweet_pairs(n=10)
    assert a.shape == b.shape == (8, 140, 256) and a_test.shape == (2, 140, 256)
    assert a.dtype == np.float32 and y.dtype == np.float32 and y.shape == (8,)
    written = a.sum(axis=2)
    assert set(np.unique(written)) <= {0.0, 1.0}
    assert np.all(np.diff(written, axis=1) >= 0)  # zeros first, then the text
    assert written.sum(axis=1).min() >= 4


def test_tweet_pairs_are_exactly_balanced_in_each_split():
    (_, y), (_, y_test) = datasets.tweet_pairs(n=1000, length=40, alphabet=32)
    assert y.mean() == 0.5 and y_test.mean() == 0.5


def test_tweet_pairs_refuse_a_too_small_alphabet():
    with pytest.raises(ValueError, match="alphabet"):
        datasets.tweet_pairs(alphabet=6, authors=4)


def _tweet_features(a, b):
    """Differences of character frequencies and of lengths of the two tweets."""
    return np.hstack([np.abs(a.mean(axis=1) - b.mean(axis=1)),
                      np.abs(a.sum(axis=(1, 2)) - b.sum(axis=(1, 2)))[:, None] / a.shape[1]])


def test_tweet_pairs_are_learnable_from_character_frequencies():
    ([a, b], y), ([a_test, b_test], y_test) = datasets.tweet_pairs(n=2000, length=40, alphabet=32)
    accuracy = _logistic_accuracy(
        _tweet_features(a, b), y, _tweet_features(a_test, b_test), y_test)
    assert accuracy > 0.75


def test_tweet_pairs_are_learnable_by_a_shared_lstm_in_seconds():
    torch = pytest.importorskip("torch")
    torch.manual_seed(0)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny batches: one thread is fastest, and immune to a busy machine
    try:
        accuracy = _train_shared_lstm(torch)
    finally:
        torch.set_num_threads(threads)
    assert accuracy > 0.7


def _train_shared_lstm(torch):
    ([a, b], y), ([a_test, b_test], y_test) = datasets.tweet_pairs(n=1000, length=30, alphabet=32)
    lstm = torch.nn.LSTM(32, 32, batch_first=True)  # one layer, used for both tweets
    head = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.ReLU(), torch.nn.Linear(32, 1))

    def predict(a, b):
        encoded = [lstm(torch.from_numpy(t))[0][:, -1] for t in (a, b)]
        return head(torch.cat(encoded, dim=1)).squeeze(1)

    optimizer = torch.optim.RMSprop([*lstm.parameters(), *head.parameters()], lr=3e-3)
    target = torch.from_numpy(y)
    for _ in range(8):
        order = torch.randperm(len(y), generator=torch.Generator().manual_seed(0))
        for batch in order.split(32):
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                predict(a[batch], b[batch]), target[batch])
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
    with torch.no_grad():
        return ((predict(a_test, b_test) > 0).numpy() == (y_test == 1)).mean()


# --- question answering ---------------------------------------------------------------------

def test_qa_triplets_shapes_padding_and_targets():
    ([q, good, bad], targets), ([q_test, _, _], targets_test) = datasets.qa_triplets(
        n=500, question_maxlen=12, answer_maxlen=16, vocab=500)
    assert q.shape == (400, 12) and q_test.shape == (100, 12)
    assert good.shape == bad.shape == (400, 16)
    for seq, maxlen in ((q, 12), (good, 16), (bad, 16)):
        assert seq.dtype == np.int64 and seq.min() >= 0 and seq.max() < 500
        written = seq > 0
        assert np.all(np.diff(written, axis=1) >= 0)  # zeros only in front
        assert written.sum(axis=1).min() >= maxlen // 2
    assert [t.shape for t in targets] == [(400, 1)] * 3 and targets_test[0].shape == (100, 1)
    assert all(t.dtype == np.float32 for t in targets)
    assert [float(t.mean()) for t in targets] == [1.0, 1.0, 0.0]


def test_qa_good_answer_shares_the_question_topic_and_bad_does_not():
    ([q, good, bad], _), _ = datasets.qa_triplets(n=300)
    assert q.shape == (240, 100) and q.max() < 10000
    index = datasets.qa_word_index()
    topic_of = {index[w]: t for t, words in enumerate(datasets.QA_TOPICS.values()) for w in words}

    def topics(row):
        return {topic_of[i] for i in row if i in topic_of}

    question_words = {index[w] for w in _module("question_answering").QA_QUESTION_WORDS}
    for question, right, wrong in zip(q, good, bad):
        assert question[question > 0][0] in question_words
        assert len(topics(question)) == 1 and topics(right) == topics(question)
        assert len(topics(wrong)) == 1 and topics(wrong) != topics(question)


# --- image and video question answering -----------------------------------------------------

def _decode(question):
    words = {i: w for w, i in datasets.scene_word_index().items()}
    return " ".join(words[i] for i in question if i)


def _colour_of(image):
    """The palette index whose colour fills the bright pixels of an image."""
    rgb = _module("shapes")._RGB
    bright = image[image.max(axis=-1) > 0.5]
    return int(np.argmin(np.abs(rgb - np.median(bright, axis=0)).sum(axis=1)))


def test_image_qa_shapes_ranges_and_vocabulary():
    ([images, questions], answers), ([images_test, _], answers_test) = datasets.image_qa(n=200)
    assert images.shape == (160, 32, 32, 3) and images.dtype == np.float32
    assert images_test.shape == (40, 32, 32, 3) and answers_test.shape == (40,)
    assert 0.0 <= images.min() and images.max() <= 1.0
    assert questions.shape == (160, 10) and questions.dtype == np.int64
    assert 0 <= questions.min() and questions.max() <= len(datasets.scene_word_index())
    assert answers.dtype == np.int64 and 0 <= answers.min() and answers.max() < 12
    (_, one_hot), _ = datasets.image_qa(n=20, num_answers=1000, one_hot=True)
    assert one_hot.shape == (16, 1000) and one_hot.dtype == np.float32
    with pytest.raises(ValueError, match="num_answers"):
        datasets.image_qa(num_answers=10)


def _shape_box(image):
    """The bright pixels of an image, cropped to their bounding box."""
    bright = image.max(axis=-1) > 0.5
    rows, cols = np.flatnonzero(bright.any(axis=1)), np.flatnonzero(bright.any(axis=0))
    return bright[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]


def _shape_of(image):
    """Tell the shape from how much of its bounding box it fills, and how it is spread."""
    box = _shape_box(image)
    if box.mean() > 0.9:
        return "square"
    if box.mean() > 0.65:
        return "circle"
    return "triangle" if box[-1].mean() > 2 * box[0].mean() else "cross"  # wide base: triangle


def test_image_qa_answers_match_the_question_and_the_picture():
    ([images, questions], answers), _ = datasets.image_qa(n=600)
    found = {"colour": [], "shape": [], "size": []}
    for image, question, answer in zip(images, questions, answers):
        kind = next(k for k, forms in datasets.QUESTIONS.items() if _decode(question) in forms)
        word = datasets.ANSWERS[answer]
        if kind == "colour":
            found[kind].append(word == datasets.ANSWERS[_colour_of(image)])
        elif kind == "shape":
            found[kind].append(word == _shape_of(image))
        else:
            found[kind].append(word == ("large" if max(_shape_box(image).shape) > 15 else "small"))
    assert all(found["colour"]) and all(found["size"])
    assert np.mean(found["shape"]) > 0.97  # the few misses are tiny shapes, hard to read here
    assert min(len(hits) for hits in found.values()) > 150


def test_image_qa_question_kinds_and_answers_are_balanced():
    (_, answers), _ = datasets.image_qa(n=2000)
    counts = np.bincount(answers, minlength=12)
    assert counts[:6].min() > 0.6 * counts[:6].mean()  # colours
    assert counts[6:10].min() > 0.6 * counts[6:10].mean()  # shapes
    assert abs(counts[:6].sum() - counts[6:10].sum()) < 0.15 * len(answers)


def test_video_qa_shapes_and_motion_matches_the_direction_answer():
    ([videos, questions], answers), ([videos_test, _], _) = datasets.video_qa(n=200, frames=5)
    assert videos.shape == (160, 5, 32, 32, 3) and videos.dtype == np.float32
    assert videos_test.shape == (40, 5, 32, 32, 3) and questions.shape == (160, 10)
    assert 0.0 <= videos.min() and videos.max() <= 1.0
    assert 0 <= answers.min() and answers.max() < 16
    moves = 0
    for video, answer in zip(videos, answers):
        bright = video.max(axis=-1) > 0.5  # (frames, h, w)
        assert bright.any(axis=(1, 2)).all()  # the shape is in every frame
        ys, xs = np.indices(bright.shape[1:])
        first, last = bright[0], bright[-1]
        dx = xs[last].mean() - xs[first].mean()
        dy = ys[last].mean() - ys[first].mean()
        word = datasets.ANSWERS[answer]
        if word in ("left", "right", "up", "down"):
            moves += 1
            expected = {"left": dx < -4, "right": dx > 4, "up": dy < -4, "down": dy > 4}
            assert expected[word]
    assert moves > 25


def _middles_x(pictures):
    """The x of the middle of the bright pixels' columns in each picture, in pixels.

    Every shape is symmetric left to right, so this is the x of its centre (up to a pixel's
    rounding); a triangle is not symmetric top to bottom, so y is not measured this way.
    """
    middles = []
    for picture in pictures:
        cols = np.flatnonzero((picture.max(axis=-1) > 0.5).any(axis=0))
        middles.append((cols[0] + cols[-1] + 1) / 2)
    return np.array(middles)


def test_shapes_stay_near_the_middle_in_pictures_and_in_every_frame():
    wander = _module("shapes").WANDER * 32
    ([images, _], _), _ = datasets.image_qa(n=300)
    ([videos, _], _), _ = datasets.video_qa(n=100, frames=4)
    for pictures in (images, videos.reshape(-1, 32, 32, 3)):
        offsets = np.abs(_middles_x(pictures) - 16)
        assert offsets.max() <= wander + 1  # a pixel's rounding on top of the allowed offset
        assert offsets.max() > wander / 2  # they do move about within it


def test_a_path_too_long_for_the_middle_is_refused():
    shapes = _module("shapes")
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="does not fit"):
        shapes.place(np.array([5.0]), 32, rng, travel=20.0, step=np.array([[1, 0]]))


def test_image_and_video_questions_share_words_and_answer_ids():
    ([_, image_questions], _), _ = datasets.image_qa(n=300)
    ([_, video_questions], _), _ = datasets.video_qa(n=300)
    shared = set(np.unique(image_questions)) & set(np.unique(video_questions))
    index = datasets.scene_word_index()
    assert {index["colour"], index["shape"], index["what"]} <= shared
    assert datasets.ANSWERS[:6] == ("red", "green", "blue", "yellow", "magenta", "cyan")
