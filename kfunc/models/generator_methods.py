"""``fit_generator``, ``evaluate_generator``, ``predict_generator``: tf.keras 2's old names.

Before tf.keras 2.1, ``fit`` took arrays only and generators had methods of their
own. Since then ``fit``, ``evaluate`` and ``predict`` take a generator or a
``kfunc.utils.Sequence`` themselves (see :mod:`kfunc.training.batch_source`), and the
``*_generator`` methods are deprecated names for them, kept so that older programs
run. Each one warns once per line of the user's code that calls it, then calls its
modern form with the same arguments.
"""

import warnings

from kfunc.tracebacks import user_frame

_warned = set()  # (file, line, method) of each call site already warned


def _warn_once(old, modern, example):
    frame = user_frame()
    key = (frame.f_code.co_filename, frame.f_lineno, old)
    if key in _warned:
        return
    _warned.add(key)
    warnings.warn_explicit(
        f"Model.{old} is deprecated: model.{modern} takes generators and Sequences itself. "
        f"Write {example}.",
        UserWarning,
        filename=frame.f_code.co_filename,
        lineno=frame.f_lineno,
        module=frame.f_globals.get("__name__", "__main__"),
        module_globals=frame.f_globals,
    )


class GeneratorMethods:
    """The deprecated ``*_generator`` methods of ``kfunc.Model``, in tf.keras 2's signatures."""

    def fit_generator(self, generator, steps_per_epoch=None, epochs=1, verbose=1, callbacks=None,
                      validation_data=None, validation_steps=None, validation_freq=1, class_weight=None,
                      max_queue_size=10, workers=1, use_multiprocessing=False, shuffle=True, initial_epoch=0):
        """Deprecated: ``model.fit(generator, steps_per_epoch=..., ...)`` does the same."""
        _warn_once("fit_generator", "fit", "model.fit(generator, steps_per_epoch=..., epochs=...)")
        return self.fit(generator, steps_per_epoch=steps_per_epoch, epochs=epochs, verbose=verbose,
                        callbacks=callbacks, validation_data=validation_data, validation_steps=validation_steps,
                        validation_freq=validation_freq, class_weight=class_weight, shuffle=shuffle,
                        initial_epoch=initial_epoch)

    def evaluate_generator(self, generator, steps=None, callbacks=None, max_queue_size=10, workers=1,
                           use_multiprocessing=False, verbose=0):
        """Deprecated: ``model.evaluate(generator, steps=...)`` does the same."""
        _warn_once("evaluate_generator", "evaluate", "model.evaluate(generator, steps=...)")
        return self.evaluate(generator, steps=steps, callbacks=callbacks, verbose=verbose)

    def predict_generator(self, generator, steps=None, callbacks=None, max_queue_size=10, workers=1,
                          use_multiprocessing=False, verbose=0):
        """Deprecated: ``model.predict(generator, steps=...)`` does the same."""
        _warn_once("predict_generator", "predict", "model.predict(generator, steps=...)")
        return self.predict(generator, steps=steps, callbacks=callbacks, verbose=verbose)
