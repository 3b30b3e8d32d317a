"""Networks for the tests, built by the code the estimators use.

A portfolio of one candidate (:func:`sk_imbalance._nn.portfolio.build_portfolio`)
is the plain fold-stacked MLP, or a user's network ``k`` times side by side;
these helpers return its training view and its ensemble view.
"""

from sk_imbalance._nn.portfolio import Candidate, build_portfolio


def fold_mlp(
    n_features,
    n_outputs,
    n_heads,
    *,
    hidden_layer_sizes=(128,),
    activation="relu",
    dropout=0.2,
    rng=None,
    link="sigmoid",
    sparse=False,
):
    """``(train_model, ensemble_model)`` of one MLP's ``n_heads`` fold heads."""
    candidate = Candidate(
        "mlp",
        hidden_layer_sizes=tuple(hidden_layer_sizes),
        activation=activation,
        dropout=dropout,
    )
    built = build_portfolio(
        [candidate], n_features, n_outputs, n_heads, rng=rng, link=link, sparse=sparse
    )
    return built.train_model, built.ensembles[0]


def user_heads(model, meta, model_kwargs, n_heads, rng=None, link="sigmoid"):
    """``(train_model, ensemble_model)`` of a user's network, once per head."""
    candidate = Candidate("model", model=model, model_kwargs=model_kwargs)
    built = build_portfolio(
        [candidate],
        meta["n_features_in_"],
        meta["n_outputs_"],
        n_heads,
        meta=meta,
        rng=rng,
        link=link,
    )
    return built.train_model, built.ensembles[0]
