"""The ecosystem around the estimators: skops files, imbalanced-learn's own checks
and pipeline, metadata routing, polars frames.
"""

import pickle
import re

import numpy as np
import pandas as pd
import polars as pl
import pytest
import sklearn
import skops.io as sio
from sklearn.base import BaseEstimator, ClassifierMixin, clone
from sklearn.compose import ColumnTransformer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import get_scorer
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils.metadata_routing import MetadataRouter

from skcounterfactual import (
    CausalAugmenter,
    CounterfactualAugmentedClassifier,
    CounterfactualAugmenter,
    TextLink,
    TransportAugmenter,
    audit,
    counterfactual_effect,
    counterfactual_flip_rate,
    make_counterfactual_flip_scorer,
    make_parity_scorer,
)
from skcounterfactual._causal import NOT_SAVEABLE
from skcounterfactual._classifier import PARAMS_WITHOUT_ROUTING
from skcounterfactual.datasets import make_loan_applicants, make_resumes

LINKS = {
    "gender_code": {"Male": 1, "Female": 0},
    "first_name": "first_name",
    "title": "title",
}
AUGMENTER = "skcounterfactual._augmenter.CounterfactualAugmenter"
CLASSIFIER = "skcounterfactual._classifier.CounterfactualAugmentedClassifier"
TRANSPORT = "skcounterfactual._transport.TransportAugmenter"


@pytest.fixture(scope="module")
def applicants():
    X, y = make_loan_applicants(400, bias=1.0, random_state=0)
    return X, y


def numeric_model(estimator=None):
    """A pipeline that reads the gender code and the income (in 10,000s)."""
    return make_pipeline(
        ColumnTransformer([("keep", "passthrough", ["gender_code", "income"])]),
        estimator if estimator is not None else LogisticRegression(max_iter=1000),
    )


def small(X):
    """The applicants with the income in 10,000s (logistic regression converges)."""
    return X.assign(income=X["income"] / 10_000)


def round_trip(obj):
    """Save with skops; return the untrusted types and the object loaded back."""
    data = sio.dumps(obj)
    untrusted = sio.get_untrusted_types(data=data)
    return untrusted, sio.loads(data, trusted=untrusted)


def same_twins(before, after, X):
    a = before.make_twins(X, include_original=True)
    b = after.make_twins(X, include_original=True)
    pd.testing.assert_frame_equal(a.X, b.X)
    pd.testing.assert_frame_equal(a.provenance, b.provenance)
    assert a.unseen_values == b.unseen_values


# ------------------------------------------------------------------- skops
def _age_twins():
    return CounterfactualAugmenter(
        protected="age",
        values={"age": [25, 45, 65]},
        links={"date_of_birth": "date_of_birth"},
        random_state=0,
    )


def _both_twins():
    return CounterfactualAugmenter(
        protected=["gender", "country"],
        links={"gender": LINKS, "country": {"last_name": "last_name"}},
        intersectional="both",
        n_twins=1,
        random_state=0,
    )


@pytest.mark.parametrize(
    "make",
    [
        lambda: CounterfactualAugmenter(
            protected="gender", links=LINKS, random_state=0
        ),
        lambda: CounterfactualAugmenter(
            protected="gender",
            links={**LINKS, "last_name": "last_name"},
            source="mimesis",
            random_state=0,
        ),
        _age_twins,
        _both_twins,
    ],
    ids=["vocabulary", "mimesis", "dates", "intersectional"],
)
def test_fitted_augmenter_saves_with_skops_trusting_only_its_class(applicants, make):
    X, _ = applicants
    augmenter = make().fit(X)
    untrusted, loaded = round_trip(augmenter)
    assert untrusted == [AUGMENTER]
    same_twins(augmenter, loaded, X)
    assert loaded.get_params() == augmenter.get_params()
    assert loaded.factors_ == augmenter.factors_


