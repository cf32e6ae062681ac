"""Generated data sets: shapes, seeds, balance, geometry and the documented animal model."""

import numpy as np
import pytest

from mlplab.datasets import (
    SPECIES,
    animals,
    cat_vs_noncat,
    cats_vs_dogs,
    circles,
    spirals,
    xor_blobs,
)

# generator -> number of classes
GENERATORS = {
    cats_vs_dogs: 2,
    cat_vs_noncat: 2,
    animals: 4,
    xor_blobs: 2,
    circles: 2,
    spirals: 2,
}
ANIMAL_SETS = [cats_vs_dogs, cat_vs_noncat, animals]


@pytest.fixture(params=list(GENERATORS), ids=lambda f: f.__name__)
def generator(request):
    return request.param


def test_shapes_and_dtypes(generator):
    ds = generator(n_samples=50, random_state=0)
    assert ds.X.shape == (50, 2)
    assert ds.X.dtype == np.float64
    assert ds.y.shape == (50,)
    assert ds.y.dtype == np.int64
    assert np.all(np.isfinite(ds.X))
    assert len(ds.class_names) == GENERATORS[generator]
    np.testing.assert_array_equal(ds.classes, np.arange(GENERATORS[generator]))


def test_same_seed_same_data_other_seed_other_data(generator):
    a, b = generator(n_samples=40, random_state=7), generator(n_samples=40, random_state=7)
    c = generator(n_samples=40, random_state=8)
    np.testing.assert_array_equal(a.X, b.X)
    np.testing.assert_array_equal(a.y, b.y)
    assert not np.array_equal(a.X, c.X)


def test_accepts_a_generator(generator):
    a = generator(n_samples=30, random_state=np.random.default_rng(3))
    b = generator(n_samples=30, random_state=np.random.default_rng(3))
    np.testing.assert_array_equal(a.X, b.X)


@pytest.mark.parametrize("n_samples", [60, 61, 63])
def test_classes_balanced_to_within_one(generator, n_samples):
    ds = generator(n_samples=n_samples, random_state=0)
    counts = np.bincount(ds.y)
    assert counts.sum() == n_samples
    assert counts.max() - counts.min() <= 1
    # the remainder goes to the first classes
    assert np.all(np.diff(counts) <= 0)


def test_rows_are_shuffled(generator):
    ds = generator(n_samples=200, random_state=0)
    # blocks in class order would give one class in the whole first quarter
    assert np.unique(ds.y[:50]).size == GENERATORS[generator]


@pytest.mark.parametrize("bad", [0, 1, 2.5, True, "10", None])
def test_rejects_bad_n_samples(generator, bad):
    k = GENERATORS[generator]
    with pytest.raises(ValueError, match=rf"n_samples must be an integer >= {k} .*got {bad!r}"):
        generator(n_samples=bad)


def test_animals_needs_one_example_per_class():
    with pytest.raises(ValueError, match=r"n_samples must be an integer >= 4 .*got 3"):
        animals(n_samples=3)
    assert animals(n_samples=4, random_state=0).y.tolist().count(0) == 1


@pytest.mark.parametrize("make", [xor_blobs, circles, spirals])
@pytest.mark.parametrize("bad", [-0.1, float("nan"), float("inf"), "0.1"])
def test_rejects_bad_noise(make, bad):
    with pytest.raises(ValueError, match=r"noise must be a finite number >= 0, got"):
        make(noise=bad)


def test_rejects_bad_random_state():
    with pytest.raises(ValueError, match="random_state must be a non-negative integer, got -1"):
        animals(random_state=-1)


# --------------------------------------------------------------------------- animals


@pytest.mark.parametrize("make", ANIMAL_SETS)
def test_animal_features_are_weight_kg_and_length_cm(make):
    ds = make(n_samples=20, random_state=0)
    assert ds.feature_names == ("weight", "length")
    assert ds.feature_units == ("kg", "cm")
    assert ds.target_name == "species"


def test_class_names_and_label_codes():
    assert cats_vs_dogs(n_samples=4, random_state=0).class_names == ("cat", "dog")
    assert cat_vs_noncat(n_samples=4, random_state=0).class_names == ("non-cat", "cat")
    zoo = animals(n_samples=8, random_state=0)
    assert zoo.class_names == ("cat", "dog", "fox", "bird")
    # the lecture's one-hot vectors: cat = [1 0 0 0], ..., bird = [0 0 0 1]
    np.testing.assert_array_equal(zoo.one_hot(), np.eye(4)[zoo.y])


