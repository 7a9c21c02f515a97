"""Custom Rasa NLU components. Imported only inside the Rasa environment (.venv-rasa)."""
