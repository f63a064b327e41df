"""Static files with a content hash in their names (app.3f2a1c.js), served by WhiteNoise with a far-future,
immutable Cache-Control: a browser fetches a script or a stylesheet once per version, and a new release is
picked up at once because its files have new names. `manage.py serve` (make run) runs collectstatic first.

Where no collectstatic has run (a test, a command rendering a page), the plain name is used instead of
refusing to render: the finders serve it under DEBUG, and nothing is cached for long."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def stored_name(self, name):
        try:
            return super().stored_name(name)
        except ValueError:  # not collected: no manifest entry and no file in STATIC_ROOT
            return name
