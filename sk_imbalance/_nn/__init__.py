"""The networks: Keras only, no scikit-learn.

- :mod:`.layers`: fold-stacked dense layers and the averaging layers;
- :mod:`.sparse_layer`: the first layer on the non-zeros of sparse rows;
- :mod:`.builders`: one user network, or ``k`` heads in one model;
- :mod:`.portfolio`: the candidate networks, their heads and blends;
- :mod:`.losses`, :mod:`.multiclass_losses`: label- and class-weighted losses;
- :mod:`.optimizers`: lazy Adam and the checks on a user's optimizer.
"""