def test_translations_categoricals_nullable_and_arrays_save_with_skops():
    rng = np.random.default_rng(0)
    n = 300
    sex = rng.choice(["female", "male"], n)
    X = pd.DataFrame(
        {
            "sex": pd.Categorical(sex),
            "status_sex": np.where(
                sex == "female", "A92", rng.choice(["A93", "A94"], n)
            ),
            "code": pd.array(np.where(sex == "male", 1, 0), dtype="Int64"),
            "amount": rng.integers(100, 1000, n),
        }
    )
    links = {
        "status_sex": {"female": {"A93": "A95", "A94": "A92"}, "male": {"A92": "A94"}},
        "code": {"female": 0, "male": 1},
    }
    augmenter = CounterfactualAugmenter(protected="sex", links=links).fit(X)
    untrusted, loaded = round_trip(augmenter)
    assert untrusted == [AUGMENTER]
    same_twins(augmenter, loaded, X)
    array = X[["code", "amount"]].to_numpy(dtype=float)
    by_position = CounterfactualAugmenter(protected=0, values={0: [0.0, 1.0]}).fit(
        array
    )
    untrusted, loaded = round_trip(by_position)
    assert untrusted == [AUGMENTER]
    np.testing.assert_array_equal(
        by_position.make_twins(array).X, loaded.make_twins(array).X
    )
    assert loaded.domains_ == {0: [0.0, 1.0]}


def test_text_links_and_coherence_findings_save_with_skops():
    X, _ = make_resumes(200, random_state=0)
    links = {
        "first_name": "first_name",
        "resume": TextLink(lexicon={"steward": "stewardess"}),
    }
    augmenter = CounterfactualAugmenter(
        protected="gender", links=links, random_state=0
    ).fit(X)
    untrusted, loaded = round_trip(augmenter)
    assert untrusted == [AUGMENTER]
    same_twins(augmenter, loaded, X)
    assert loaded.links["resume"] == TextLink(lexicon={"steward": "stewardess"})


@pytest.mark.filterwarnings("ignore::skcounterfactual.IncoherentTwinWarning")
def test_coherence_findings_survive_skops():
    from skcounterfactual.datasets import load_german_credit

    X = load_german_credit().data
    augmenter = CounterfactualAugmenter(protected="sex", random_state=0).fit(X)
    assert augmenter.coherence_  # status_sex mixes sex with marital status
    untrusted, loaded = round_trip(augmenter)
    assert untrusted == [AUGMENTER]
    assert loaded.coherence_ == augmenter.coherence_
    assert loaded.suggested_links_ == augmenter.suggested_links_
    same_twins(augmenter, loaded, X)


def _income_follows(twins, new_values, rng):
    return twins["income"]


def test_a_callable_link_is_the_only_other_type_to_trust(applicants):
    X, _ = applicants
    augmenter = CounterfactualAugmenter(
        protected="gender", links={**LINKS, "income": _income_follows}
    ).fit(X)
    untrusted, loaded = round_trip(augmenter)
    assert untrusted == sorted([f"{__name__}._income_follows", AUGMENTER])
    same_twins(augmenter, loaded, X)


def test_mitigated_models_save_with_skops_and_predict_the_same(applicants):
    from imblearn.pipeline import Pipeline as ImbPipeline

    X, y = applicants
    X = small(X)
    augmenter = CounterfactualAugmenter(protected="gender", links=LINKS, random_state=0)
    classifier = CounterfactualAugmentedClassifier(numeric_model(), augmenter).fit(X, y)
    untrusted, loaded = round_trip(classifier)
    assert untrusted == [AUGMENTER, CLASSIFIER]
    np.testing.assert_array_equal(loaded.predict_proba(X), classifier.predict_proba(X))
    same_twins(classifier.augmenter_, loaded.augmenter_, X)

    pipe = ImbPipeline([("augment", augmenter), ("model", numeric_model())]).fit(X, y)
    untrusted, loaded = round_trip(pipe)
    assert untrusted == ["imblearn.pipeline.Pipeline", AUGMENTER]
    np.testing.assert_array_equal(loaded.predict_proba(X), pipe.predict_proba(X))
    same_twins(pipe["augment"], loaded["augment"], X)
    np.testing.assert_array_equal(
        loaded["augment"].sample_indices_, pipe["augment"].sample_indices_
    )


def test_transport_augmenter_saves_with_skops(applicants):
    X, _ = applicants
    X = X[["gender", "age", "income", "country"]].assign(
        when=pd.Timestamp("2020-01-01") + pd.to_timedelta(X["age"], unit="D"),
        code=pd.array(np.where(X["gender"] == "Male", 1, pd.NA), dtype="Int64"),
    )
    augmenter = TransportAugmenter(protected="gender", columns=["age", "income"]).fit(X)
    untrusted, loaded = round_trip(augmenter)
    assert untrusted == [TRANSPORT]
    same_twins(augmenter, loaded, X)
    # the neighbour trees are rebuilt: rows never seen in fit find the same twins
    fresh = X.set_axis(np.arange(len(X)) + 10_000, axis=0)
    same_twins(augmenter, loaded, fresh)


