"""Well-known functional-API programs, written for kfunc from their descriptions.

Each module is one program as its authors' readers know it (the Keras examples, the
keras.io guides, the books' chapters), with ``import keras`` spelt ``import kfunc as
keras`` and small offline data in place of downloads. Each defines ``run(workdir)``,
which builds, trains, saves and reloads, and returns what ``tests/test_programs.py``
checks: the training losses, and predictions before and after the reload.
"""
