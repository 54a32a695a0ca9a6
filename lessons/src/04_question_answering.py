# %% [markdown]
# # 04 · Question answering with shared encoders
#
# This model from the older version of the guide learns a space where a question and a good
# answer to it land close together. Once trained, it can rank a whole library of stored
# answers for a new question by how close each one is.
#
# It reads three sequences of word ids: a question, a relevant answer and an irrelevant one.
# Both answers go through **the same** answer encoder, and the model scores each answer
# against the question with a dot product.
#
# In this lesson you will
#
# 1. build the guide's model at full size: three inputs, three outputs, shared layers, and a
#    `Lambda` layer with two inputs (and see why the guide's `lambda x, y:` is a mistake);
# 2. read some of the made-up questions and answers, and train the model on them with three
#    custom loss functions of your own;
# 3. look at examples it ranks right and wrong;
# 4. cut two sub-models out of the trained graph, `question_embedder` and `answer_embedder`,
#    and use them with `predict` to search for answers.

# %%
import numpy as np

import kfunc
from kfunc import Input, Model
from kfunc import backend as K
from kfunc.classroom import Check
from kfunc.datasets import QA_TOPICS, qa_triplets, qa_word_index
from kfunc.layers import LSTM, Embedding, Lambda, dot

kfunc.utils.set_random_seed(0)
kfunc.utils.clear_session()

# %% [markdown]
# ## The guide's model, at the guide's size
#
# Every sequence has 100 word ids. The question has its own `Embedding` (1,024 numbers per
# word) and `LSTM(512)`. The older guide forgot the `input_dim` of its embeddings, the size of
# the vocabulary; an `Embedding` cannot make its table without it, so we give 10,000 words.

# %%
question_input = Input(shape=(100,), dtype='int32', name='question')
good_answer_input = Input(shape=(100,), dtype='int32', name='good_answer')
bad_answer_input = Input(shape=(100,), dtype='int32', name='bad_answer')

embedded_question = Embedding(input_dim=10000, output_dim=1024, name='question_embedding')(question_input)
encoded_question = LSTM(512, name='question_lstm')(embedded_question)

# %% [markdown]
# The answer encoder is made **once** and called on both answers. Whatever it learns from good
# answers, it applies to bad answers too: the two answers are compared on equal terms.

# %%
answer_embedding = Embedding(input_dim=10000, output_dim=1024, name='answer_embedding')
answer_lstm = LSTM(512, name='answer_lstm')

encoded_good_answer = answer_lstm(answer_embedding(good_answer_input))
encoded_bad_answer = answer_lstm(answer_embedding(bad_answer_input))

# %% [markdown]
# A score is the dot product of the question's vector and an answer's vector: large when they
# point the same way. `dot(..., axes=1)` multiplies the two 512-number vectors element by
# element and sums, one number per example.

# %%
good_answer_score = dot([encoded_question, encoded_good_answer], axes=1, name='good_score')
bad_answer_score = dot([encoded_question, encoded_bad_answer], axes=1, name='bad_score')
good_answer_score.shape

# %% [markdown]
# ### A `Lambda` with two inputs
#
# `Lambda` turns a small function into a layer. The older guide wrote the squared difference
# of the two scores like this:

# %% tags=["raises-exception"]
Lambda(lambda x, y: K.square(x - y))([good_answer_score, bad_answer_score])

# %% [markdown]
# A layer's `call` receives *one* argument: the tensor it was called on, or here the list of
# the two tensors. A function of two parameters `x, y` cannot take a single list. The fix is
# a function of one argument that takes the list apart:

# %%
output = Lambda(lambda scores: K.square(scores[0] - scores[1]), name='squared_gap')(
    [good_answer_score, bad_answer_score])
output.shape

# %% [markdown]
# The model returns the squared gap **and** both scores, so that each can have its own loss.

# %%
guide_model = Model(inputs=[question_input, good_answer_input, bad_answer_input],
                    outputs=[output, good_answer_score, bad_answer_score])
guide_model

# %% [markdown]
# The picture draws one box per *call*. So `answer_embedding` and `answer_lstm` each appear
# twice, as node 0 (the good answer) and node 1 (the bad answer), in the same colour: the
# legend says they are one layer, one set of weights. The summary lists each layer once, and
# its "Connected to" column shows both calls: `answer_lstm` reads `answer_embedding[0][0]`
# and `answer_embedding[1][0]`, the outputs of the embedding's first and second call.

# %%
guide_model.summary()

