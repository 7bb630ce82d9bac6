"""Entry point for `celery -A worker.app worker|beat`: builds the Flask app once per process."""

from market import create_app

flask_app = create_app()
celery_app = flask_app.extensions["celery"]
