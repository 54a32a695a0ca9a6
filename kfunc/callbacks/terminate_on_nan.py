"""``TerminateOnNaN``: stop training as soon as the loss stops being a number."""

import math

from kfunc.callbacks.base import Callback


class TerminateOnNaN(Callback):
    """Stops ``fit`` after the first batch whose running loss is NaN or infinite.

    Once the loss is NaN, the weights usually are too, and every later batch is
    wasted. This callback reads the loss after every batch, which makes each batch
    wait for the device: use it when hunting a divergence, not by default.
    """

    def on_train_batch_end(self, batch, logs=None):
        loss = (logs or {}).get("loss")
        if loss is not None and (math.isnan(loss) or math.isinf(loss)):
            print(f"Batch {batch}: invalid loss {loss}, terminating training")
            self.model.stop_training = True