# %%
lstm_weights = 4 * 512 * (1024 + 512 + 1)  # four gates, each with input, recurrent and bias weights
assert guide_model.get_layer('answer_lstm').count_params() == lstm_weights
assert guide_model.count_params() == 2 * (10_000 * 1024) + 2 * lstm_weights == 26_775_552
print("answer_lstm calls:", len(answer_lstm.inbound_nodes), "| weights:", len(answer_lstm.weights))

# %% [markdown]
# ## Data and a classroom-size model
#
# `kfunc.datasets.qa_triplets` writes made-up questions and answers about eight topics
# (cooking, football, astronomy, ...). The good answer is about the question's topic, the bad
# answer about another one. To train in seconds: questions of 12 words, answers of 16, a
# vocabulary of 500 words, and 32 numbers in each embedding and LSTM.

# %%
(x_train, y_train), (x_test, y_test) = qa_triplets(
    n=5000, question_maxlen=12, answer_maxlen=16, vocab=500)
print("inputs: ", [a.shape for a in x_train])
print("targets:", [(t.shape, float(t[0, 0])) for t in y_train])

# %% [markdown]
# ### The data
#
# Each example is three rows of word ids. Turned back into words (a `·` stands for a filler
# word that has no name), here are the first four training triplets:

# %%
words = {i: w for w, i in qa_word_index().items()}
def readable(ids):
    return ' '.join(words.get(i, '·') for i in ids if i)  # '·' for a nameless filler word

for i in range(4):
    print(f"{i + 1}. question:    {readable(x_train[0][i])}")
    print(f"   good answer: {readable(x_train[1][i])}")
    print(f"   bad answer:  {readable(x_train[2][i])}")

# %% [markdown]
# The same graph as above, as a function of its sizes:

# %%
def qa_model(vocab, question_len, answer_len, dim, units):
    question_input = Input(shape=(question_len,), dtype='int32', name='question')
    good_answer_input = Input(shape=(answer_len,), dtype='int32', name='good_answer')
    bad_answer_input = Input(shape=(answer_len,), dtype='int32', name='bad_answer')
    encoded_question = LSTM(units, name='question_lstm')(
        Embedding(vocab, dim, name='question_embedding')(question_input))
    answer_embedding = Embedding(vocab, dim, name='answer_embedding')
    answer_lstm = LSTM(units, name='answer_lstm')
    encoded_good_answer = answer_lstm(answer_embedding(good_answer_input))
    encoded_bad_answer = answer_lstm(answer_embedding(bad_answer_input))
    good_answer_score = dot([encoded_question, encoded_good_answer], axes=1, name='good_score')
    bad_answer_score = dot([encoded_question, encoded_bad_answer], axes=1, name='bad_score')
    output = Lambda(lambda scores: K.square(scores[0] - scores[1]), name='squared_gap')(
        [good_answer_score, bad_answer_score])
    return Model(inputs=[question_input, good_answer_input, bad_answer_input],
                 outputs=[output, good_answer_score, bad_answer_score])

# %% [markdown]
# ## Three custom losses
#
# A loss is any function `loss(y_true, y_pred)` that returns one number per example (here we
# average over the last axis, of size 1). The targets are 1 for the squared gap, 1 for the good
# score, 0 for the bad score.
#
# * the squared gap should be 1: squared error;
# * the good score should be **at least** 1: only a score below 1 costs something;
# * the bad score should be **at most** 0: only a score above 0 costs something.

# %%
def gap_loss(y_true, y_pred):
    return K.mean(K.square(y_pred - y_true), axis=-1)


def good_score_loss(y_true, y_pred):
    return K.mean(K.relu(y_true - y_pred), axis=-1)


def bad_score_loss(y_true, y_pred):
    return K.mean(K.relu(y_pred - y_true), axis=-1)

# %% [markdown]
# The losses are given as a list, in the order of the outputs. We use the `adam` optimizer,
# which learns this task faster than `rmsprop`.

# %%
kfunc.utils.set_random_seed(0)
model = qa_model(vocab=500, question_len=12, answer_len=16, dim=32, units=32)
model.compile(optimizer='adam', loss=[gap_loss, good_score_loss, bad_score_loss])
history = model.fit(x_train, y_train, epochs=6, batch_size=32)

# %% tags=["nbval-ignore-output"]
print(list(history.history))
print("total loss per epoch:", np.round(history.history['loss'], 3))
assert history.history['loss'][-1] < history.history['loss'][0] / 2

