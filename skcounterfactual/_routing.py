"""Metadata routing of the scorers: ``set_score_request`` and its request."""

from sklearn import get_config
from sklearn.utils.metadata_routing import MetadataRequest

ROUTING_DISABLED = (
    "{method} is only available when metadata routing is enabled. Call "
    "sklearn.set_config(enable_metadata_routing=True) first, or leave "
    "{param} out: by default the sensitive column is read from X."
)


def request_score_metadata(scorer, **requests):
    """Record ``requests`` on ``scorer``; refuse while routing is disabled."""
    if not get_config().get("enable_metadata_routing", False):
        raise RuntimeError(
            ROUTING_DISABLED.format(
                method="set_score_request", param=" / ".join(requests)
            )
        )
    for param, alias in requests.items():
        if alias is not None:
            scorer._request[param] = alias
    return scorer


def score_metadata_request(scorer):
    """Build the ``MetadataRequest`` of a scorer from its recorded requests."""
    request = MetadataRequest(owner=type(scorer).__name__)
    for param, alias in scorer._request.items():
        request.score.add_request(param=param, alias=alias)
    return request


class SampleWeightRequestMixin:
    """``set_score_request(sample_weight=...)`` and its routing, for scorers.

    The scorer keeps its requests in ``self._request``.
    """

    def set_score_request(self, *, sample_weight=None):
        """Request ``sample_weight`` under metadata routing.

        Parameters
        ----------
        sample_weight : bool, str or None, default=None
            True to request it, False not to, a string to use an alias.

        Returns
        -------
        self : object
            The scorer.
        """
        return request_score_metadata(self, sample_weight=sample_weight)

    def get_metadata_routing(self):
        """Return the metadata this scorer requests (``sample_weight``)."""
        return score_metadata_request(self)