def test_a_fitted_causal_augmenter_refuses_skops_and_still_pickles(applicants):
    X, _ = applicants
    X = X[["gender", "age", "income"]]
    augmenter = CausalAugmenter(
        protected="gender",
        graph=[("gender", "income")],
        mechanisms="linear",
        random_state=0,
    )
    untrusted, loaded = round_trip(augmenter)  # its parameters save
    assert untrusted == ["skcounterfactual._causal.CausalAugmenter"]
    assert loaded.get_params() == augmenter.get_params()
    augmenter.fit(X)
    with pytest.raises(TypeError, match=re.escape(NOT_SAVEABLE)):
        sio.dumps(augmenter)
    again = pickle.loads(pickle.dumps(augmenter))
    same_twins(augmenter, again, X)


def test_the_audit_gate_loads_a_mitigated_model_with_trust(
    applicants, tmp_path, capsys
):
    from skcounterfactual import cli

    X, y = applicants
    X = X[["gender", "gender_code", "income"]]
    model = CounterfactualAugmentedClassifier(
        numeric_model(DecisionTreeClassifier(max_depth=3, random_state=0)),
        CounterfactualAugmenter(
            protected="gender", links={"gender_code": LINKS["gender_code"]}
        ),
    ).fit(X, y)
    path = tmp_path / "mitigated.skops"
    sio.dump(model, path)
    X.to_csv(tmp_path / "applicants.csv", index=False)
    untrusted = sio.get_untrusted_types(file=path)
    assert untrusted == [AUGMENTER, CLASSIFIER, "sklearn.tree._tree.Tree"]
    args = ["audit", "--model", str(path), "--data", str(tmp_path / "applicants.csv")]
    args += ["--protected", "gender", "--link", "gender_code=Male:1,Female:0"]
    assert cli.main(args) == 2  # nothing trusted yet: refused, types listed
    assert AUGMENTER in capsys.readouterr().err
    trust = [arg for name in untrusted for arg in ("--trust", name)]
    code = cli.main([*args, *trust, "--max-flip-rate", "0"])
    out = capsys.readouterr().out
    assert code == 0, out
    assert "PASS" in out  # trained on twins: gender changes no decision


# ---------------------------------------------------------- imbalanced-learn
def _imblearn_checks():
    from imblearn.utils.estimator_checks import parametrize_with_checks

    named_by_label = (
        "The check fits one sampler to an array, whose protected column is named "
        "by position (protected=0), and to a DataFrame with columns '0', '1', ... "
        "(or 'col0', ...): a DataFrame's column is named by its label, so "
        "protected=0 is not one of its columns. DataFrames in, DataFrames out "
        "is tested in this file."
    )
    expected = {
        "check_target_type": (
            "Twins copy their row's label, whatever it is: a continuous (regression) "
            "or multi-output target is augmented like classes, never refused."
        ),
        "check_samplers_one_label": (
            "A single label is copied to twins like any other (a regression "
            "target may be constant in a fold); refusing one class is left to the "
            "estimator that follows."
        ),
        "check_samplers_fit": (
            "There is no sampling strategy to report (sampling_strategy_): the "
            "number of twins follows the protected attribute's domain (one per "
            "other value, or n_twins), never the class counts."
        ),
        "check_samplers_pandas": named_by_label,
        "check_samplers_pandas_sparse": named_by_label,
        "check_sampler_get_feature_names_out_pandas": named_by_label,
    }
    # the checks' random matrices: column 0 is the protected attribute (every row
    # its own value), one twin a row; NaN in column 0 builds no twin
    augmenter = CounterfactualAugmenter(
        protected=0, n_twins=1, missing="skip", random_state=0
    )
    mark = parametrize_with_checks(
        [augmenter], expected_failed_checks=lambda e: expected
    )
    # imbalanced-learn hands pytest a generator, which pytest deprecates
    name, params = mark.args
    return pytest.mark.parametrize(name, list(params), **mark.kwargs)


@_imblearn_checks()
def test_imbalanced_learn_checks(estimator, check):
    check(estimator)


