"""Services around the tracking plan: deploy and compare versions, the quarantine and its
replay, the data-quality report and the setup assistant's sessions. The CLI and the REST
API call these; the pure parts live in ``taxonomy`` and ``pipeline``."""