# %% [markdown]
# ## Did it learn?
#
# The model succeeds on an example when the good answer scores higher than the bad one.
# Guessing would be right half of the time.

# %% tags=["nbval-ignore-output"]
gap, good_score, bad_score = model.predict(x_test, verbose=0)
accuracy = float((good_score > bad_score).mean())
print(f"accuracy: {accuracy:.2f}")
assert accuracy > 0.7, "the good answer should win far more often than by chance (0.5)"

# %% [markdown]
# ### Ranked right, ranked wrong
#
# Three test triplets where the good answer scored higher, then two where the bad one did:

# %% tags=["nbval-ignore-output"]
ranked_right = np.flatnonzero(good_score[:, 0] > bad_score[:, 0])[:3]
ranked_wrong = np.flatnonzero(good_score[:, 0] <= bad_score[:, 0])[:2]
for i in np.concatenate([ranked_right, ranked_wrong]):
    verdict = "right" if i in ranked_right else "WRONG"
    print(f"{verdict}: good {good_score[i, 0]:5.2f}, bad {bad_score[i, 0]:5.2f}")
    print(f"   question:    {readable(x_test[0][i])}")
    print(f"   good answer: {readable(x_test[1][i])}")
    print(f"   bad answer:  {readable(x_test[2][i])}")
assert len(ranked_right) == 3 and len(ranked_wrong) == 2

# %% [markdown]
# ## Sub-models that reuse the trained layers
#
# A `Model` can be made from any input tensor and any tensor downstream of it. These two
# models are new *views* of the trained graph: they make no new layers and share all weights.
#
# `question_lstm` was called once, so its `.output` is well defined. `answer_lstm` was called
# twice: its output is ambiguous, and we ask for the output of its first call (node 0, the
# good answer) with `get_output_at(0)`. Lesson 06 is all about these nodes, and shows what a
# Keras 3 program writes instead (Keras 3 has no `get_output_at`).

# %%
question_embedder = Model(inputs=model.get_layer('question').output,
                          outputs=model.get_layer('question_lstm').output)
answer_embedder = Model(inputs=model.get_layer('good_answer').output,
                        outputs=model.get_layer('answer_lstm').get_output_at(0))
answer_embedder

# %%
assert answer_embedder.get_layer('answer_lstm') is model.get_layer('answer_lstm')
embedded_qs = question_embedder.predict(x_test[0], verbose=0)
embedded_ans = answer_embedder.predict(x_test[1], verbose=0)
print("embedded questions:", embedded_qs.shape, " embedded answers:", embedded_ans.shape)

# the sub-models compute exactly the scores of the full model
assert np.allclose((embedded_qs * embedded_ans).sum(axis=1, keepdims=True), good_score, atol=1e-4)

# %% [markdown]
# ### Searching a library of answers
#
# Store the vectors of all 1,000 test answers once. For a new question, one matrix product
# scores every stored answer. We call a search right when the best-scoring answer is about the
# question's topic; picking an answer at random would be right one time in eight.

# %% tags=["nbval-ignore-output"]
topic_ids = [[qa_word_index()[w] for w in topic_words] for topic_words in QA_TOPICS.values()]
def topic_of(sequence):
    """The topic with the most words in the sequence."""
    return int(np.argmax([np.isin(sequence, ids).sum() for ids in topic_ids]))

question_topics = np.array([topic_of(q) for q in x_test[0]])
answer_topics = np.array([topic_of(a) for a in x_test[1]])

best_answer = np.argmax(embedded_qs @ embedded_ans.T, axis=1)
search_accuracy = float((answer_topics[best_answer] == question_topics).mean())
print(f"best stored answer on the question's topic: {search_accuracy:.2f} (chance {1 / 8:.2f})")
assert search_accuracy > 2 / 8

# %% [markdown]
# One search that went right, and one that went wrong:

# %% tags=["nbval-ignore-output"]
right = np.flatnonzero(answer_topics[best_answer] == question_topics)[0]
wrong = np.flatnonzero(answer_topics[best_answer] != question_topics)[0]
for i in (right, wrong):
    print("question:   ", readable(x_test[0][i]))
    print("best answer:", readable(x_test[1][best_answer[i]]), "\n")

# %% [markdown]
# ## Exercises
#
# 1. Imagine training with the squared-gap loss alone. Would that loss care which of the two
#    answers scores higher? Answer `True` or `False`.
# 2. How many parameters does the classroom-size `model` have (vocabulary 500, 32 numbers per
#    embedding and LSTM)? Work it out, then check with `count_params()`.
# 3. Use the two embedders to find the three best stored answers (indices into `x_test[1]`)
#    for the fifth test question, `x_test[0][4]`.

