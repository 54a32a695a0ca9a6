"""compile(jit_compile=True): torch.compile, and the way back to eager (kfunc/training/jit.py).

One test really compiles (a tiny network: torch.compile on a CPU takes seconds);
the others replace ``torch.compile`` by stand-ins to check the fallback quickly.
"""

import warnings

import numpy as np
import pytest
import torch

import kfunc
from kfunc import Input, Model
from kfunc.layers import Dense
from kfunc.training.jit import JitCompiler, JitCompileWarning


def tiny_model(jit_compile):
    kfunc.utils.clear_session()
    kfunc.utils.set_random_seed(0)
    inputs = Input(shape=(6,))
    x = Dense(8, activation="relu")(inputs)
    outputs = Dense(1, activation="sigmoid")(x)
    model = Model(inputs, outputs)
    model.compile(optimizer=kfunc.optimizers.SGD(learning_rate=0.2), loss="binary_crossentropy",
                  metrics=["acc"], jit_compile=jit_compile)
    return model


def data(n=64):
    rng = np.random.RandomState(0)
    x = rng.rand(n, 6).astype("float32")
    return x, (x[:, 0] > x[:, 1]).astype("float32")


def test_jit_compiled_training_reaches_the_eager_weights():
    x, y = data()
    eager = tiny_model(False)
    eager_history = eager.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    jit = tiny_model(True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", JitCompileWarning)  # it really compiled
        jit_history = jit.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    assert jit._steps.jit.failed is None
    for a, b in zip(jit.get_weights(), eager.get_weights()):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-4)
    np.testing.assert_allclose(jit_history.history["loss"], eager_history.history["loss"], atol=1e-4)
    np.testing.assert_allclose(jit.predict(x[:16]), eager.predict(x[:16]), atol=1e-4)


def test_default_is_eager(monkeypatch):
    calls = []
    monkeypatch.setattr(torch, "compile", lambda fn, **kwargs: calls.append(fn) or fn)
    x, y = data(16)
    model = tiny_model(False)
    model.fit(x, y, verbose=0)
    model.predict(x)
    assert calls == []


def failing_compile(fn, **kwargs):
    def compiled(*args):
        raise RuntimeError("InductorError: CppCompileError: C++ compile error\n(many more lines)")

    return compiled


def test_a_failed_compilation_warns_once_and_trains_eagerly(monkeypatch):
    x, y = data()
    eager = tiny_model(False)
    eager.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
    monkeypatch.setattr(torch, "compile", failing_compile)
    model = tiny_model(True)
    with pytest.warns(JitCompileWarning) as caught:
        model.fit(x, y, batch_size=16, epochs=2, shuffle=False, verbose=0)
        model.predict(x, batch_size=16)
        model.evaluate(x, y, verbose=0)
    assert len(caught) == 1
    message = str(caught[0].message)
    assert "could not compile model 'model'" in message and "C++ compile error" in message
    assert "many more lines" not in message and "jit_compile=False" in message
    for a, b in zip(model.get_weights(), eager.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_torch_compile_refusing_at_once_falls_back_too(monkeypatch):
    def unsupported(fn, **kwargs):
        raise RuntimeError("torch.compile is not supported on this Python version")

    monkeypatch.setattr(torch, "compile", unsupported)
    x, y = data(16)
    model = tiny_model(True)
    with pytest.warns(JitCompileWarning, match="not supported on this Python version"):
        model.fit(x, y, verbose=0)


def test_an_error_of_the_model_itself_is_raised_as_it_is(monkeypatch):
    monkeypatch.setattr(torch, "compile", lambda fn, **kwargs: fn)  # the "compiled" call fails as eager does
    compiler = JitCompiler("m")

    def broken(t):
        raise ValueError("shapes do not match")

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(ValueError, match="shapes do not match"):
            compiler.compile(broken)(torch.zeros(1))
    assert compiler.failed is None


def test_a_compiled_model_compiles_once_across_fit_and_predict(monkeypatch):
    compiled = []
    monkeypatch.setattr(torch, "compile", lambda fn, **kwargs: compiled.append(fn) or fn)
    x, y = data(32)
    model = tiny_model(True)
    model.fit(x, y, epochs=2, verbose=0)
    model.fit(x, y, verbose=0)
    model.predict(x)
    assert compiled == [model._fx]
