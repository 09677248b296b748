"""Every clustering family's fitted model saves with skops and loads from the allow-list."""

from __future__ import annotations

import pytest
import skops.io

from learnburn.bundles import ALLOWED
from learnburn.bundles._trust import dump_model, load_model
from learnburn.candidates import build_clusterer, clusterer_names, k_parameter
from learnburn.data import infer_schema

from .conftest import blobs


@pytest.mark.parametrize("name", clusterer_names())
def test_a_fitted_clusterer_needs_no_type_beyond_the_allow_list(name):
    """The untrusted types skops finds in each family's fitted model are all on ALLOWED
    (ClusterAssigner keeps only centres, or the fitted mixture), and it loads back."""
    table = blobs(120).drop(columns="group")
    k = k_parameter(name)
    params = {} if k is None else {k: 3}
    model = build_clusterer(name, params, infer_schema(table), seed=0, rows=len(table))
    model.fit(table)
    data = dump_model(model)
    untrusted = set(skops.io.get_untrusted_types(data=data))
    assert "learnburn.candidates._assign.ClusterAssigner" in untrusted
    assert untrusted <= ALLOWED
    loaded = load_model(data, "test")
    assert (loaded.predict(table) == model.predict(table)).all()