def test_fit_resample_keeps_the_kinds_imbalanced_learn_expects():
    rng = np.random.default_rng(0)
    X = rng.integers(0, 3, (30, 3)).astype(np.float32)
    y = rng.integers(0, 2, 30).astype(np.int32)
    augmenter = CounterfactualAugmenter(protected=0)
    X_res, y_res = augmenter.fit_resample(X, y)
    assert X_res.dtype == np.float32 and y_res.dtype == np.int32
    np.testing.assert_array_equal(y_res, y[augmenter.sample_indices_])
    column, _ = augmenter.fit_resample(X, y[:, None])
    np.testing.assert_array_equal(column, X_res)
    assert _.shape == (len(X_res), 1)
    one_hot = np.eye(2, dtype=int)[y]
    _, y_hot = augmenter.fit_resample(X, one_hot)
    np.testing.assert_array_equal(y_hot.argmax(axis=1), y_res)
    X_list, y_list = augmenter.fit_resample(X.tolist(), y.tolist())
    assert isinstance(X_list, list) and isinstance(y_list, list)
    assert y_list == y_res.tolist()
    frame = pd.DataFrame(X, columns=["g", "a", "b"], index=np.arange(30) * 10)
    named = CounterfactualAugmenter(protected="g")
    X_df, y_df = named.fit_resample(
        frame, pd.DataFrame({"label": y}, index=frame.index)
    )
    assert list(X_df.columns) == ["g", "a", "b"] and list(y_df.columns) == ["label"]
    assert (y_df.index == X_df.index).all()
    np.testing.assert_array_equal(X_df.to_numpy(), X_res)
    X_s, y_s = named.fit_resample(frame, pd.Series(y, index=frame.index, name="t"))
    assert y_s.name == "t" and (y_s.index == X_s.index).all()
    regression = rng.normal(size=30)
    _, y_reg = augmenter.fit_resample(X, regression)
    np.testing.assert_array_equal(y_reg, regression[augmenter.sample_indices_])


def test_imbalanced_learn_pipeline_with_routing_weights_the_meta_classifier(
    applicants,
):
    from imblearn.pipeline import Pipeline as ImbPipeline

    X, y = applicants
    X = small(X)
    w = np.linspace(0.5, 2.0, len(X))
    augmenter = CounterfactualAugmenter(protected="gender", links=LINKS, random_state=0)
    with sklearn.config_context(enable_metadata_routing=True):
        inner = LogisticRegression(max_iter=1000).set_fit_request(sample_weight=True)
        model = CounterfactualAugmentedClassifier(numeric_model(inner), augmenter)
        pipe = ImbPipeline([("model", model)]).fit(X, y, sample_weight=w)
    fitted = pipe["model"]
    X_aug, y_aug = clone(augmenter).fit_resample(X, y)
    by_hand = numeric_model().fit(
        X_aug,
        y_aug,
        logisticregression__sample_weight=w[fitted.augmenter_.sample_indices_],
    )
    np.testing.assert_allclose(
        fitted.estimator_[-1].coef_, by_hand[-1].coef_, rtol=1e-6
    )


def test_a_classifier_after_the_augmenter_step_cannot_get_aligned_weights(
    applicants,
):
    # imbalanced-learn's Pipeline hands every step the weights as given, one
    # per input row, while the augmenter step doubled the rows: the
    # documented way is CounterfactualAugmentedClassifier (test above)
    from imblearn.pipeline import Pipeline as ImbPipeline

    X, y = applicants
    X = small(X)
    augmenter = CounterfactualAugmenter(protected="gender", links=LINKS, random_state=0)
    with sklearn.config_context(enable_metadata_routing=True):
        inner = LogisticRegression().set_fit_request(sample_weight=True)
        pipe = ImbPipeline([("augment", augmenter), ("model", numeric_model(inner))])
        with pytest.raises(
            ValueError, match=re.escape("sample_weight.shape == (400,)")
        ):
            pipe.fit(X, y, sample_weight=np.ones(len(X)))
        pipe.fit(X, y)  # without weights the step works under routing
    assert pipe["augment"].sample_indices_.shape == (2 * len(X),)


# --------------------------------------------------------- metadata routing
class Recorder(ClassifierMixin, BaseEstimator):
    """Records what ``fit`` and ``predict`` receive."""

    def fit(self, X, y, sample_weight=None, groups=None):
        self.X_kind_ = type(X)
        self.n_rows_ = len(X)
        self.sample_weight_ = sample_weight
        self.groups_ = groups
        self.classes_ = np.unique(np.asarray(y))
        return self

    def predict(self, X, offset=None):
        self.offset_ = offset
        return np.full(len(X), self.classes_[0])


