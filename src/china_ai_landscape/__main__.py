"""``python -m china_ai_landscape`` runs the ``dataset`` command."""

from .cli import run

run()