def test_samples_follow_the_documented_species_model():
    zoo = animals(n_samples=4000, random_state=0)
    for k, species in enumerate(zoo.class_names):
        X = zoo.X[zoo.y == k]
        groups = SPECIES[species]
        low = [min(g.weight_range[0] for g in groups), min(g.length_range[0] for g in groups)]
        high = [max(g.weight_range[1] for g in groups), max(g.length_range[1] for g in groups)]
        assert np.all(low <= X)
        assert np.all(high >= X)
        if len(groups) == 1:
            # truncation at > 2 sd barely moves the mean: 1000 draws, se ≈ sd / 31
            (g,) = groups
            assert abs(X[:, 0].mean() - g.weight_mean) < 0.15 * g.weight_sd
            assert abs(X[:, 1].mean() - g.length_mean) < 0.15 * g.length_sd
    cats = zoo.X[zoo.y == 0]
    assert 4.0 < np.median(cats[:, 0]) < 5.0  # domestic cats: 3.5-6 kg typical
    assert 47 < np.median(cats[:, 1]) < 53  # head and body 45-55 cm


def test_small_dogs_overlap_cats():
    ds = cats_vs_dogs(n_samples=2000, random_state=0)
    cats, dogs = ds.X[ds.y == 0], ds.X[ds.y == 1]
    lo, hi = np.percentile(cats, 5, axis=0), np.percentile(cats, 95, axis=0)
    in_cat_box = np.all((dogs >= lo) & (dogs <= hi), axis=1)
    assert in_cat_box.mean() > 0.01  # some dogs look like cats ...
    assert np.median(dogs[:, 0]) > 3 * np.median(cats[:, 0])  # ... most are much bigger


def _accuracies(make, n_train=600, n_test=600):
    """Test accuracy of logistic regression (one line) and of a one-hidden-layer MLP."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    train, test = make(n_samples=n_train, random_state=0), make(n_samples=n_test, random_state=1)
    linear = make_pipeline(StandardScaler(), LogisticRegression())
    hidden = make_pipeline(
        StandardScaler(),
        MLPClassifier((16,), solver="lbfgs", max_iter=3000, random_state=0),
    )
    linear.fit(train.X, train.y)
    hidden.fit(train.X, train.y)
    return linear.score(test.X, test.y), hidden.score(test.X, test.y)


def test_cat_vs_noncat_needs_a_hidden_layer():
    linear, hidden = _accuracies(cat_vs_noncat)
    assert linear < 0.85
    assert hidden > 0.93
    assert hidden - linear > 0.1


def test_cats_vs_dogs_is_nearly_linear():
    linear, _ = _accuracies(cats_vs_dogs)
    assert 0.9 < linear < 1.0


# --------------------------------------------------------------------------- 2-D sets


def test_xor_blobs_without_noise_are_the_truth_table_corners():
    ds = xor_blobs(n_samples=8, noise=0.0, random_state=0)
    assert set(map(tuple, ds.X.tolist())) == {(0, 0), (0, 1), (1, 0), (1, 1)}
    np.testing.assert_array_equal(ds.y, ds.X[:, 0].astype(int) ^ ds.X[:, 1].astype(int))
    # each corner gets its share: 8 samples, 2 per corner
    _, counts = np.unique(ds.X, axis=0, return_counts=True)
    np.testing.assert_array_equal(counts, [2, 2, 2, 2])


def test_xor_blobs_label_is_xor_of_nearest_corner():
    ds = xor_blobs(n_samples=400, noise=0.1, random_state=0)
    corner = (ds.X > 0.5).astype(int)
    assert np.mean(ds.y == corner[:, 0] ^ corner[:, 1]) > 0.99


def test_circles_radii():
    ds = circles(n_samples=100, noise=0.0, factor=0.3, random_state=0)
    radius = np.hypot(ds.X[:, 0], ds.X[:, 1])
    np.testing.assert_allclose(radius[ds.y == 0], 1.0)
    np.testing.assert_allclose(radius[ds.y == 1], 0.3)


@pytest.mark.parametrize("factor", [0, 1, 1.5, -0.5])
def test_circles_rejects_bad_factor(factor):
    with pytest.raises(
        ValueError, match=rf"factor \(inner radius\) must be a fraction in \(0, 1\), got {factor}"
    ):
        circles(factor=factor)


@pytest.mark.parametrize("turns", [1.0, 2.5])
def test_spiral_arms_follow_the_formula(turns):
    ds = spirals(n_samples=200, noise=0.0, turns=turns, random_state=0)
    s = np.hypot(ds.X[:, 0], ds.X[:, 1])
    assert np.all(s <= 1.0)
    angle = np.arctan2(ds.X[:, 1], ds.X[:, 0])
    expected = 2 * np.pi * turns * s + ds.y * np.pi
    # equal angles modulo 2π
    np.testing.assert_allclose(np.cos(angle - expected), 1.0, atol=1e-9)


def test_spirals_reject_bad_turns():
    with pytest.raises(ValueError, match="turns must be a finite number > 0, got 0"):
        spirals(turns=0)