def test_the_meta_classifier_is_a_metadata_router(applicants):
    X, y = applicants
    w = np.linspace(0.5, 2.0, len(X))
    groups = np.arange(len(X)) % 7
    augmenter = CounterfactualAugmenter(protected="gender", links=LINKS, random_state=0)
    with sklearn.config_context(enable_metadata_routing=True):
        inner = Recorder().set_fit_request(sample_weight=True, groups=True)
        model = CounterfactualAugmentedClassifier(inner, augmenter)
        routing = model.get_metadata_routing()
        assert isinstance(routing, MetadataRouter)
        assert routing.consumes("fit", ["sample_weight", "groups"]) == {
            "sample_weight",
            "groups",
        }
        model.fit(X, y, sample_weight=w, groups=groups)
        indices = model.augmenter_.sample_indices_
        np.testing.assert_array_equal(model.estimator_.sample_weight_, w[indices])
        np.testing.assert_array_equal(model.estimator_.groups_, groups[indices])
        # a request of False is honoured: the weights go nowhere
        ignored = CounterfactualAugmentedClassifier(
            Recorder().set_fit_request(sample_weight=False), augmenter
        ).fit(X, y)
        assert ignored.estimator_.sample_weight_ is None
        with pytest.raises(TypeError, match="not routed to any object"):
            ignored.fit(X, y, sample_weight=w)
        # a request never set is an error, as everywhere in scikit-learn
        with pytest.raises(
            sklearn.exceptions.UnsetMetadataPassedError, match="sample_weight"
        ):
            CounterfactualAugmentedClassifier(Recorder(), augmenter).fit(
                X, y, sample_weight=w
            )
        inner = Recorder().set_predict_request(offset=True)
        model = CounterfactualAugmentedClassifier(inner, augmenter).fit(X, y)
        model.predict(X, offset=3)
        assert model.estimator_.offset_ == 3


