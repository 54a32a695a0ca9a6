"""Ranking support tickets by priority and routing them (keras.io's functional API guide)."""

import numpy as np

import kfunc as keras
from kfunc import layers


def run(workdir):
    num_tags, num_words, num_departments = 12, 100, 4

    title_input = keras.Input(shape=(None,), name="title")
    body_input = keras.Input(shape=(None,), name="body")
    tags_input = keras.Input(shape=(num_tags,), name="tags")
    title_features = layers.Embedding(num_words, 16)(title_input)
    body_features = layers.Embedding(num_words, 16)(body_input)
    title_features = layers.LSTM(16)(title_features)
    body_features = layers.LSTM(8)(body_features)
    x = layers.concatenate([title_features, body_features, tags_input])
    priority_pred = layers.Dense(1, name="priority")(x)
    department_pred = layers.Dense(num_departments, name="department")(x)
    model = keras.Model(inputs=[title_input, body_input, tags_input], outputs=[priority_pred, department_pred])

    model.compile(
        optimizer=keras.optimizers.RMSprop(1e-3),
        loss={
            "priority": keras.losses.BinaryCrossentropy(from_logits=True),
            "department": keras.losses.CategoricalCrossentropy(from_logits=True),
        },
        loss_weights={"priority": 1.0, "department": 0.2},
    )

    rng = np.random.default_rng(0)
    title_data = rng.integers(num_words, size=(256, 10))
    body_data = rng.integers(num_words, size=(256, 20))
    tags_data = rng.integers(2, size=(256, num_tags)).astype("float32")
    priority_targets = (tags_data[:, :1] > 0).astype("float32")  # learnable from the tags
    dept_targets = np.eye(num_departments)[rng.integers(num_departments, size=256)].astype("float32")

    history = model.fit({"title": title_data, "body": body_data, "tags": tags_data},
                        {"priority": priority_targets, "department": dept_targets}, epochs=4, batch_size=32, verbose=0)
    assert set(history.history) >= {"loss", "priority_loss", "department_loss"}

    model.save(workdir / "tickets.keras")
    again = keras.models.load_model(workdir / "tickets.keras")
    sample = {"title": title_data[:8], "body": body_data[:8], "tags": tags_data[:8]}
    return history.history["loss"], model.predict(sample), again.predict(sample)