# %% tags=["exercise"]
# Exercise 1: replace None with True or False.
gap_loss_cares_about_order = None

# %% tags=["check"]
Check("04.1", digest="fcbcf165908dd18a9e49f7ff27810176db8e9f63b4352213741664245224f8aa",
      hint="Compute the squared gap for good 1, bad 0, and for good 0, bad 1.")(gap_loss_cares_about_order)

# %% tags=["exercise"]
# Exercise 2: replace None with the number of parameters.
classroom_parameters = None

# %% tags=["check"]
Check("04.2", digest="62491688744b726d9e4d46b1abd3ccdb7773ffa7ae34bd7aeaaefedc73f4bad9",
      hint="Two embedding tables and two LSTMs; an LSTM has four gates, each with a kernel, "
           "a recurrent kernel and a bias. dot and Lambda have no weights.")(classroom_parameters)

# %% tags=["exercise"]
# Exercise 3: replace None with a list of three answer indices.
best_three_answers = None

# %% tags=["check"]
def scored_among_the_best_three(answer_ids):
    """Whether the full model gives each of these three answers one of the three best scores."""
    question = np.repeat(x_test[0][4:5], len(x_test[1]), axis=0)
    scores = model.predict([question, x_test[1], x_test[1]], verbose=0)[1][:, 0]
    third_best = np.sort(scores)[-3]
    return len(set(answer_ids)) == 3 and all(scores[i] >= third_best - 1e-4 for i in answer_ids)


Check("04.3", test=scored_among_the_best_three,
      hint="Embed the question with question_embedder and all stored answers with answer_embedder; "
           "a dot product scores each answer.")(best_three_answers)

# %% [markdown] tags=["answer"]
# ### Worked answers

# %% [markdown] tags=["answer"]
# **1.** No. Squaring forgets the sign: a good score of 1 and a bad score of 0 give a squared
# gap of 1, and so do a good score of 0 and a bad score of 1. The squared-gap loss alone would
# be just as happy to rank every bad answer first. The two score losses say which way round
# the gap must go.

# %% tags=["answer"]
squared_gap = Lambda(lambda scores: K.square(scores[0] - scores[1]))
right_way = squared_gap([np.array([[1.0]]), np.array([[0.0]])])
wrong_way = squared_gap([np.array([[0.0]]), np.array([[1.0]])])
print(float(right_way[0, 0]), float(wrong_way[0, 0]))
gap_loss_cares_about_order = bool(right_way[0, 0] != wrong_way[0, 0])
Check("04.1", digest="fcbcf165908dd18a9e49f7ff27810176db8e9f63b4352213741664245224f8aa",
      hint="Compute the squared gap for good 1, bad 0, and for good 0, bad 1.")(gap_loss_cares_about_order)

# %% [markdown] tags=["answer"]
# **2.** Two embeddings of `500 · 32 = 16,000` numbers and two LSTMs of
# `4 · 32 · (32 + 32 + 1) = 8,320`: 48,640 in all.

# %% tags=["answer"]
classroom_parameters = 2 * 500 * 32 + 2 * 4 * 32 * (32 + 32 + 1)
assert model.count_params() == classroom_parameters
print(classroom_parameters)
Check("04.2", digest="62491688744b726d9e4d46b1abd3ccdb7773ffa7ae34bd7aeaaefedc73f4bad9",
      hint="Two embedding tables and two LSTMs; an LSTM has four gates, each with a kernel, "
           "a recurrent kernel and a bias. dot and Lambda have no weights.")(classroom_parameters)

# %% [markdown] tags=["answer"]
# **3.** Score all stored answers for question 4 and keep the three best.

# %% tags=["answer"]
scores = embedded_qs[4] @ embedded_ans.T
best_three_answers = list(np.argsort(-scores)[:3])
Check("04.3", test=scored_among_the_best_three,
      hint="Embed the question with question_embedder and all stored answers with answer_embedder; "
           "a dot product scores each answer.")(best_three_answers)

# %% tags=["answer", "nbval-ignore-output"]
print("question:", readable(x_test[0][4]))
for rank, i in enumerate(best_three_answers, start=1):
    print(f"{rank}. ({scores[i]:.2f})", readable(x_test[1][i]))

# %% [markdown]
# ## Next
#
# Next: [05 · Shared layers](05_shared_layers.ipynb). All lessons are listed in the [index](README.md).
