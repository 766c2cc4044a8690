"""``searchkit serve``: a local web page and JSON API over the backend-neutral search API."""
