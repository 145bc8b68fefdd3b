"""The numeric core: pure, vectorized finance that knows nothing of Excel.

Every function takes scalars, numpy arrays or pandas objects, broadcasts them
like numpy and gives back the same kind. Returns are fractions, never
percentages; "not meaningful" results are :data:`~xlmodels.core.markers.NM`.
Nothing here imports a layer above it: the domain, the Excel layer, the
template and the jobs all stand on these modules.
"""
