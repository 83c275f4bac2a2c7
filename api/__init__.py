"""The HTTP API over the engine: `api.app.create_app(settings)` builds the litestar application.

Nothing is imported here, so that reading the settings (`api.settings`) does not load the engine.
"""
