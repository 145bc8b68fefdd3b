"""``python -m xlmodels`` runs the command line."""

from xlmodels.cli import main

main()
