"""``python -m harborlight`` runs the command line."""

from harborlight.cli import main

main()
