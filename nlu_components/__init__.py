"""Custom Rasa NLU components. Imported only inside the Rasa environment (.venv-rasa)."""

from nlu_components.quiet_logs import install

install()  # before the first message: Rasa's logs never hold what a young person wrote
