"""``python -m mlplab`` runs the command-line interface."""

from mlplab.cli import main

if __name__ == "__main__":
    main()
