from kfunc.engine.naming import to_snake_case
from kfunc.layers import Dense, Input
from kfunc.models import Model
from kfunc.utils import clear_session


def test_snake_case_of_keras_classes():
    assert to_snake_case("Conv2D") == "conv2d"
    assert to_snake_case("GlobalAveragePooling2D") == "global_average_pooling2d"
    assert to_snake_case("LSTM") == "lstm"
    assert to_snake_case("TimeDistributed") == "time_distributed"
    assert to_snake_case("BatchNormalization") == "batch_normalization"


def test_names_count_from_zero_and_reset_with_clear_session():
    assert [Dense(1).name for _ in range(3)] == ["dense", "dense_1", "dense_2"]
    x = Input(shape=(2,))
    assert x.name == "input_1" and Input(shape=(2,)).name == "input_2"
    assert Model(x, Dense(1)(x)).name == "model"
    clear_session()
    assert Dense(1).name == "dense"
    assert Input(shape=(1,)).name == "input_1"