def test_without_routing_weights_go_to_the_estimator_as_before(applicants):
    X, y = applicants
    w = np.linspace(0.5, 2.0, len(X))
    augmenter = CounterfactualAugmenter(protected="gender", links=LINKS, random_state=0)
    model = CounterfactualAugmentedClassifier(Recorder(), augmenter).fit(
        X, y, sample_weight=w
    )
    np.testing.assert_array_equal(
        model.estimator_.sample_weight_, w[model.augmenter_.sample_indices_]
    )
    in_pipeline = CounterfactualAugmentedClassifier(
        Pipeline([("last", Recorder())]), augmenter
    ).fit(X, y, sample_weight=w)
    assert len(in_pipeline.estimator_["last"].sample_weight_) == 2 * len(X)
    message = PARAMS_WITHOUT_ROUTING.format(
        owner="CounterfactualAugmentedClassifier", method="fit", params=["groups"]
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        model.fit(X, y, groups=np.zeros(len(X)))
    message = PARAMS_WITHOUT_ROUTING.format(
        owner="CounterfactualAugmentedClassifier", method="predict", params=["offset"]
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        model.predict(X, offset=1)


@pytest.mark.parametrize("routing", [False, True])
def test_grid_search_weights_the_meta_classifier_with_and_without_routing(
    applicants, routing
):
    X, y = applicants
    X = small(X)
    w = np.linspace(0.5, 2.0, len(X))
    augmenter = CounterfactualAugmenter(protected="gender", links=LINKS, random_state=0)
    with sklearn.config_context(enable_metadata_routing=routing):
        inner = LogisticRegression(max_iter=1000)
        scoring = get_scorer("accuracy")
        if routing:
            inner.set_fit_request(sample_weight=True)
            scoring = scoring.set_score_request(sample_weight=True)
        search = GridSearchCV(
            CounterfactualAugmentedClassifier(numeric_model(inner), augmenter),
            {"estimator__logisticregression__C": [0.01, 1.0]},
            scoring=scoring,
            cv=3,
            error_score="raise",
        ).fit(X, y, sample_weight=w)
    best = search.best_estimator_
    C = search.best_params_["estimator__logisticregression__C"]
    X_aug, y_aug = clone(augmenter).fit_resample(X, y)
    by_hand = numeric_model(LogisticRegression(C=C, max_iter=1000)).fit(
        X_aug,
        y_aug,
        logisticregression__sample_weight=w[best.augmenter_.sample_indices_],
    )
    np.testing.assert_allclose(best.estimator_[-1].coef_, by_hand[-1].coef_, rtol=1e-6)


def test_scorers_refuse_unknown_keyword_arguments(applicants):
    X, y = applicants
    model = numeric_model(DecisionTreeClassifier(max_depth=2, random_state=0)).fit(X, y)
    augmenter = CounterfactualAugmenter(protected="gender", links=LINKS).fit(X)
    for scorer in (
        make_counterfactual_flip_scorer(augmenter=augmenter),
        make_parity_scorer(protected="gender"),
    ):
        with pytest.raises(TypeError, match="unexpected keyword argument 'groups'"):
            scorer(model, X, y, groups=np.zeros(len(X)))


# ------------------------------------------------------------- dataframes
def polars_applicants(X):
    """The applicants as polars, with a categorical gender and 32-bit codes."""
    frame = pl.from_pandas(X.reset_index(drop=True))
    casts = {"gender": pl.Categorical, "gender_code": pl.Int32, "age": pl.Int32}
    return frame.with_columns(
        pl.col(name).cast(dtype) for name, dtype in casts.items() if name in X
    )


def test_polars_in_polars_out_for_twins_and_resampling(applicants):
    X, y = applicants
    frame = polars_applicants(X)
    augmenter = CounterfactualAugmenter(protected="gender", links=LINKS, random_state=0)
    twins = augmenter.fit(frame).make_twins(frame, include_original=True)
    assert isinstance(twins.X, pl.DataFrame)
    assert twins.X.schema == frame.schema
    as_pandas = augmenter.make_twins(frame.to_pandas(), include_original=True)
    assert (
        twins.X.to_pandas()
        .astype(as_pandas.X.dtypes)
        .equals(as_pandas.X.reset_index(drop=True))
    )
    assert twins.to_frame()["kind"].tolist() == twins.provenance["kind"].tolist()
    X_res, y_res = augmenter.fit_resample(frame, pl.Series("approved", y.to_numpy()))
    assert isinstance(X_res, pl.DataFrame) and X_res.schema == frame.schema
    assert isinstance(y_res, pl.Series) and y_res.name == "approved"
    assert X_res.height == y_res.len() == 2 * len(X)
    assert X_res["gender"][: len(X)].to_list() == frame["gender"].to_list()
    _, y_frame = augmenter.fit_resample(frame, pl.DataFrame({"approved": y.to_numpy()}))
    assert isinstance(y_frame, pl.DataFrame) and y_frame.columns == ["approved"]


def test_other_twin_makers_give_polars_back(applicants):
    X, _ = applicants
    frame = polars_applicants(X[["gender", "age", "income"]])
    transport = TransportAugmenter(protected="gender").fit(frame).make_twins(frame)
    assert isinstance(transport.X, pl.DataFrame)
    assert transport.X.schema == frame.schema
    causal = CausalAugmenter(
        protected="gender",
        graph=[("gender", "income")],
        mechanisms="linear",
        random_state=0,
    ).fit(frame)
    twins = causal.make_twins(frame)
    assert isinstance(twins.X, pl.DataFrame) and twins.X.schema == frame.schema
    expected = causal.make_twins(frame.to_pandas()).X
    np.testing.assert_array_equal(twins.X["income"].to_numpy(), expected["income"])


def test_the_meta_classifier_hands_its_estimator_polars(applicants):
    X, y = applicants
    frame = polars_applicants(X)
    augmenter = CounterfactualAugmenter(protected="gender", links=LINKS, random_state=0)
    model = CounterfactualAugmentedClassifier(Recorder(), augmenter).fit(frame, y)
    assert model.estimator_.X_kind_ is pl.DataFrame
    assert model.estimator_.n_rows_ == 2 * len(X)
    array = CounterfactualAugmentedClassifier(
        Recorder(), CounterfactualAugmenter(protected=0)
    ).fit(X[["gender_code", "income"]].to_numpy(), y)
    assert array.estimator_.X_kind_ is np.ndarray


def test_polars_audits_and_scores_equal_pandas(applicants):
    X, y = applicants
    model = numeric_model(DecisionTreeClassifier(max_depth=3, random_state=0)).fit(X, y)
    augmenter = CounterfactualAugmenter(protected="gender", links=LINKS, random_state=0)
    augmenter.fit(X)
    frame = pl.from_pandas(X.reset_index(drop=True))
    labels = pl.Series("approved", y.to_numpy())
    assert counterfactual_flip_rate(
        model, frame, augmenter=augmenter
    ) == counterfactual_flip_rate(model, X, augmenter=augmenter)
    assert counterfactual_effect(
        model, frame, augmenter=augmenter
    ) == counterfactual_effect(model, X, augmenter=augmenter)
    from_polars = audit(model, frame, labels, augmenter=augmenter).to_dict()
    from_pandas = audit(model, X, y, augmenter=augmenter).to_dict()
    assert from_polars["attributes"] == from_pandas["attributes"]
