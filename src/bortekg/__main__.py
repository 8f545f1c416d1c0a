"""``python -m bortekg`` runs the command line."""

from bortekg.cli import main

main()
